#pragma once
// The ECR API (awsJson1_1, X-Amz-Target `AmazonEC2ContainerRegistry_V20150921.<Operation>`,
// signing name `ecr`) over the registries of server/registry/registry.h.
//
// Every operation validates its input (InvalidParameterException with ECR's "Invalid parameter
// at '<member>' failed to satisfy constraint: '...'" messages; SerializationException for members
// of the wrong JSON type), then authorizes `ecr:<Operation>` on the repository ARN
// `arn:aws:ecr:<region>:<registryId>:repository/<name>` with the repository's effective policy
// (its own plus the subscription grant of the packages accounts) as the resource policy, so that
// `registryId` of another account reaches that account's repositories exactly when its policy and
// the caller's identity policies allow. GetAuthorizationToken, DescribeRegistry and
// DescribePullThroughCacheRules authorize on `*`. The region is the request's signing region.
//
// Wiring (`cpa serve`):
//   auto registry = registry::Registry::Open({.store = &store, .registry_domain = domain,
//                                             .subscribers = lookup});
//   registry::TokenCodec tokens(store.DeriveKey("ecr-token"));
//   api.AddSignedService(MakeEcrService(**registry, tokens, {.registry_port = listen_port}));
//
// Thread safety: Handle may run on many threads at once.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "server/api/signed_service.h"
#include "server/registry/auth_token.h"
#include "server/registry/registry.h"

namespace cpa::server::api {

inline constexpr std::string_view kEcrTargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

struct EcrServiceOptions {
  // How clients reach the `/v2` registry: proxyEndpoint (GetAuthorizationToken), repositoryUri
  // and downloadUrl are built as <scheme>://<account>.dkr.ecr.<region>.<registry domain>[:<port>]
  // (the port only when it is not the scheme's default, 443 or 80; repositoryUri has no scheme).
  std::string registry_scheme = "https";
  uint16_t registry_port = 443;
  // Authorization tokens live this long, and never past the caller's session.
  std::chrono::seconds token_lifetime = std::chrono::hours(12);
  // InitiateLayerUpload's partSize (a hint; parts of any size are accepted).
  uint64_t part_size = 10 * 1024 * 1024;
  core::Random* random = nullptr;  // token nonces; nullptr: core::DefaultRandom()
};

class EcrService final : public SignedService {
 public:
  EcrService(registry::Registry& registry, const registry::TokenCodec& tokens,
             EcrServiceOptions options = {});
  ~EcrService() override;

  std::string_view signing_name() const override { return "ecr"; }
  std::string OperationOf(const http::Request& request) const override;
  http::Response Handle(const http::Request& request, RequestContext& context) override;
  http::Response ErrorResponse(std::string_view operation, std::string_view code, int http_status,
                               std::string_view message,
                               const std::string& request_id) const override;

  // <scheme>://<account>.dkr.ecr.<region>.<domain>[:<port>]
  std::string RegistryUrl(std::string_view account_id, std::string_view region) const;
  // <account>.dkr.ecr.<region>.<domain>[:<port>]/<name>
  std::string RepositoryUri(const registry::RepositoryId& id) const;

  // The operations served, sorted.
  static const std::vector<std::string_view>& Operations();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

inline std::unique_ptr<SignedService> MakeEcrService(registry::Registry& registry,
                                                     const registry::TokenCodec& tokens,
                                                     EcrServiceOptions options = {}) {
  return std::make_unique<EcrService>(registry, tokens, std::move(options));
}

}  // namespace cpa::server::api
