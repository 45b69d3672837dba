#pragma once
// The JSON protocols: awsJson1_1 (ECR) and restJson1 (EKS). Internal to awsapi.
// Nothing here throws: parsing uses nlohmann's non-throwing entry points and every access checks
// the type first.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsapi/client.h"
#include "awsapi/error.h"
#include "awsapi/http.h"
#include "core/clock.h"
#include "core/status.h"

namespace cpa::awsapi::json {

// Parses a response body; an empty body is {}. Fails with kInternal naming the operation.
core::Status ParseBody(std::string_view body, std::string_view operation, nlohmann::json& out);

// Serializes without throwing (invalid UTF-8 is replaced).
std::string Dump(const nlohmann::json& value);

// Reads typed members of a JSON object. The first member with the wrong type is recorded in
// *error; absent members and nulls read as empty.
class JsonReader {
 public:
  JsonReader(const nlohmann::json* object, core::Status* error);

  bool Has(const char* key) const { return Get(key) != nullptr; }
  JsonReader Object(const char* key) const;
  std::string Str(const char* key) const;
  std::optional<int64_t> Int(const char* key) const;
  std::optional<bool> Bool(const char* key) const;
  // Epoch seconds (a number, fractions truncated); an ISO 8601 string is accepted too.
  std::optional<core::TimePoint> Time(const char* key) const;
  std::vector<std::string> StrList(const char* key) const;
  std::vector<JsonReader> List(const char* key) const;
  std::map<std::string, std::string> StrMap(const char* key) const;

 private:
  const nlohmann::json* Get(const char* key) const;
  void Fail(const char* key, std::string_view expected) const;

  const nlohmann::json* object_;  // null or an object
  core::Status* error_;
};

// Error of a JSON 1.1 response: code from body __type (then code/Code, then the
// x-amzn-ErrorType header), message from message/Message.
AwsErrorInfo ParseJsonError(const HttpResponse& response);
// Error of a REST-JSON response: the x-amzn-ErrorType header wins, then body code/Code/__type.
AwsErrorInfo ParseRestJsonError(const HttpResponse& response);

// "prefix#Name:detail" -> "Name".
std::string SanitizeErrorCode(std::string_view raw);

// Sends a JSON-protocol operation and decodes its body with decode(const JsonReader&, T&).
// T has a request_id member (taken from x-amzn-RequestId).
template <typename T, typename Decode>
Outcome<T> Call(const ServiceClient& client, std::string_view operation,
                const OperationRequest& request, Decode&& decode) {
  auto response = client.Send(operation, request);
  if (!response.ok()) return Outcome<T>::FailureOf(response);
  nlohmann::json body;
  core::Status status = ParseBody(response->body, operation, body);
  if (!status.ok()) return status;
  T out;
  out.request_id = RequestIdHeader(*response);
  core::Status error;
  JsonReader reader(&body, &error);
  decode(reader, out);
  if (!error.ok()) {
    return core::Status(core::ErrorCode::kInternal,
                        "malformed " + std::string(operation) + " response: " + error.message());
  }
  return out;
}

}  // namespace cpa::awsapi::json
