#include "awsapi/error.h"

#include <array>

#include "awsapi/json_codec.h"
#include "awsapi/query_codec.h"

namespace cpa::awsapi {

using core::ErrorCode;

namespace {

struct CodeMapping {
  std::string_view aws_code;
  ErrorCode code;
};

constexpr std::array kMappings = {
    CodeMapping{"AccessDenied", ErrorCode::kAccessDenied},
    CodeMapping{"AccessDeniedException", ErrorCode::kAccessDenied},
    CodeMapping{"UnauthorizedOperation", ErrorCode::kAccessDenied},
    CodeMapping{"NoSuchEntity", ErrorCode::kNotFound},
    CodeMapping{"NotFoundException", ErrorCode::kNotFound},
    CodeMapping{"ResourceNotFoundException", ErrorCode::kNotFound},
    CodeMapping{"EntityAlreadyExists", ErrorCode::kAlreadyExists},
    CodeMapping{"ResourceInUseException", ErrorCode::kAlreadyExists},
    CodeMapping{"ExpiredToken", ErrorCode::kExpiredToken},
    CodeMapping{"ExpiredTokenException", ErrorCode::kExpiredToken},
    CodeMapping{"InvalidClientTokenId", ErrorCode::kInvalidClientTokenId},
    CodeMapping{"UnrecognizedClientException", ErrorCode::kInvalidClientTokenId},
    CodeMapping{"InvalidAccessKeyId", ErrorCode::kInvalidClientTokenId},
    CodeMapping{"SignatureDoesNotMatch", ErrorCode::kSignatureDoesNotMatch},
    CodeMapping{"InvalidSignatureException", ErrorCode::kSignatureDoesNotMatch},
    CodeMapping{"IncompleteSignature", ErrorCode::kIncompleteSignature},
    CodeMapping{"IncompleteSignatureException", ErrorCode::kIncompleteSignature},
    CodeMapping{"MissingAuthenticationToken", ErrorCode::kMissingAuthenticationToken},
    CodeMapping{"MissingAuthenticationTokenException", ErrorCode::kMissingAuthenticationToken},
    CodeMapping{"RequestExpired", ErrorCode::kRequestExpired},
    CodeMapping{"MalformedPolicyDocument", ErrorCode::kMalformedPolicyDocument},
    CodeMapping{"MalformedPolicyDocumentException", ErrorCode::kMalformedPolicyDocument},
    CodeMapping{"DeleteConflict", ErrorCode::kDeleteConflict},
    CodeMapping{"LimitExceeded", ErrorCode::kLimitExceeded},
    CodeMapping{"LimitExceededException", ErrorCode::kLimitExceeded},
    CodeMapping{"ResourceLimitExceededException", ErrorCode::kLimitExceeded},
    CodeMapping{"PackedPolicyTooLarge", ErrorCode::kLimitExceeded},
    CodeMapping{"PackedPolicyTooLargeException", ErrorCode::kLimitExceeded},
    CodeMapping{"MissingParameter", ErrorCode::kMissingParameter},
    CodeMapping{"ValidationError", ErrorCode::kValidationError},
    CodeMapping{"ValidationException", ErrorCode::kValidationError},
    CodeMapping{"InvalidInput", ErrorCode::kInvalidArgument},
    CodeMapping{"InvalidParameterException", ErrorCode::kInvalidArgument},
    CodeMapping{"InvalidParameterValue", ErrorCode::kInvalidArgument},
    CodeMapping{"InvalidRequestException", ErrorCode::kInvalidArgument},
};

}  // namespace

ErrorCode MapAwsErrorCode(std::string_view aws_code, int http_status) {
  for (const auto& m : kMappings) {
    if (m.aws_code == aws_code) return m.code;
  }
  // ECR and friends: "<Thing>NotFoundException", "<Thing>AlreadyExistsException".
  if (aws_code.ends_with("NotFoundException")) return ErrorCode::kNotFound;
  if (aws_code.ends_with("AlreadyExistsException")) return ErrorCode::kAlreadyExists;
  if (http_status == 403) return ErrorCode::kAccessDenied;
  if (http_status == 404) return ErrorCode::kNotFound;
  if (http_status >= 400 && http_status < 500 && http_status != 429 && http_status != 408) {
    return ErrorCode::kInvalidArgument;
  }
  return ErrorCode::kInternal;
}

core::Status AwsErrorStatus(std::string_view operation, const AwsErrorInfo& error) {
  std::string message(operation);
  message += ": ";
  message += error.code;
  if (!error.message.empty()) {
    message += ": ";
    message += error.message;
  }
  message += " (HTTP " + std::to_string(error.http_status);
  if (!error.request_id.empty()) message += ", request id " + error.request_id;
  message += ")";
  return core::Status(MapAwsErrorCode(error.code, error.http_status), std::move(message));
}

AwsErrorInfo ParseAwsError(core::Protocol protocol, const HttpResponse& response) {
  switch (protocol) {
    case core::Protocol::kQuery:
      return query::ParseError(response);
    case core::Protocol::kJson:
      return json::ParseJsonError(response);
    case core::Protocol::kRestJson:
      return json::ParseRestJsonError(response);
  }
  return json::ParseJsonError(response);
}

std::string RequestIdHeader(const HttpResponse& response) {
  if (auto h = response.Header("x-amzn-RequestId")) return std::string(*h);
  if (auto h = response.Header("x-amz-request-id")) return std::string(*h);
  return {};
}

}  // namespace cpa::awsapi
