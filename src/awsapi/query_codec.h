#pragma once
// The awsQuery protocol (IAM, STS): form-encoded requests and XML responses. Internal to awsapi.

#include <cstdint>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsapi/client.h"
#include "awsapi/error.h"
#include "awsapi/http.h"
#include "core/clock.h"
#include "core/status.h"

namespace cpa::awsapi::query {

// The body of an awsQuery request: Action=...&Version=...&params, in insertion order.
class Params {
 public:
  Params(std::string_view action, std::string_view version);
  void Add(std::string_view name, std::string_view value);
  // These add nothing when the value is empty/absent.
  void AddOptional(std::string_view name, std::string_view value);
  void AddOptional(std::string_view name, std::optional<int64_t> value);
  void AddOptional(std::string_view name, std::optional<bool> value);
  // name.member.1=..., name.member.2=...
  void AddList(std::string_view name, const std::vector<std::string>& values);
  // name.member.N.Key / name.member.N.Value
  void AddTags(std::string_view name, const std::vector<std::pair<std::string, std::string>>& tags);
  // application/x-www-form-urlencoded text (RFC 3986 percent-encoding).
  std::string Encode() const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

inline constexpr std::string_view kContentType = "application/x-www-form-urlencoded; charset=utf-8";

// Reads typed members of an XML element. The first malformed value is recorded in *error (the
// reader goes on, returning empty values), so decoders read everything and check once.
class XmlReader {
 public:
  XmlReader(pugi::xml_node node, core::Status* error) : node_(node), error_(error) {}

  bool Has(const char* name) const { return static_cast<bool>(node_.child(name)); }
  XmlReader Child(const char* name) const { return XmlReader(node_.child(name), error_); }
  std::string Str(const char* name) const;
  std::optional<std::string> OptStr(const char* name) const;
  std::optional<int64_t> Int(const char* name) const;
  std::optional<bool> Bool(const char* name) const;
  std::optional<core::TimePoint> Time(const char* name) const;
  // <name><member>text</member>...</name>; absent or empty gives {}.
  std::vector<std::string> StrList(const char* name) const;
  // <name><member>...</member>...</name> as readers.
  std::vector<XmlReader> List(const char* name) const;
  // <name><entry><key>k</key><value>v</value></entry>...</name>
  std::map<std::string, std::string> Map(const char* name) const;
  // <name><member><Key>k</Key><Value>v</Value></member>...</name>
  std::vector<std::pair<std::string, std::string>> Tags(const char* name) const;

 private:
  void Fail(const char* name, std::string_view value, std::string_view expected) const;

  pugi::xml_node node_;
  core::Status* error_;
};

// A parsed success response: root <op>Response, `result` is <op>Result (or the root when the
// operation has no output).
struct Response {
  pugi::xml_document doc;
  pugi::xml_node result;
  std::string request_id;
};

// Fails with kInternal naming the operation when the body is not the expected XML.
core::Status ParseResponse(std::string_view body, std::string_view operation, bool has_result,
                           Response& out);

// ErrorResponse/Error/{Type,Code,Message} + RequestId (also Errors/Error and
// Response/Errors/Error).
AwsErrorInfo ParseError(const HttpResponse& response);

// Sends an awsQuery operation and decodes its result with decode(XmlReader&, T&). T has a
// request_id member. has_result: the operation has an output (an <op>Result element).
template <typename T, typename Decode>
Outcome<T> Call(const ServiceClient& client, std::string_view operation, const Params& params,
                bool has_result, Decode&& decode, bool sign = true) {
  OperationRequest request;
  request.headers.emplace_back("Content-Type", std::string(kContentType));
  request.body = params.Encode();
  request.sign = sign;
  auto response = client.Send(operation, request);
  if (!response.ok()) return Outcome<T>::FailureOf(response);
  Response parsed;
  core::Status status = ParseResponse(response->body, operation, has_result, parsed);
  if (!status.ok()) return status;
  T out;
  out.request_id = parsed.request_id.empty() ? RequestIdHeader(*response) : parsed.request_id;
  core::Status error;
  XmlReader reader(parsed.result, &error);
  decode(reader, out);
  if (!error.ok()) {
    return core::Status(core::ErrorCode::kInternal,
                        "malformed " + std::string(operation) + " response: " + error.message());
  }
  return out;
}

}  // namespace cpa::awsapi::query
