#include "kube/api_error.h"

#include <nlohmann/json.hpp>

namespace cpa::kube {
namespace {

using core::ErrorCode;
using Json = nlohmann::json;

// The reason client-go gives a response whose body is not a Status (NewGenericServerResponse).
std::string ReasonForCode(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

// A short excerpt of a body for a message: printable ASCII, at most 200 characters.
std::string Excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > 200) out += "...";
  return out;
}

std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

ApiError ParseApiError(int http_status, std::string_view body) {
  ApiError error;
  error.code = http_status;
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && Str(json, "kind") == "Status") {
    error.reason = Str(json, "reason");
    error.message = Str(json, "message");
    if (auto code = json.find("code"); code != json.end() && code->is_number_integer()) {
      // The body's code wins: it is what the server meant (a proxy may rewrite the status).
      int c = code->get<int>();
      if (c >= 100 && c <= 599) error.code = c;
    }
    if (auto details = json.find("details"); details != json.end() && details->is_object()) {
      error.kind = Str(*details, "kind");
      error.name = Str(*details, "name");
      if (auto causes = details->find("causes"); causes != details->end() && causes->is_array()) {
        for (const auto& cause : *causes) {
          if (!cause.is_object()) continue;
          std::string field = Str(cause, "field");
          std::string message = Str(cause, "message");
          error.causes.push_back(field.empty() ? message : field + ": " + message);
        }
      }
    }
    if (error.reason.empty() && error.code != 500) error.reason = ReasonForCode(error.code);
    return error;
  }
  error.reason = ReasonForCode(http_status);
  error.message = Excerpt(body);
  return error;
}

ErrorCode MapApiError(const ApiError& e) {
  switch (e.code) {
    case 401:
      return ErrorCode::kInvalidClientTokenId;
    case 403:
      return ErrorCode::kAccessDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return e.reason == "AlreadyExists" ? ErrorCode::kAlreadyExists : ErrorCode::kInternal;
    case 422:
      return ErrorCode::kValidationError;
    case 429:
      return ErrorCode::kInternal;
    default:
      break;
  }
  if (e.code >= 400 && e.code < 500) return ErrorCode::kInvalidArgument;
  return ErrorCode::kInternal;
}

core::Status ApiErrorStatus(std::string_view operation, const ApiError& e) {
  std::string message = std::string(operation) + ": ";
  message += e.reason.empty() ? std::string("Failure") : e.reason;
  if (!e.message.empty()) message += ": " + e.message;
  message += " (HTTP " + std::to_string(e.code) + ")";
  return core::Status(MapApiError(e), message);
}

}  // namespace cpa::kube
