// ECR (awsJson1_1) through a scripted transport.
#include "awsapi/ecr.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "test_util.h"

namespace cpa::awsapi {
namespace {

using testing::HeaderOf;
using testing::TestEnv;
using Json = nlohmann::json;

class EcrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = EcrClient::Create(env_.Config());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    ecr_.emplace(std::move(client).value());
  }
  // Checks the JSON 1.1 envelope of the last request and returns its body.
  Json Sent(const std::string& op) {
    const HttpRequest& r = env_.transport->last();
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "https://api.ecr.us-west-2.amazonaws.com/");
    EXPECT_EQ(HeaderOf(r, "X-Amz-Target"), "AmazonEC2ContainerRegistry_V20150921." + op);
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.1");
    auto auth = HeaderOf(r, "Authorization");
    EXPECT_NE(auth->find("/us-west-2/ecr/aws4_request"), std::string::npos);
    EXPECT_NE(auth->find("x-amz-target"), std::string::npos);
    EXPECT_TRUE(testing::VerifySignature(r, env_.clock).ok());
    return Json::parse(r.body);
  }
  HttpHeaders Headers() { return {{"x-amzn-RequestId", "ecr-req-1"}}; }

  TestEnv env_;
  std::optional<EcrClient> ecr_;
};

TEST_F(EcrTest, GetAuthorizationToken) {
  std::string token = core::Base64Encode("AWS:eyJwYXlsb2FkIjoi");
  env_.transport->Push(
      200,
      R"({"authorizationData":[{"authorizationToken":")" + token +
          R"(","expiresAt":1.7385984915E9,"proxyEndpoint":"https://123456789012.dkr.ecr.us-west-2.amazonaws.com"}]})",
      Headers());
  auto out = ecr_->GetAuthorizationToken();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(env_.transport->last().body, "{}");
  Sent("GetAuthorizationToken");
  ASSERT_EQ(out->authorization_data.size(), 1u);
  const AuthorizationData& d = out->authorization_data[0];
  EXPECT_EQ(d.authorization_token, token);
  EXPECT_EQ(d.expires_at->time_since_epoch().count(), 1738598491);
  EXPECT_EQ(d.proxy_endpoint, "https://123456789012.dkr.ecr.us-west-2.amazonaws.com");
  EXPECT_EQ(out->request_id, "ecr-req-1");
  auto login = DecodeAuthorizationToken(d.authorization_token);
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->username, "AWS");
  EXPECT_EQ(login->password, "eyJwYXlsb2FkIjoi");

  env_.transport->Push(200, R"({"authorizationData":[]})");
  GetAuthorizationTokenRequest req;
  req.registry_ids = {"783794618700"};
  ASSERT_TRUE(ecr_->GetAuthorizationToken(req).ok());
  EXPECT_EQ(Sent("GetAuthorizationToken"), Json::parse(R"({"registryIds":["783794618700"]})"));
}

TEST_F(EcrTest, DecodeAuthorizationTokenRejectsJunkWithoutEchoingIt) {
  auto bad = DecodeAuthorizationToken("c2VjcmV0LXRva2Vu");  // "secret-token": no colon
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("secret"), std::string::npos);
  EXPECT_FALSE(DecodeAuthorizationToken("!!!").ok());
}

TEST_F(EcrTest, DescribeRepositories) {
  env_.transport->Push(
      200,
      R"({"repositories":[{"repositoryArn":"arn:aws:ecr:us-east-1:123456789012:repository/app","registryId":"123456789012","repositoryName":"app",
   "repositoryUri":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app","createdAt":1.7145648E9,"imageTagMutability":"MUTABLE",
   "imageScanningConfiguration":{"scanOnPush":false},"encryptionConfiguration":{"encryptionType":"AES256"}}],"nextToken":"n2"})",
      Headers());
  DescribeRepositoriesRequest req;
  req.registry_id = "123456789012";
  req.repository_names = {"app"};
  req.max_results = 5;
  req.next_token = "n1";
  auto out = ecr_->DescribeRepositories(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(
      Sent("DescribeRepositories"),
      Json::parse(
          R"({"registryId":"123456789012","repositoryNames":["app"],"maxResults":5,"nextToken":"n1"})"));
  ASSERT_EQ(out->repositories.size(), 1u);
  const EcrRepository& r = out->repositories[0];
  EXPECT_EQ(r.repository_arn, "arn:aws:ecr:us-east-1:123456789012:repository/app");
  EXPECT_EQ(r.registry_id, "123456789012");
  EXPECT_EQ(r.repository_name, "app");
  EXPECT_EQ(r.repository_uri, "123456789012.dkr.ecr.us-east-1.amazonaws.com/app");
  EXPECT_EQ(r.created_at->time_since_epoch().count(), 1714564800);
  EXPECT_EQ(r.image_tag_mutability, "MUTABLE");
  EXPECT_EQ(r.scan_on_push, false);
  EXPECT_EQ(r.encryption_type, "AES256");
  EXPECT_EQ(out->next_token, "n2");
}

TEST_F(EcrTest, DescribeImages) {
  env_.transport->Push(
      200,
      R"({"imageDetails":[{"registryId":"783794618700","repositoryName":"eks-anywhere-packages",
    "imageDigest":"sha256:abc","imageTags":["v0.4.2","latest"],"imageSizeInBytes":31457280,"imagePushedAt":1700000000.5,
    "imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json","artifactMediaType":"application/vnd.oci.image.config.v1+json"}]})");
  DescribeImagesRequest req;
  req.repository_name = "eks-anywhere-packages";
  req.registry_id = "783794618700";
  req.image_ids = {{"", "v0.4.2"}, {"sha256:abc", ""}};
  req.tag_status = "TAGGED";
  auto out = ecr_->DescribeImages(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Sent("DescribeImages"),
            Json::parse(R"({"registryId":"783794618700","repositoryName":"eks-anywhere-packages",
    "imageIds":[{"imageTag":"v0.4.2"},{"imageDigest":"sha256:abc"}],"filter":{"tagStatus":"TAGGED"}})"));
  ASSERT_EQ(out->image_details.size(), 1u);
  const ImageDetail& d = out->image_details[0];
  EXPECT_EQ(d.image_digest, "sha256:abc");
  EXPECT_EQ(d.image_tags, (std::vector<std::string>{"v0.4.2", "latest"}));
  EXPECT_EQ(d.image_size_in_bytes, 31457280);
  EXPECT_EQ(d.image_pushed_at->time_since_epoch().count(), 1700000000);
  EXPECT_EQ(d.image_manifest_media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(d.artifact_media_type, "application/vnd.oci.image.config.v1+json");
  EXPECT_FALSE(d.last_recorded_pull_time);
}

TEST_F(EcrTest, BatchGetImage) {
  env_.transport->Push(
      200,
      R"({"images":[{"registryId":"123456789012","repositoryName":"app","imageId":{"imageDigest":"sha256:d1","imageTag":"latest"},
    "imageManifest":"{\"schemaVersion\":2}","imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json"}],
   "failures":[{"imageId":{"imageTag":"nope"},"failureCode":"ImageNotFound","failureReason":"Requested image not found"}]})");
  BatchGetImageRequest req;
  req.repository_name = "app";
  req.image_ids = {{"", "latest"}, {"", "nope"}};
  req.accepted_media_types = {"application/vnd.oci.image.manifest.v1+json"};
  auto out = ecr_->BatchGetImage(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(
      Sent("BatchGetImage"),
      Json::parse(R"({"repositoryName":"app","imageIds":[{"imageTag":"latest"},{"imageTag":"nope"}],
    "acceptedMediaTypes":["application/vnd.oci.image.manifest.v1+json"]})"));
  ASSERT_EQ(out->images.size(), 1u);
  EXPECT_EQ(out->images[0].image_id, (ImageIdentifier{"sha256:d1", "latest"}));
  EXPECT_EQ(out->images[0].image_manifest, R"({"schemaVersion":2})");
  EXPECT_EQ(out->images[0].registry_id, "123456789012");
  ASSERT_EQ(out->failures.size(), 1u);
  EXPECT_EQ(out->failures[0].image_id.image_tag, "nope");
  EXPECT_EQ(out->failures[0].failure_code, "ImageNotFound");
  EXPECT_EQ(out->failures[0].failure_reason, "Requested image not found");
}

TEST_F(EcrTest, GetDownloadUrlForLayer) {
  env_.transport->Push(
      200,
      R"({"downloadUrl":"https://prod-us-west-2-starport-layer-bucket.s3.amazonaws.com/x?X-Amz-Signature=1","layerDigest":"sha256:l1"})");
  GetDownloadUrlForLayerRequest req;
  req.repository_name = "app";
  req.layer_digest = "sha256:l1";
  auto out = ecr_->GetDownloadUrlForLayer(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Sent("GetDownloadUrlForLayer"),
            Json::parse(R"({"repositoryName":"app","layerDigest":"sha256:l1"})"));
  EXPECT_EQ(out->layer_digest, "sha256:l1");
  EXPECT_EQ(out->download_url.rfind("https://prod-us-west-2", 0), 0u);
}

TEST_F(EcrTest, JsonErrors) {
  env_.transport->Push(
      400,
      R"({"__type":"RepositoryNotFoundException","message":"The repository with name 'missing' does not exist in the registry with id '123456789012'"})",
      {{"x-amzn-RequestId", "e-1"}, {"x-amzn-ErrorType", "RepositoryNotFoundException"}});
  env_.transport->Push(
      400,
      R"({"__type":"com.amazonaws.ecr#AccessDeniedException","Message":"User: x is not authorized"})");
  env_.transport->Push(
      400,
      R"({"__type":"UnrecognizedClientException:http://internal","message":"The security token included in the request is invalid."})");
  DescribeRepositoriesRequest req;
  auto a = ecr_->DescribeRepositories(req);
  EXPECT_EQ(a.status().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(*a.aws_error(), (AwsErrorInfo{"RepositoryNotFoundException",
                                          "The repository with name 'missing' does not exist in "
                                          "the registry with id '123456789012'",
                                          "e-1", 400}));
  auto b = ecr_->DescribeRepositories(req);
  EXPECT_EQ(b.status().code(), core::ErrorCode::kAccessDenied);
  EXPECT_EQ(b.aws_code(), "AccessDeniedException");
  EXPECT_EQ(b.aws_error()->message, "User: x is not authorized");
  auto c = ecr_->DescribeRepositories(req);
  EXPECT_EQ(c.status().code(), core::ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(c.aws_code(), "UnrecognizedClientException");
}

TEST_F(EcrTest, WrongTypesAreMalformedResponses) {
  env_.transport->Push(200, R"({"authorizationData":[{"authorizationToken":5}]})");
  env_.transport->Push(200, R"([1,2])");
  auto a = ecr_->GetAuthorizationToken();
  EXPECT_EQ(a.status().code(), core::ErrorCode::kInternal);
  EXPECT_NE(a.status().message().find("authorizationToken"), std::string::npos);
  auto b = ecr_->GetAuthorizationToken();
  EXPECT_NE(b.status().message().find("not a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace cpa::awsapi
