#include "server/console/aws_bridge.h"

#include <pugixml.hpp>

#include "core/encoding.h"

namespace cpa::server::console {

namespace {

using nlohmann::json;

// The Host the in-process requests carry: signed like any other header, never resolved.
constexpr std::string_view kHost = "console.cpa.internal";
// IAM and STS are global: clients sign them for us-east-1.
constexpr std::string_view kGlobalRegion = "us-east-1";

Reply ErrorReply(int status, std::string code, std::string message, std::string request_id = "") {
  Reply r;
  r.status = status;
  r.body = {{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}};
  if (!request_id.empty()) r.body["requestId"] = std::move(request_id);
  return r;
}

json ElementToJson(const pugi::xml_node& node) {
  bool has_children = false;
  bool all_members = true;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    has_children = true;
    if (std::string_view(child.name()) != "member") all_members = false;
  }
  if (!has_children) return std::string(node.text().get());
  if (all_members) {
    json a = json::array();
    for (pugi::xml_node child : node.children("member")) a.push_back(ElementToJson(child));
    return a;
  }
  json o = json::object();
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    o[child.name()] = ElementToJson(child);
  }
  return o;
}

void Flatten(const std::string& name, const json& value, QueryParamList& out,
             core::Status& status) {
  if (!status.ok()) return;
  if (value.is_string()) {
    out.emplace_back(name, value.get<std::string>());
  } else if (value.is_boolean()) {
    out.emplace_back(name, value.get<bool>() ? "true" : "false");
  } else if (value.is_number()) {
    out.emplace_back(name, value.dump());
  } else if (value.is_array()) {
    size_t i = 1;
    for (const json& v : value) Flatten(name + ".member." + std::to_string(i++), v, out, status);
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items()) Flatten(name + "." + k, v, out, status);
  } else {
    status = core::Status(core::ErrorCode::kInvalidArgument,
                          "parameter " + name +
                              " must be a string, number, boolean, array or "
                              "object");
  }
}

}  // namespace

std::string Reply::code() const {
  if (!body.is_object() || !body.contains("error")) return "";
  return body["error"].value("code", "");
}

std::string_view QueryApiVersion(std::string_view service) {
  if (service == "iam") return "2010-05-08";
  if (service == "sts") return "2011-06-15";
  return "";
}

core::Result<QueryParamList> FlattenQueryParams(const json& params) {
  if (!params.is_object()) {
    return core::Status(core::ErrorCode::kInvalidArgument, "parameters must be a JSON object");
  }
  QueryParamList out;
  core::Status status;
  for (const auto& [k, v] : params.items()) {
    if (k.empty() || k == "Action" || k == "Version") {
      return core::Status(core::ErrorCode::kInvalidArgument,
                          "parameter name '" + k + "' is not allowed");
    }
    Flatten(k, v, out, status);
  }
  if (!status.ok()) return status;
  return out;
}

Reply QueryXmlToReply(std::string_view xml, int http_status) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return ErrorReply(502, "InternalFailure", "the API answered with a body that is not XML");
  }
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) == "ErrorResponse") {
    pugi::xml_node error = root.child("Error");
    return ErrorReply(http_status >= 400 ? http_status : 500, error.child_value("Code"),
                      error.child_value("Message"), root.child_value("RequestId"));
  }
  Reply r;
  r.status = http_status;
  r.body = {{"result", json::object()}};
  for (pugi::xml_node child = root.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = child.name();
    if (name.size() > 6 && name.substr(name.size() - 6) == "Result") {
      json result = ElementToJson(child);
      r.body["result"] = result.is_object() ? result : json::object();
    } else if (name == "ResponseMetadata") {
      r.body["requestId"] = child.child_value("RequestId");
    }
  }
  return r;
}

Reply JsonToReply(const http::Response& response) {
  json body = json::parse(response.body, nullptr, false);
  if (response.status >= 200 && response.status < 300) {
    Reply r;
    r.status = response.status;
    r.body = {{"result", body.is_discarded() ? json::object() : body}};
    return r;
  }
  std::string code;
  if (auto t = response.Header("x-amzn-ErrorType")) code = std::string(*t);
  if (code.empty() && body.is_object()) code = body.value("__type", "");
  code = code.substr(0, code.find(':'));
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  std::string message;
  if (body.is_object()) message = body.value("message", body.value("Message", ""));
  std::string request_id;
  if (auto id = response.Header("x-amzn-RequestId")) request_id = std::string(*id);
  return ErrorReply(response.status, code.empty() ? "InternalFailure" : code, message, request_id);
}

AwsBridge::AwsBridge(Dispatch dispatch, const core::Clock& clock)
    : dispatch_(std::move(dispatch)), clock_(clock) {}

Reply AwsBridge::Send(const sigv4::Credentials& credentials, std::string_view service,
                      std::string_view region, std::string method, std::string target,
                      std::vector<std::pair<std::string, std::string>> headers, std::string body,
                      std::string_view remote_address, bool json_protocol) const {
  sigv4::HttpRequest h;
  h.method = std::move(method);
  h.SetTarget(target);
  h.headers = std::move(headers);
  h.headers.insert(h.headers.begin(), {"Host", std::string(kHost)});
  h.headers.emplace_back("User-Agent", "cpa-console");
  h.body = std::move(body);
  sigv4::SigningConfig config;
  config.credentials = credentials;
  config.region = std::string(region);
  config.service = std::string(service);
  config.time = clock_.Now();
  if (auto s = sigv4::SignRequest(h, config); !s.ok()) {
    // Only a malformed key pair gets here (the request itself is always complete).
    return ErrorReply(400, "InvalidClientTokenId", s.status().message());
  }
  http::Request request;
  request.method = h.method;
  request.target = h.Target();
  request.headers = std::move(h.headers);
  request.body = std::move(h.body);
  request.body_size = request.body.size();
  request.remote_address = std::string(remote_address);
  http::Response response = dispatch_(std::move(request));
  if (json_protocol) return JsonToReply(response);
  return QueryXmlToReply(response.body, response.status);
}

Reply AwsBridge::Query(const sigv4::Credentials& credentials, std::string_view service,
                       std::string_view action, const QueryParamList& params,
                       std::string_view remote_address) const {
  std::string form =
      "Action=" + core::UriEncode(action) + "&Version=" + core::UriEncode(QueryApiVersion(service));
  for (const auto& [k, v] : params) {
    form += '&';
    core::UriEncodeAppend(form, k);
    form += '=';
    core::UriEncodeAppend(form, v);
  }
  return Send(credentials, service, kGlobalRegion, "POST", "/",
              {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
              std::move(form), remote_address, false);
}

Reply AwsBridge::RestJson(const sigv4::Credentials& credentials, std::string_view service,
                          std::string_view region, std::string_view method, std::string_view target,
                          std::string body, std::string_view remote_address) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return Send(credentials, service, region, std::string(method), std::string(target),
              std::move(headers), std::move(body), remote_address, true);
}

Reply AwsBridge::Json(const sigv4::Credentials& credentials, std::string_view service,
                      std::string_view region, std::string_view target, std::string body,
                      std::string_view remote_address) const {
  return Send(
      credentials, service, region, "POST", "/",
      {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", std::string(target)}},
      std::move(body), remote_address, true);
}

}  // namespace cpa::server::console
