#pragma once
// Responses of the JSON protocols (ECR awsJson1_1, EKS restJson1): success bodies and errors
// that every SDK reads the same way — the code in the `__type` body member (botocore) and in the
// `x-amzn-ErrorType` header (JS SDK v3, botocore's rest-json parser), the text in `message`.
//
// Thread safety: pure functions.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/http/message.h"

namespace cpa::server::api {

inline constexpr std::string_view kAmzJson11 = "application/x-amz-json-1.1";
inline constexpr std::string_view kRestJson = "application/json";

// 200 (or `status`) with `body` serialised, Content-Type and x-amzn-RequestId set.
http::Response JsonSuccess(std::string_view content_type, const nlohmann::json& body,
                           const std::string& request_id, int status = 200);

// An error: {"__type": code, "message": message, ...extra members}, x-amzn-ErrorType: code.
// `extra` must be an object or null.
http::Response JsonError(std::string_view content_type, std::string_view code, int status,
                         std::string_view message, const std::string& request_id,
                         const nlohmann::json& extra = nullptr);

// Epoch seconds as a JSON number, as ECR and EKS send timestamps.
double EpochSeconds(std::chrono::system_clock::time_point t);

}  // namespace cpa::server::api
