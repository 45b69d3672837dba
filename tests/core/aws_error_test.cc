#include "core/aws_error.h"

#include <gtest/gtest.h>

namespace cpa::core {
namespace {

TEST(AwsError, QueryProtocolCodes) {
  EXPECT_EQ(ToAwsError(ErrorCode::kSignatureDoesNotMatch, Protocol::kQuery).code,
            "SignatureDoesNotMatch");
  EXPECT_EQ(ToAwsError(ErrorCode::kSignatureDoesNotMatch, Protocol::kQuery).http_status, 403);
  EXPECT_EQ(ToAwsError(ErrorCode::kInvalidClientTokenId, Protocol::kQuery).code,
            "InvalidClientTokenId");
  EXPECT_EQ(ToAwsError(ErrorCode::kIncompleteSignature, Protocol::kQuery).code,
            "IncompleteSignature");
  EXPECT_EQ(ToAwsError(ErrorCode::kExpiredToken, Protocol::kQuery).code, "ExpiredToken");
  EXPECT_EQ(ToAwsError(ErrorCode::kMalformedPolicyDocument, Protocol::kQuery).code,
            "MalformedPolicyDocument");
  EXPECT_EQ(ToAwsError(ErrorCode::kNotFound, Protocol::kQuery).code, "NoSuchEntity");
}

TEST(AwsError, JsonProtocolCodes) {
  EXPECT_EQ(ToAwsError(ErrorCode::kSignatureDoesNotMatch, Protocol::kJson).code,
            "InvalidSignatureException");
  EXPECT_EQ(ToAwsError(ErrorCode::kInvalidClientTokenId, Protocol::kJson).code,
            "UnrecognizedClientException");
  EXPECT_EQ(ToAwsError(ErrorCode::kAccessDenied, Protocol::kJson).code, "AccessDeniedException");
}

TEST(AwsError, RestJsonProtocolCodes) {
  // EKS: AccessDeniedException is a 403 there, and limits are ResourceLimitExceededException.
  EXPECT_EQ(ToAwsError(ErrorCode::kAccessDenied, Protocol::kRestJson).http_status, 403);
  EXPECT_EQ(ToAwsError(ErrorCode::kAccessDenied, Protocol::kJson).http_status, 400);
  EXPECT_EQ(ToAwsError(ErrorCode::kLimitExceeded, Protocol::kRestJson).code,
            "ResourceLimitExceededException");
  EXPECT_EQ(ToAwsError(ErrorCode::kNotFound, Protocol::kRestJson).code,
            "ResourceNotFoundException");
  EXPECT_EQ(ToAwsError(ErrorCode::kNotFound, Protocol::kRestJson).http_status, 404);
  EXPECT_EQ(ToAwsError(ErrorCode::kInvalidArgument, Protocol::kRestJson).code,
            "InvalidParameterException");
}

TEST(AwsError, EveryCodeMapsToAnError) {
  for (int c = 1; c <= static_cast<int>(kLastErrorCode); ++c) {
    for (Protocol p : {Protocol::kQuery, Protocol::kJson, Protocol::kRestJson}) {
      AwsError e = ToAwsError(static_cast<ErrorCode>(c), p);
      EXPECT_FALSE(e.code.empty()) << c;
      EXPECT_GE(e.http_status, 400) << c;
    }
  }
}

}  // namespace
}  // namespace cpa::core
