#include "server/api/xml.h"

namespace cpa::server::api {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

XmlWriter& XmlWriter::Open(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Text(std::string_view name, std::string_view text) {
  Open(name);
  out_ += XmlEscape(text);
  return Close(name);
}

XmlWriter& XmlWriter::Bool(std::string_view name, bool value) {
  return Text(name, value ? "true" : "false");
}

XmlWriter& XmlWriter::Int(std::string_view name, int64_t value) {
  return Text(name, std::to_string(value));
}

XmlWriter& XmlWriter::Time(std::string_view name, core::TimePoint t) {
  return Text(name, core::FormatIso8601(t));
}

XmlWriter& XmlWriter::Empty(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += "/>";
  return *this;
}

XmlWriter& XmlWriter::Raw(std::string_view xml) {
  out_ += xml;
  return *this;
}

std::string QuerySuccessXml(std::string_view operation, std::string_view xml_namespace,
                            const QueryOutput& output, std::string_view request_id) {
  std::string root = std::string(operation) + "Response";
  std::string out = "<" + root + " xmlns=\"" + XmlEscape(xml_namespace) + "\">";
  if (output.has_result) {
    out += "<";
    out += operation;
    out += "Result>";
    out += output.result_xml;
    out += "</";
    out += operation;
    out += "Result>";
  }
  out += "<ResponseMetadata><RequestId>" + XmlEscape(request_id) +
         "</RequestId></ResponseMetadata></" + root + ">\n";
  return out;
}

std::string QueryErrorXml(std::string_view xml_namespace, std::string_view type,
                          std::string_view code, std::string_view message,
                          std::string_view request_id) {
  XmlWriter w;
  w.Raw("<ErrorResponse xmlns=\"" + XmlEscape(xml_namespace) + "\">")
      .Open("Error")
      .Text("Type", type)
      .Text("Code", code)
      .Text("Message", message)
      .Close("Error")
      .Text("RequestId", request_id)
      .Close("ErrorResponse")
      .Raw("\n");
  return w.Take();
}

}  // namespace cpa::server::api
