#pragma once
// STS over awsQuery: GetCallerIdentity (always allowed) and AssumeRole (the role's trust policy
// evaluated in the role's own account, plus the caller's identity policies; session duration,
// name, ExternalId and session-policy rules as AWS applies them).
//
// Thread safety: Call may run on many threads at once.
#include "server/api/query_service.h"
#include "server/store/store.h"

namespace cpa::server::api {

class StsService final : public QueryService {
 public:
  explicit StsService(store::Store& store) : store_(store) {}
  std::string_view signing_name() const override { return "sts"; }
  std::string_view api_version() const override { return "2011-06-15"; }
  std::string_view xml_namespace() const override { return kStsNamespace; }
  bool HasOperation(std::string_view action) const override;
  core::Result<QueryOutput> Call(std::string_view action, RequestContext& context) override;

 private:
  core::Result<QueryOutput> GetCallerIdentity(RequestContext& ctx);
  core::Result<QueryOutput> AssumeRole(RequestContext& ctx);
  store::Store& store_;
};

// [\w+=,.@-]* (the RoleSessionName alphabet).
bool IsSessionNameText(std::string_view text);

}  // namespace cpa::server::api
