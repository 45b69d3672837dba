// core::Status → OCI error codes, HTTP statuses and bodies; ECR's challenge.
#include "server/oci/oci_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace cpa::server::oci {
namespace {

using core::ErrorCode;

struct Case {
  ErrorCode code;
  OciContext context;
  int status;
  const char* oci_code;
};

TEST(OciError, Mapping) {
  const Case cases[] = {
      {ErrorCode::kAccessDenied, OciContext::kManifest, 403, "DENIED"},
      {ErrorCode::kExpiredToken, OciContext::kGeneric, 403, "DENIED"},
      {ErrorCode::kMissingAuthenticationToken, OciContext::kGeneric, 401, "UNAUTHORIZED"},
      {ErrorCode::kInvalidClientTokenId, OciContext::kBlob, 401, "UNAUTHORIZED"},
      {ErrorCode::kRepositoryNotFound, OciContext::kManifest, 404, "NAME_UNKNOWN"},
      {ErrorCode::kRepositoryNotFound, OciContext::kUpload, 404, "NAME_UNKNOWN"},
      {ErrorCode::kImageNotFound, OciContext::kManifest, 404, "MANIFEST_UNKNOWN"},
      {ErrorCode::kImageNotFound, OciContext::kManifestPut, 400, "MANIFEST_BLOB_UNKNOWN"},
      {ErrorCode::kLayersNotFound, OciContext::kBlob, 404, "BLOB_UNKNOWN"},
      {ErrorCode::kLayersNotFound, OciContext::kManifestPut, 400, "MANIFEST_BLOB_UNKNOWN"},
      {ErrorCode::kUploadNotFound, OciContext::kUpload, 404, "BLOB_UPLOAD_UNKNOWN"},
      {ErrorCode::kDigestMismatch, OciContext::kUpload, 400, "DIGEST_INVALID"},
      {ErrorCode::kManifestInvalid, OciContext::kManifestPut, 400, "MANIFEST_INVALID"},
      {ErrorCode::kImageTagAlreadyExists, OciContext::kManifestPut, 400, "TAG_INVALID"},
      {ErrorCode::kInvalidLayerPart, OciContext::kUpload, 416, "BLOB_UPLOAD_INVALID"},
      {ErrorCode::kInvalidArgument, OciContext::kList, 400, "UNSUPPORTED"},
      {ErrorCode::kInvalidArgument, OciContext::kBlob, 400, "DIGEST_INVALID"},
      {ErrorCode::kInvalidArgument, OciContext::kManifestPut, 400, "MANIFEST_INVALID"},
      {ErrorCode::kInvalidArgument, OciContext::kUpload, 400, "BLOB_UPLOAD_INVALID"},
      {ErrorCode::kNotFound, OciContext::kManifest, 404, "MANIFEST_UNKNOWN"},
      {ErrorCode::kNotFound, OciContext::kBlob, 404, "BLOB_UNKNOWN"},
      {ErrorCode::kNotFound, OciContext::kUpload, 404, "BLOB_UPLOAD_UNKNOWN"},
      {ErrorCode::kNotFound, OciContext::kGeneric, 404, "NAME_UNKNOWN"},
      {ErrorCode::kLimitExceeded, OciContext::kManifestPut, 400, "UNSUPPORTED"},
      {ErrorCode::kInternal, OciContext::kGeneric, 500, "UNKNOWN"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(core::ErrorCodeName(c.code)) + " / " +
                 std::to_string(static_cast<int>(c.context)));
    OciError e = ToOciError(core::Status(c.code, "why"), c.context);
    EXPECT_EQ(e.http_status, c.status);
    EXPECT_EQ(e.code, c.oci_code);
  }
}

TEST(OciError, EveryCodeHasAnAnswer) {
  for (int i = 1; i <= static_cast<int>(core::kLastErrorCode); ++i) {
    OciError e = ToOciError(core::Status(static_cast<ErrorCode>(i), "m"));
    EXPECT_GE(e.http_status, 400);
    EXPECT_FALSE(e.code.empty());
    for (char ch : e.code) EXPECT_TRUE((ch >= 'A' && ch <= 'Z') || ch == '_') << e.code;
  }
}

TEST(OciError, MessagesKeptExceptExpiry) {
  EXPECT_EQ(ToOciError(core::Status(ErrorCode::kAccessDenied, "User: x is not authorized")).message,
            "User: x is not authorized");
  EXPECT_EQ(ToOciError(core::Status(ErrorCode::kExpiredToken, "")).message,
            "Your authorization token has expired. Reauthenticate and try again.");
}

TEST(OciError, BodyAndHeaders) {
  OciError e{404, "NAME_UNKNOWN", "The repository with name 'x' does not exist", ""};
  nlohmann::json body = nlohmann::json::parse(OciErrorBody(e));
  ASSERT_EQ(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["code"], "NAME_UNKNOWN");
  EXPECT_EQ(body["errors"][0]["message"], "The repository with name 'x' does not exist");
  EXPECT_FALSE(body["errors"][0].contains("detail"));

  e.detail = "d";
  body = nlohmann::json::parse(OciErrorBody(e));
  EXPECT_EQ(body["errors"][0]["detail"], "d");

  http::Response r = OciErrorResponse(e, "h");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("Docker-Distribution-Api-Version").value_or(""), "registry/2.0");
  EXPECT_EQ(r.Header("Content-Type").value_or(""), "application/json; charset=utf-8");
  EXPECT_FALSE(r.Header("Www-Authenticate"));
  EXPECT_EQ(r.outcome, "NAME_UNKNOWN");

  // Invalid UTF-8 in a message does not throw.
  e.message = std::string("bad \xff byte");
  EXPECT_NO_THROW(nlohmann::json::parse(OciErrorBody(e)));

  OciError u{401, "UNAUTHORIZED", "no", ""};
  r = OciErrorResponse(u, "111111111111.dkr.ecr.us-east-1.localhost:5000");
  EXPECT_EQ(r.Header("Www-Authenticate").value_or(""),
            "Basic realm=\"https://111111111111.dkr.ecr.us-east-1.localhost:5000/\","
            "service=\"ecr.amazonaws.com\"");
}

TEST(OciError, Challenge) {
  http::Response r = ChallengeResponse("000000000000.dkr.ecr.us-east-1.amazonaws.com");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "Not Authorized");
  EXPECT_EQ(r.Header("Content-Type").value_or(""), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Header("Docker-Distribution-Api-Version").value_or(""), "registry/2.0");
  EXPECT_EQ(r.Header("Www-Authenticate").value_or(""),
            "Basic realm=\"https://000000000000.dkr.ecr.us-east-1.amazonaws.com/\","
            "service=\"ecr.amazonaws.com\"");
}

}  // namespace
}  // namespace cpa::server::oci
