// Error parsing for the three protocols, the code mapping, and Outcome.
#include "awsapi/error.h"

#include <gtest/gtest.h>

#include "awsapi/json_codec.h"

namespace cpa::awsapi {
namespace {

using core::ErrorCode;
using core::Protocol;

HttpResponse Response(int status, std::string body, HttpHeaders headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

TEST(ParseAwsError, QueryErrorResponse) {
  auto info = ParseAwsError(
      Protocol::kQuery,
      Response(403, R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message></Error>
  <RequestId>rid-1</RequestId></ErrorResponse>)"));
  EXPECT_EQ(info,
            (AwsErrorInfo{"SignatureDoesNotMatch",
                          "The request signature we calculated does not match.", "rid-1", 403}));
}

TEST(ParseAwsError, QueryEc2StyleErrorsAndHeaderRequestId) {
  auto info = ParseAwsError(
      Protocol::kQuery,
      Response(
          403,
          R"(<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><message>The security token included in the request is invalid.</message></Error></Errors></ErrorResponse>)",
          {{"X-Amzn-RequestId", "hdr-1"}}));
  EXPECT_EQ(info.code, "InvalidClientTokenId");
  EXPECT_EQ(info.message, "The security token included in the request is invalid.");
  EXPECT_EQ(info.request_id, "hdr-1");
}

TEST(ParseAwsError, NonXmlBodyFallsBackToTheStatus) {
  auto info = ParseAwsError(
      Protocol::kQuery, Response(503, "<html>Service Unavailable", {{"x-amz-request-id", "s3"}}));
  EXPECT_EQ(info, (AwsErrorInfo{"Http503", "", "s3", 503}));
  auto json = ParseAwsError(Protocol::kJson, Response(502, ""));
  EXPECT_EQ(json.code, "Http502");
  auto rest = ParseAwsError(Protocol::kRestJson, Response(500, "not json"));
  EXPECT_EQ(rest.code, "Http500");
}

TEST(ParseAwsError, JsonPrefersBodyType) {
  auto info = ParseAwsError(
      Protocol::kJson,
      Response(400, R"({"__type":"com.amazonaws.ecr#ImageNotFoundException","message":"m"})",
               {{"x-amzn-ErrorType", "SomethingElse"}, {"x-amzn-RequestId", "r"}}));
  EXPECT_EQ(info, (AwsErrorInfo{"ImageNotFoundException", "m", "r", 400}));
  // Without __type the header is used.
  auto header_only = ParseAwsError(
      Protocol::kJson, Response(400, "{}", {{"x-amzn-ErrorType", "ThrottlingException"}}));
  EXPECT_EQ(header_only.code, "ThrottlingException");
}

TEST(ParseAwsError, RestJsonPrefersTheHeader) {
  auto info = ParseAwsError(
      Protocol::kRestJson,
      Response(
          400, R"({"__type":"Other","Message":"M"})",
          {{"X-Amzn-ErrorType", "InvalidRequestException:http://internal.amazon.com/coral/"}}));
  EXPECT_EQ(info.code, "InvalidRequestException");
  EXPECT_EQ(info.message, "M");
  auto body_code =
      ParseAwsError(Protocol::kRestJson, Response(404, R"({"code":"NotFoundException"})"));
  EXPECT_EQ(body_code.code, "NotFoundException");
  auto body_type = ParseAwsError(Protocol::kRestJson,
                                 Response(503, R"({"__type":"aws#ServiceUnavailableException"})"));
  EXPECT_EQ(body_type.code, "ServiceUnavailableException");
}

TEST(SanitizeErrorCode, StripsNamespacesAndSuffixes) {
  EXPECT_EQ(json::SanitizeErrorCode("com.amazon.coral#Foo"), "Foo");
  EXPECT_EQ(json::SanitizeErrorCode("Foo:http://x#y"), "Foo");
  EXPECT_EQ(json::SanitizeErrorCode(" Foo "), "Foo");
}

TEST(MapAwsErrorCode, Table) {
  struct Case {
    const char* code;
    int status;
    ErrorCode expected;
  };
  for (const Case& c : std::vector<Case>{
           {"AccessDenied", 403, ErrorCode::kAccessDenied},
           {"AccessDeniedException", 400, ErrorCode::kAccessDenied},
           {"NoSuchEntity", 404, ErrorCode::kNotFound},
           {"RepositoryNotFoundException", 400, ErrorCode::kNotFound},
           {"ResourceNotFoundException", 404, ErrorCode::kNotFound},
           {"EntityAlreadyExists", 409, ErrorCode::kAlreadyExists},
           {"RepositoryAlreadyExistsException", 400, ErrorCode::kAlreadyExists},
           {"ExpiredToken", 400, ErrorCode::kExpiredToken},
           {"ExpiredTokenException", 400, ErrorCode::kExpiredToken},
           {"InvalidClientTokenId", 403, ErrorCode::kInvalidClientTokenId},
           {"UnrecognizedClientException", 400, ErrorCode::kInvalidClientTokenId},
           {"SignatureDoesNotMatch", 403, ErrorCode::kSignatureDoesNotMatch},
           {"InvalidSignatureException", 400, ErrorCode::kSignatureDoesNotMatch},
           {"MalformedPolicyDocument", 400, ErrorCode::kMalformedPolicyDocument},
           {"LimitExceeded", 409, ErrorCode::kLimitExceeded},
           {"ValidationError", 400, ErrorCode::kValidationError},
           {"MissingAuthenticationToken", 403, ErrorCode::kMissingAuthenticationToken},
           {"SomethingNew", 400, ErrorCode::kInvalidArgument},
           {"SomethingNew", 403, ErrorCode::kAccessDenied},
           {"ServiceFailure", 500, ErrorCode::kInternal},
           {"Throttling", 400, ErrorCode::kInvalidArgument},
           {"TooManyRequestsException", 429, ErrorCode::kInternal},
       }) {
    EXPECT_EQ(MapAwsErrorCode(c.code, c.status), c.expected) << c.code << " " << c.status;
  }
}

TEST(AwsErrorStatus, MessageCarriesCodeMessageAndRequestId) {
  auto s = AwsErrorStatus("iam:GetRole",
                          {"NoSuchEntity", "The role with name x cannot be found.", "r-1", 404});
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.message(),
            "iam:GetRole: NoSuchEntity: The role with name x cannot be found. (HTTP 404, request "
            "id r-1)");
  auto bare = AwsErrorStatus("ecr:X", {"Http503", "", "", 503});
  EXPECT_EQ(bare.message(), "ecr:X: Http503 (HTTP 503)");
}

TEST(Outcome, ValueFailureAndMacros) {
  Outcome<int> good(7);
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  EXPECT_FALSE(good.aws_error());
  EXPECT_EQ(good.aws_code(), "");

  Outcome<int> plain(core::Status(ErrorCode::kInternal, "boom"));
  EXPECT_FALSE(plain.ok());
  EXPECT_FALSE(plain.aws_error());

  AwsErrorInfo info{"AccessDenied", "no", "r", 403};
  Outcome<int> aws(AwsErrorStatus("sts:X", info), info);
  Outcome<std::string> converted = Outcome<std::string>::FailureOf(aws);
  EXPECT_EQ(converted.status(), aws.status());
  EXPECT_EQ(*converted.aws_error(), info);

  auto use = [&](const Outcome<int>& o) -> core::Result<int> {
    CPA_ASSIGN_OR_RETURN(int v, Outcome<int>(o));
    return v + 1;
  };
  EXPECT_EQ(*use(good), 8);
  EXPECT_EQ(use(aws).status().code(), ErrorCode::kAccessDenied);
  Outcome<std::string> text(std::string("v"));
  EXPECT_EQ(std::move(text).ToResult().value(), "v");
}

}  // namespace
}  // namespace cpa::awsapi
