#pragma once
// The request pipeline of `cpa serve` for the AWS APIs:
//
//   1. decode the awsQuery parameters (form body and/or query string);
//   2. verify SigV4 against the store's credentials (long-term keys, sessions and their tokens);
//   3. route by the credential scope's service: `iam`, `sts` by the `Action` parameter (unknown →
//      InvalidAction); JSON services (`ecr`, `eks`: SignedService) by their own operation rules
//      (unknown → UnknownOperationException);
//   4. resolve the caller (root, user, assumed-role session);
//   5. run the operation, which authorizes itself with the real resource ARN
//      (RequestContext::Authorize);
//   6. answer with AWS's XML (success envelope or ErrorResponse) or the JSON service's response,
//      `x-amzn-RequestId`, and the metrics labels service/operation/outcome.
//
// Thread safety: Handle may be called concurrently from the server's workers.
#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "server/api/audit.h"
#include "server/api/authorizer.h"
#include "server/api/query_service.h"
#include "server/api/signed_service.h"
#include "server/http/message.h"
#include "server/http/server.h"
#include "server/store/store.h"
#include "sigv4/verifier.h"

namespace cpa::server::api {

struct ApiOptions {
  AuditLog* audit = nullptr;               // optional
  http::ServerMetrics* metrics = nullptr;  // optional (decision counters)
};

class ApiHandler {
 public:
  // `clock` must be the store's clock (session expiry and SigV4 skew use the same time).
  ApiHandler(store::Store& store, const core::Clock& clock, ApiOptions options = {});
  ~ApiHandler();
  ApiHandler(const ApiHandler&) = delete;
  ApiHandler& operator=(const ApiHandler&) = delete;

  // Registers a query-protocol service (before serving). IAM and STS are registered by the
  // constructor.
  void AddQueryService(std::unique_ptr<QueryService> service);
  // Registers a JSON-protocol service (ECR, EKS), routed by its signing name (before serving).
  void AddSignedService(std::unique_ptr<SignedService> service);

  http::Response Handle(http::Request&& request);

  Authorizer& authorizer() { return authorizer_; }

 private:
  http::Response Error(const QueryService* service, std::string_view operation,
                       const std::string& request_id, std::string_view code, int status,
                       std::string_view message);
  store::Store& store_;
  const core::Clock& clock_;
  ApiOptions options_;
  Authorizer authorizer_;
  std::unique_ptr<sigv4::Verifier> verifier_;
  std::map<std::string, std::unique_ptr<QueryService>, std::less<>> query_services_;
  std::map<std::string, std::unique_ptr<SignedService>, std::less<>> signed_services_;
};

}  // namespace cpa::server::api
