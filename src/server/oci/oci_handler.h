#pragma once
// The OCI Distribution `/v2` endpoint of `cpa serve`: ECR's registry endpoint, one per
// <account>.dkr.ecr.<region>.<domain> host (core/registry_host.h), all on one listener.
//
//   oci::OciHandler registry_endpoint({.registry = registry.get(), .store = store.get(),
//                                      .tokens = &codec, .authorizer = &api.authorizer(),
//                                      .clock = &clock, .audit = audit, .metrics = &metrics});
//   server.AddRoute(std::string(oci::kRoutePrefix),
//                   [&](http::Request&& r) { return registry_endpoint.Handle(std::move(r)); },
//                   oci::RouteOptionsFor(spool_dir));
//
// Every request is authenticated with ECR's Basic credentials (`AWS:<password>` from
// GetAuthorizationToken, verified by registry::TokenCodec; the caller is the key that obtained
// it, looked up again so that a deleted key or an expired session stops working) and authorized
// as its ECR action on arn:aws:ecr:<region>:<account>:repository/<name> with the repository's
// effective policy (RequestContext::Authorize: audit log, decision metrics, AWS's AccessDenied
// message). The endpoints, status codes and headers follow the OCI Distribution Specification;
// where ECR differs or the specification leaves a choice, see server/oci/README.md.
//
// Thread safety: Handle may be called from many server workers at once.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto.h"
#include "server/api/audit.h"
#include "server/api/authorizer.h"
#include "server/http/message.h"
#include "server/http/router.h"
#include "server/http/server.h"
#include "server/registry/auth_token.h"
#include "server/registry/registry.h"
#include "server/store/store.h"

namespace cpa::server::oci {

inline constexpr std::string_view kRoutePrefix = "/v2/";

struct OciHandlerOptions {
  registry::Registry* registry = nullptr;        // required
  store::Store* store = nullptr;                 // required: credentials of token holders
  const registry::TokenCodec* tokens = nullptr;  // required
  api::Authorizer* authorizer = nullptr;         // required (share the API pipeline's cache)
  const core::Clock* clock = nullptr;            // required: the store's clock
  api::AuditLog* audit = nullptr;                // optional
  http::ServerMetrics* metrics = nullptr;        // optional (decision counters)
  core::Random* random = nullptr;  // request ids (thread-safe); nullptr: core::DefaultRandom()
  // Requests whose Host is not a private ECR registry host. Empty: 404 NAME_UNKNOWN naming the
  // expected host form.
  http::Handler not_registry;
  // Manifests larger than this are refused with 413 (ECR's limit is 4 MiB).
  size_t max_manifest_bytes = 4 * 1024 * 1024;
};

// Route options for `/v2/`: layer-sized bodies (up to `max_body_bytes`) spooled to `spool_dir`,
// which should be on the filesystem of the registry's data directory so that an uploaded chunk
// is renamed into its upload rather than copied.
http::RouteOptions RouteOptionsFor(std::string spool_dir,
                                   uint64_t max_body_bytes = uint64_t{10} << 30);

class OciHandler {
 public:
  explicit OciHandler(OciHandlerOptions options);
  OciHandler(const OciHandler&) = delete;
  OciHandler& operator=(const OciHandler&) = delete;

  // Answers one `/v2/...` request. Never throws. Every response carries
  // Docker-Distribution-Api-Version: registry/2.0 and the accounting labels service "registry",
  // operation (GetManifest, PutManifest, GetBlob, StartUpload, ... see README.md) and outcome.
  http::Response Handle(http::Request&& request);

 private:
  struct Call;
  http::Response Dispatch(http::Request& request, Call& call);
  http::Response Base(Call& call);
  http::Response Catalog(Call& call);
  http::Response Tags(Call& call);
  http::Response GetManifest(Call& call, bool head);
  http::Response PutManifest(Call& call);
  http::Response DeleteManifest(Call& call);
  http::Response GetBlob(Call& call, bool head);
  http::Response StartUpload(Call& call);
  http::Response PatchUpload(Call& call);
  http::Response CompleteUpload(Call& call);
  http::Response UploadStatus(Call& call);
  http::Response CancelUpload(Call& call);

  OciHandlerOptions options_;
};

}  // namespace cpa::server::oci
