#include "awsapi/query_codec.h"

#include <charconv>

#include "core/encoding.h"

namespace cpa::awsapi::query {

using core::ErrorCode;
using core::Status;

Params::Params(std::string_view action, std::string_view version) {
  Add("Action", action);
  Add("Version", version);
}

void Params::Add(std::string_view name, std::string_view value) {
  params_.emplace_back(name, value);
}

void Params::AddOptional(std::string_view name, std::string_view value) {
  if (!value.empty()) Add(name, value);
}

void Params::AddOptional(std::string_view name, std::optional<int64_t> value) {
  if (value) Add(name, std::to_string(*value));
}

void Params::AddOptional(std::string_view name, std::optional<bool> value) {
  if (value) Add(name, *value ? "true" : "false");
}

void Params::AddList(std::string_view name, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    Add(std::string(name) + ".member." + std::to_string(i + 1), values[i]);
  }
}

void Params::AddTags(std::string_view name,
                     const std::vector<std::pair<std::string, std::string>>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string prefix = std::string(name) + ".member." + std::to_string(i + 1);
    Add(prefix + ".Key", tags[i].first);
    Add(prefix + ".Value", tags[i].second);
  }
}

std::string Params::Encode() const {
  std::string out;
  for (const auto& [name, value] : params_) {
    if (!out.empty()) out += '&';
    core::UriEncodeAppend(out, name);
    out += '=';
    core::UriEncodeAppend(out, value);
  }
  return out;
}

// ---- XmlReader ----

void XmlReader::Fail(const char* name, std::string_view value, std::string_view expected) const {
  if (error_ != nullptr && error_->ok()) {
    *error_ = Status(ErrorCode::kInternal, "malformed <" + std::string(name) + "> '" +
                                               std::string(value.substr(0, 64)) + "': expected " +
                                               std::string(expected));
  }
}

std::string XmlReader::Str(const char* name) const { return node_.child(name).text().get(); }

std::optional<std::string> XmlReader::OptStr(const char* name) const {
  pugi::xml_node child = node_.child(name);
  if (!child) return std::nullopt;
  return std::string(child.text().get());
}

std::optional<int64_t> XmlReader::Int(const char* name) const {
  pugi::xml_node child = node_.child(name);
  if (!child) return std::nullopt;
  std::string_view text = core::TrimAsciiWhitespace(child.text().get());
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    Fail(name, text, "an integer");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> XmlReader::Bool(const char* name) const {
  pugi::xml_node child = node_.child(name);
  if (!child) return std::nullopt;
  std::string_view text = core::TrimAsciiWhitespace(child.text().get());
  if (text == "true") return true;
  if (text == "false") return false;
  Fail(name, text, "true or false");
  return std::nullopt;
}

std::optional<core::TimePoint> XmlReader::Time(const char* name) const {
  pugi::xml_node child = node_.child(name);
  if (!child) return std::nullopt;
  std::string_view text = core::TrimAsciiWhitespace(child.text().get());
  auto t = core::ParseIso8601(text);
  if (!t.ok()) {
    Fail(name, text, "an ISO 8601 time");
    return std::nullopt;
  }
  return *t;
}

std::vector<std::string> XmlReader::StrList(const char* name) const {
  std::vector<std::string> out;
  for (pugi::xml_node m : node_.child(name).children("member")) out.emplace_back(m.text().get());
  return out;
}

std::vector<XmlReader> XmlReader::List(const char* name) const {
  std::vector<XmlReader> out;
  for (pugi::xml_node m : node_.child(name).children("member")) out.emplace_back(m, error_);
  return out;
}

std::map<std::string, std::string> XmlReader::Map(const char* name) const {
  std::map<std::string, std::string> out;
  for (pugi::xml_node e : node_.child(name).children("entry")) {
    out[e.child("key").text().get()] = e.child("value").text().get();
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> XmlReader::Tags(const char* name) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (pugi::xml_node m : node_.child(name).children("member")) {
    out.emplace_back(m.child("Key").text().get(), m.child("Value").text().get());
  }
  return out;
}

// ---- responses ----

namespace {

bool LoadXml(pugi::xml_document& doc, std::string_view body) {
  if (body.empty()) return false;
  pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  return static_cast<bool>(parsed) && doc.document_element();
}

}  // namespace

Status ParseResponse(std::string_view body, std::string_view operation, bool has_result,
                     Response& out) {
  std::string op(operation);
  auto bad = [&](std::string why) {
    return Status(ErrorCode::kInternal, "malformed " + op + " response: " + why);
  };
  if (!LoadXml(out.doc, body)) return bad("the body is not XML");
  pugi::xml_node root = out.doc.document_element();
  if (std::string_view(root.name()) != op + "Response") {
    return bad("expected <" + op + "Response>, got <" + root.name() + ">");
  }
  out.request_id = root.child("ResponseMetadata").child("RequestId").text().get();
  if (has_result) {
    out.result = root.child((op + "Result").c_str());
    if (!out.result) return bad("<" + op + "Result> is missing");
  } else {
    out.result = root;
  }
  return Status::Ok();
}

AwsErrorInfo ParseError(const HttpResponse& response) {
  AwsErrorInfo info;
  info.http_status = response.status;
  pugi::xml_document doc;
  if (LoadXml(doc, response.body)) {
    pugi::xml_node root = doc.document_element();
    pugi::xml_node error = root.child("Error");
    if (!error) error = root.child("Errors").child("Error");
    if (std::string_view(root.name()) == "Error") error = root;  // bare <Error> (S3 style)
    if (error) {
      info.code = error.child("Code").text().get();
      pugi::xml_node message = error.child("Message");
      if (!message) message = error.child("message");
      info.message = message.text().get();
    }
    info.request_id = root.child("RequestId").text().get();
    if (info.request_id.empty()) info.request_id = root.child("RequestID").text().get();
  }
  if (info.request_id.empty()) info.request_id = RequestIdHeader(response);
  if (info.code.empty()) info.code = "Http" + std::to_string(response.status);
  return info;
}

}  // namespace cpa::awsapi::query
