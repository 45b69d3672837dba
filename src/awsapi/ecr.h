#pragma once
// Amazon ECR control plane (awsJson1_1, target prefix AmazonEC2ContainerRegistry_V20150921).
//
// The endpoint is api.ecr.<region>.amazonaws.com, but requests are signed for the name "ecr".
// Timestamps arrive as epoch seconds and are truncated to whole seconds.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsapi/client.h"
#include "core/clock.h"

namespace cpa::awsapi {

// One registry login. The token is a secret: never log it.
struct AuthorizationData {
  std::string authorization_token;  // base64("AWS:" + password)
  std::optional<core::TimePoint> expires_at;
  std::string proxy_endpoint;  // https://<acct>.dkr.ecr.<region>.amazonaws.com
};

struct GetAuthorizationTokenRequest {
  std::vector<std::string> registry_ids;  // deprecated by AWS; usually empty
};
struct GetAuthorizationTokenResponse {
  std::vector<AuthorizationData> authorization_data;
  std::string request_id;
};

// The user name and password inside an authorization token.
struct RegistryLogin {
  std::string username;  // "AWS"
  std::string password;  // secret
};
// Fails with kInvalidArgument (the message never contains the token) when the token is not
// base64 of "user:password".
core::Result<RegistryLogin> DecodeAuthorizationToken(std::string_view token);

struct EcrRepository {
  std::string repository_arn;
  std::string registry_id;
  std::string repository_name;
  std::string repository_uri;
  std::optional<core::TimePoint> created_at;
  std::string image_tag_mutability;
  std::optional<bool> scan_on_push;
  std::string encryption_type;
  std::string kms_key;
};

struct DescribeRepositoriesRequest {
  std::string registry_id;
  std::vector<std::string> repository_names;
  std::string next_token;
  std::optional<int64_t> max_results;
};
struct DescribeRepositoriesResponse {
  std::vector<EcrRepository> repositories;
  std::string next_token;
  std::string request_id;
};

struct ImageIdentifier {
  std::string image_digest;
  std::string image_tag;
  friend bool operator==(const ImageIdentifier&, const ImageIdentifier&) = default;
};

struct ImageDetail {
  std::string registry_id;
  std::string repository_name;
  std::string image_digest;
  std::vector<std::string> image_tags;
  std::optional<int64_t> image_size_in_bytes;
  std::optional<core::TimePoint> image_pushed_at;
  std::string image_manifest_media_type;
  std::string artifact_media_type;
  std::optional<core::TimePoint> last_recorded_pull_time;
};

struct DescribeImagesRequest {
  std::string repository_name;
  std::string registry_id;
  std::vector<ImageIdentifier> image_ids;
  std::string next_token;
  std::optional<int64_t> max_results;
  std::string tag_status;  // filter: TAGGED | UNTAGGED | ANY
};
struct DescribeImagesResponse {
  std::vector<ImageDetail> image_details;
  std::string next_token;
  std::string request_id;
};

struct EcrImage {
  std::string registry_id;
  std::string repository_name;
  ImageIdentifier image_id;
  std::string image_manifest;  // the raw manifest text
  std::string image_manifest_media_type;
};

struct ImageFailure {
  ImageIdentifier image_id;
  std::string failure_code;  // ImageNotFound, InvalidImageTag, ...
  std::string failure_reason;
};

struct BatchGetImageRequest {
  std::string repository_name;
  std::string registry_id;
  std::vector<ImageIdentifier> image_ids;
  std::vector<std::string> accepted_media_types;
};
struct BatchGetImageResponse {
  std::vector<EcrImage> images;
  std::vector<ImageFailure> failures;
  std::string request_id;
};

struct GetDownloadUrlForLayerRequest {
  std::string repository_name;
  std::string registry_id;
  std::string layer_digest;
};
struct GetDownloadUrlForLayerResponse {
  std::string download_url;
  std::string layer_digest;
  std::string request_id;
};

class EcrClient {
 public:
  static core::Result<EcrClient> Create(ClientConfig config);

  Outcome<GetAuthorizationTokenResponse> GetAuthorizationToken(
      const GetAuthorizationTokenRequest& request = {}) const;
  Outcome<DescribeRepositoriesResponse> DescribeRepositories(
      const DescribeRepositoriesRequest& request) const;
  Outcome<DescribeImagesResponse> DescribeImages(const DescribeImagesRequest& request) const;
  Outcome<BatchGetImageResponse> BatchGetImage(const BatchGetImageRequest& request) const;
  Outcome<GetDownloadUrlForLayerResponse> GetDownloadUrlForLayer(
      const GetDownloadUrlForLayerRequest& request) const;

  const ServiceClient& service_client() const { return client_; }

 private:
  explicit EcrClient(ServiceClient client) : client_(std::move(client)) {}
  ServiceClient client_;
};

}  // namespace cpa::awsapi
