#include "awsapi/ecr.h"

#include "awsapi/json_codec.h"
#include "core/encoding.h"

namespace cpa::awsapi {
namespace {

using json::JsonReader;
using Json = nlohmann::json;

constexpr std::string_view kTargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

OperationRequest MakeRequest(std::string_view operation, const Json& body) {
  OperationRequest request;
  request.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  request.headers.emplace_back("X-Amz-Target", std::string(kTargetPrefix) + std::string(operation));
  request.body = json::Dump(body);
  return request;
}

void SetIfNotEmpty(Json& body, const char* key, const std::string& value) {
  if (!value.empty()) body[key] = value;
}

Json ImageIdsToJson(const std::vector<ImageIdentifier>& ids) {
  Json out = Json::array();
  for (const auto& id : ids) {
    Json item = Json::object();
    SetIfNotEmpty(item, "imageDigest", id.image_digest);
    SetIfNotEmpty(item, "imageTag", id.image_tag);
    out.push_back(std::move(item));
  }
  return out;
}

ImageIdentifier ReadImageId(const JsonReader& r) {
  return {r.Str("imageDigest"), r.Str("imageTag")};
}

}  // namespace

core::Result<RegistryLogin> DecodeAuthorizationToken(std::string_view token) {
  auto decoded = core::Base64Decode(core::TrimAsciiWhitespace(token));
  if (!decoded.ok()) {
    return core::Status(core::ErrorCode::kInvalidArgument,
                        "the ECR authorization token is not valid base64");
  }
  size_t colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) {
    return core::Status(core::ErrorCode::kInvalidArgument,
                        "the ECR authorization token is not of the form user:password");
  }
  return RegistryLogin{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

core::Result<EcrClient> EcrClient::Create(ClientConfig config) {
  CPA_ASSIGN_OR_RETURN(ServiceClient client,
                       ServiceClient::Create(Service::kEcr, std::move(config)));
  return EcrClient(std::move(client));
}

Outcome<GetAuthorizationTokenResponse> EcrClient::GetAuthorizationToken(
    const GetAuthorizationTokenRequest& request) const {
  Json body = Json::object();
  if (!request.registry_ids.empty()) body["registryIds"] = request.registry_ids;
  return json::Call<GetAuthorizationTokenResponse>(
      client_, "GetAuthorizationToken", MakeRequest("GetAuthorizationToken", body),
      [](const JsonReader& r, GetAuthorizationTokenResponse& out) {
        for (const JsonReader& d : r.List("authorizationData")) {
          out.authorization_data.push_back(
              {d.Str("authorizationToken"), d.Time("expiresAt"), d.Str("proxyEndpoint")});
        }
      });
}

Outcome<DescribeRepositoriesResponse> EcrClient::DescribeRepositories(
    const DescribeRepositoriesRequest& request) const {
  Json body = Json::object();
  SetIfNotEmpty(body, "registryId", request.registry_id);
  if (!request.repository_names.empty()) body["repositoryNames"] = request.repository_names;
  SetIfNotEmpty(body, "nextToken", request.next_token);
  if (request.max_results) body["maxResults"] = *request.max_results;
  return json::Call<DescribeRepositoriesResponse>(
      client_, "DescribeRepositories", MakeRequest("DescribeRepositories", body),
      [](const JsonReader& r, DescribeRepositoriesResponse& out) {
        for (const JsonReader& m : r.List("repositories")) {
          EcrRepository repo;
          repo.repository_arn = m.Str("repositoryArn");
          repo.registry_id = m.Str("registryId");
          repo.repository_name = m.Str("repositoryName");
          repo.repository_uri = m.Str("repositoryUri");
          repo.created_at = m.Time("createdAt");
          repo.image_tag_mutability = m.Str("imageTagMutability");
          repo.scan_on_push = m.Object("imageScanningConfiguration").Bool("scanOnPush");
          repo.encryption_type = m.Object("encryptionConfiguration").Str("encryptionType");
          repo.kms_key = m.Object("encryptionConfiguration").Str("kmsKey");
          out.repositories.push_back(std::move(repo));
        }
        out.next_token = r.Str("nextToken");
      });
}

Outcome<DescribeImagesResponse> EcrClient::DescribeImages(
    const DescribeImagesRequest& request) const {
  Json body = Json::object();
  SetIfNotEmpty(body, "registryId", request.registry_id);
  body["repositoryName"] = request.repository_name;
  if (!request.image_ids.empty()) body["imageIds"] = ImageIdsToJson(request.image_ids);
  SetIfNotEmpty(body, "nextToken", request.next_token);
  if (request.max_results) body["maxResults"] = *request.max_results;
  if (!request.tag_status.empty()) body["filter"] = {{"tagStatus", request.tag_status}};
  return json::Call<DescribeImagesResponse>(
      client_, "DescribeImages", MakeRequest("DescribeImages", body),
      [](const JsonReader& r, DescribeImagesResponse& out) {
        for (const JsonReader& m : r.List("imageDetails")) {
          ImageDetail d;
          d.registry_id = m.Str("registryId");
          d.repository_name = m.Str("repositoryName");
          d.image_digest = m.Str("imageDigest");
          d.image_tags = m.StrList("imageTags");
          d.image_size_in_bytes = m.Int("imageSizeInBytes");
          d.image_pushed_at = m.Time("imagePushedAt");
          d.image_manifest_media_type = m.Str("imageManifestMediaType");
          d.artifact_media_type = m.Str("artifactMediaType");
          d.last_recorded_pull_time = m.Time("lastRecordedPullTime");
          out.image_details.push_back(std::move(d));
        }
        out.next_token = r.Str("nextToken");
      });
}

Outcome<BatchGetImageResponse> EcrClient::BatchGetImage(const BatchGetImageRequest& request) const {
  Json body = Json::object();
  SetIfNotEmpty(body, "registryId", request.registry_id);
  body["repositoryName"] = request.repository_name;
  body["imageIds"] = ImageIdsToJson(request.image_ids);
  if (!request.accepted_media_types.empty()) {
    body["acceptedMediaTypes"] = request.accepted_media_types;
  }
  return json::Call<BatchGetImageResponse>(
      client_, "BatchGetImage", MakeRequest("BatchGetImage", body),
      [](const JsonReader& r, BatchGetImageResponse& out) {
        for (const JsonReader& m : r.List("images")) {
          out.images.push_back({m.Str("registryId"), m.Str("repositoryName"),
                                ReadImageId(m.Object("imageId")), m.Str("imageManifest"),
                                m.Str("imageManifestMediaType")});
        }
        for (const JsonReader& m : r.List("failures")) {
          out.failures.push_back(
              {ReadImageId(m.Object("imageId")), m.Str("failureCode"), m.Str("failureReason")});
        }
      });
}

Outcome<GetDownloadUrlForLayerResponse> EcrClient::GetDownloadUrlForLayer(
    const GetDownloadUrlForLayerRequest& request) const {
  Json body = Json::object();
  SetIfNotEmpty(body, "registryId", request.registry_id);
  body["repositoryName"] = request.repository_name;
  body["layerDigest"] = request.layer_digest;
  return json::Call<GetDownloadUrlForLayerResponse>(
      client_, "GetDownloadUrlForLayer", MakeRequest("GetDownloadUrlForLayer", body),
      [](const JsonReader& r, GetDownloadUrlForLayerResponse& out) {
        out.download_url = r.Str("downloadUrl");
        out.layer_digest = r.Str("layerDigest");
      });
}

}  // namespace cpa::awsapi
