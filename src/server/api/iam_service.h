#pragma once
// IAM over awsQuery: managed policies and versions, roles, users, attachments, inline policies,
// access keys, and the policy simulator, with AWS's XML shapes (documents URL-encoded, dates
// ISO 8601), Marker/MaxItems pagination and the store's entity rules. Every operation
// authorizes its real resource ARN (user, role or policy ARN; `*` only for resource-less
// actions) before touching the store.
//
// Thread safety: Call may run on many threads at once.
#include <map>
#include <string>
#include <string_view>

#include "server/api/authorizer.h"
#include "server/api/query_service.h"
#include "server/store/store.h"

namespace cpa::server::api {

class IamService final : public QueryService {
 public:
  IamService(store::Store& store, Authorizer& authorizer);
  std::string_view signing_name() const override { return "iam"; }
  std::string_view api_version() const override { return "2010-05-08"; }
  std::string_view xml_namespace() const override { return kIamNamespace; }
  bool HasOperation(std::string_view action) const override;
  core::Result<QueryOutput> Call(std::string_view action, RequestContext& context) override;

  using Operation = core::Result<QueryOutput> (IamService::*)(RequestContext&);

 private:
  // Policies.
  core::Result<QueryOutput> CreatePolicy(RequestContext& ctx);
  core::Result<QueryOutput> GetPolicy(RequestContext& ctx);
  core::Result<QueryOutput> GetPolicyVersion(RequestContext& ctx);
  core::Result<QueryOutput> CreatePolicyVersion(RequestContext& ctx);
  core::Result<QueryOutput> ListPolicyVersions(RequestContext& ctx);
  core::Result<QueryOutput> DeletePolicyVersion(RequestContext& ctx);
  core::Result<QueryOutput> SetDefaultPolicyVersion(RequestContext& ctx);
  core::Result<QueryOutput> ListPolicies(RequestContext& ctx);
  core::Result<QueryOutput> DeletePolicy(RequestContext& ctx);
  // Roles.
  core::Result<QueryOutput> CreateRole(RequestContext& ctx);
  core::Result<QueryOutput> GetRole(RequestContext& ctx);
  core::Result<QueryOutput> ListRoles(RequestContext& ctx);
  core::Result<QueryOutput> DeleteRole(RequestContext& ctx);
  core::Result<QueryOutput> UpdateAssumeRolePolicy(RequestContext& ctx);
  // Users.
  core::Result<QueryOutput> CreateUser(RequestContext& ctx);
  core::Result<QueryOutput> GetUser(RequestContext& ctx);
  core::Result<QueryOutput> ListUsers(RequestContext& ctx);
  core::Result<QueryOutput> DeleteUser(RequestContext& ctx);
  // Attachments and inline policies, for users and roles alike.
  core::Result<QueryOutput> AttachRolePolicy(RequestContext& ctx);
  core::Result<QueryOutput> DetachRolePolicy(RequestContext& ctx);
  core::Result<QueryOutput> ListAttachedRolePolicies(RequestContext& ctx);
  core::Result<QueryOutput> AttachUserPolicy(RequestContext& ctx);
  core::Result<QueryOutput> DetachUserPolicy(RequestContext& ctx);
  core::Result<QueryOutput> ListAttachedUserPolicies(RequestContext& ctx);
  core::Result<QueryOutput> PutRolePolicy(RequestContext& ctx);
  core::Result<QueryOutput> GetRolePolicy(RequestContext& ctx);
  core::Result<QueryOutput> DeleteRolePolicy(RequestContext& ctx);
  core::Result<QueryOutput> ListRolePolicies(RequestContext& ctx);
  core::Result<QueryOutput> PutUserPolicy(RequestContext& ctx);
  core::Result<QueryOutput> GetUserPolicy(RequestContext& ctx);
  core::Result<QueryOutput> DeleteUserPolicy(RequestContext& ctx);
  core::Result<QueryOutput> ListUserPolicies(RequestContext& ctx);
  // Access keys.
  core::Result<QueryOutput> CreateAccessKey(RequestContext& ctx);
  core::Result<QueryOutput> ListAccessKeys(RequestContext& ctx);
  core::Result<QueryOutput> UpdateAccessKey(RequestContext& ctx);
  core::Result<QueryOutput> DeleteAccessKey(RequestContext& ctx);
  // Simulation.
  core::Result<QueryOutput> SimulatePrincipalPolicy(RequestContext& ctx);
  core::Result<QueryOutput> SimulateCustomPolicy(RequestContext& ctx);

  // Shared implementations (type: user or role).
  core::Result<QueryOutput> Attach(RequestContext& ctx, store::PrincipalType type, bool attach);
  core::Result<QueryOutput> ListAttached(RequestContext& ctx, store::PrincipalType type);
  core::Result<QueryOutput> PutInline(RequestContext& ctx, store::PrincipalType type);
  core::Result<QueryOutput> GetInline(RequestContext& ctx, store::PrincipalType type);
  core::Result<QueryOutput> DeleteInline(RequestContext& ctx, store::PrincipalType type);
  core::Result<QueryOutput> ListInline(RequestContext& ctx, store::PrincipalType type);
  // The ARN of a user or role of the caller's account (the stored one, with its path, when it
  // exists; otherwise with path "/"), for authorization.
  std::string PrincipalArn(const std::string& account, store::PrincipalType type,
                           const std::string& name);

  store::Store& store_;
  Authorizer& authorizer_;
  std::map<std::string, Operation, std::less<>> operations_;
};

}  // namespace cpa::server::api
