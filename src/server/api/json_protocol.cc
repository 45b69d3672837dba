#include "server/api/json_protocol.h"

namespace cpa::server::api {

http::Response JsonSuccess(std::string_view content_type, const nlohmann::json& body,
                           const std::string& request_id, int status) {
  http::Response r(status, std::string(content_type), body.dump());
  r.SetHeader("x-amzn-RequestId", request_id);
  r.outcome = "success";
  return r;
}

http::Response JsonError(std::string_view content_type, std::string_view code, int status,
                         std::string_view message, const std::string& request_id,
                         const nlohmann::json& extra) {
  nlohmann::json body = nlohmann::json::object();
  body["__type"] = code;
  body["message"] = message;
  if (extra.is_object()) {
    for (const auto& [k, v] : extra.items()) body[k] = v;
  }
  http::Response r(status, std::string(content_type), body.dump());
  r.SetHeader("x-amzn-RequestId", request_id);
  r.SetHeader("x-amzn-ErrorType", std::string(code));
  r.outcome = std::string(code);
  return r;
}

double EpochSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace cpa::server::api
