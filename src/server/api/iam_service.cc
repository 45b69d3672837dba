#include "server/api/iam_service.h"

#include "core/arn.h"
#include "core/encoding.h"
#include "policy/compiled.h"
#include "policy/document.h"
#include "policy/evaluator.h"
#include "server/store/pagination.h"

namespace cpa::server::api {

using core::ErrorCode;
using core::Result;
using core::Status;
using store::PrincipalRef;
using store::PrincipalType;

namespace {

std::string IamArn(std::string_view account, std::string_view type, std::string_view path,
                   std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":" + std::string(type) + std::string(path) +
         std::string(name);
}

std::string_view TypeWord(PrincipalType t) { return t == PrincipalType::kUser ? "user" : "role"; }
std::string_view NameParam(PrincipalType t) {
  return t == PrincipalType::kUser ? "UserName" : "RoleName";
}
std::string_view NameMember(PrincipalType t) {
  return t == PrincipalType::kUser ? "userName" : "roleName";
}
std::string_view Noun(PrincipalType t) { return t == PrincipalType::kUser ? "User" : "Role"; }

PrincipalRef Ref(PrincipalType t, std::string account, std::string name) {
  return t == PrincipalType::kUser ? PrincipalRef::User(std::move(account), std::move(name))
                                   : PrincipalRef::Role(std::move(account), std::move(name));
}

Result<store::PageRequest> PageOf(const QueryParams& p) {
  store::PageRequest page;
  page.marker = p.Get("Marker");
  CPA_ASSIGN_OR_RETURN(std::optional<int64_t> max,
                       OptionalInt(p, "MaxItems", "maxItems", 1, store::kMaxMaxItems));
  if (max) page.max_items = static_cast<int>(*max);
  return page;
}

template <typename T>
void WritePageEnd(XmlWriter& w, const store::Page<T>& page) {
  w.Bool("IsTruncated", page.is_truncated);
  if (page.is_truncated) w.Text("Marker", page.marker);
}

Status CheckPath(const std::string& path, std::string_view member) {
  bool ok = !path.empty() && path.front() == '/' && path.back() == '/' && path.size() <= 512;
  for (char c : path) {
    if (c < 0x21 || c > 0x7e) ok = false;
  }
  if (!ok) {
    return ConstraintViolation(path, member,
                               "Member must satisfy regular expression pattern: "
                               "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  }
  return Status::Ok();
}

Status CheckPolicyArn(const std::string& arn) {
  auto a = core::Arn::Parse(arn);
  if (!a.ok() || a->service != "iam" || a->ResourceType() != "policy") {
    return Status(ErrorCode::kValidationError, "Invalid ARN:  Could not be parsed!");
  }
  return Status::Ok();
}

void WritePolicy(XmlWriter& w, const store::ManagedPolicy& p, bool with_description) {
  w.Text("PolicyName", p.name)
      .Text("PolicyId", p.policy_id)
      .Text("Arn", p.arn)
      .Text("Path", p.path)
      .Text("DefaultVersionId", p.default_version_id)
      .Int("AttachmentCount", p.attachment_count)
      .Int("PermissionsBoundaryUsageCount", 0)
      .Bool("IsAttachable", true);
  if (with_description && !p.description.empty()) w.Text("Description", p.description);
  w.Time("CreateDate", p.create_date).Time("UpdateDate", p.update_date);
}

void WriteRole(XmlWriter& w, const store::Role& r, bool full) {
  w.Text("Path", r.path)
      .Text("RoleName", r.name)
      .Text("RoleId", r.role_id)
      .Text("Arn", r.arn)
      .Time("CreateDate", r.create_date)
      .Text("AssumeRolePolicyDocument", core::UriEncode(r.trust_policy));
  if (!r.description.empty()) w.Text("Description", r.description);
  if (full) w.Int("MaxSessionDuration", r.max_session_duration);
}

void WriteUser(XmlWriter& w, const store::User& u) {
  w.Text("Path", u.path)
      .Text("UserName", u.name)
      .Text("UserId", u.user_id)
      .Text("Arn", u.arn)
      .Time("CreateDate", u.create_date);
}

void WritePolicyVersion(XmlWriter& w, const store::PolicyVersion& v, bool with_document) {
  w.Open("PolicyVersion");
  if (with_document) w.Text("Document", core::UriEncode(v.document));
  w.Text("VersionId", v.version_id)
      .Bool("IsDefaultVersion", v.is_default)
      .Time("CreateDate", v.create_date)
      .Close("PolicyVersion");
}

Result<policy::PolicyDocument> ValidateDocument(const std::string& doc, policy::PolicyKind kind,
                                                policy::SizeQuota quota,
                                                std::string_view entity = {},
                                                size_t already_used = 0) {
  policy::ParseOptions o;
  o.kind = kind;
  o.quota = quota;
  o.entity_name = entity;
  o.quota_already_used = already_used;
  o.verbose = false;
  return policy::ParsePolicy(doc, o);
}

// The user an access-key operation targets: the UserName parameter, else the calling user, else
// the root ("" ); session callers must name the user.
Result<std::string> TargetUser(const RequestContext& ctx) {
  if (const std::string* n = ctx.params().Find("UserName")) return *n;
  const Caller& c = ctx.caller();
  if (c.is_user()) return c.user_name;
  if (c.is_root()) return std::string();
  return Status(ErrorCode::kValidationError,
                "Must specify userName when calling with non-User credentials");
}

}  // namespace

IamService::IamService(store::Store& store, Authorizer& authorizer)
    : store_(store), authorizer_(authorizer) {
  operations_ = {
      {"CreatePolicy", &IamService::CreatePolicy},
      {"GetPolicy", &IamService::GetPolicy},
      {"GetPolicyVersion", &IamService::GetPolicyVersion},
      {"CreatePolicyVersion", &IamService::CreatePolicyVersion},
      {"ListPolicyVersions", &IamService::ListPolicyVersions},
      {"DeletePolicyVersion", &IamService::DeletePolicyVersion},
      {"SetDefaultPolicyVersion", &IamService::SetDefaultPolicyVersion},
      {"ListPolicies", &IamService::ListPolicies},
      {"DeletePolicy", &IamService::DeletePolicy},
      {"CreateRole", &IamService::CreateRole},
      {"GetRole", &IamService::GetRole},
      {"ListRoles", &IamService::ListRoles},
      {"DeleteRole", &IamService::DeleteRole},
      {"UpdateAssumeRolePolicy", &IamService::UpdateAssumeRolePolicy},
      {"CreateUser", &IamService::CreateUser},
      {"GetUser", &IamService::GetUser},
      {"ListUsers", &IamService::ListUsers},
      {"DeleteUser", &IamService::DeleteUser},
      {"AttachRolePolicy", &IamService::AttachRolePolicy},
      {"DetachRolePolicy", &IamService::DetachRolePolicy},
      {"ListAttachedRolePolicies", &IamService::ListAttachedRolePolicies},
      {"AttachUserPolicy", &IamService::AttachUserPolicy},
      {"DetachUserPolicy", &IamService::DetachUserPolicy},
      {"ListAttachedUserPolicies", &IamService::ListAttachedUserPolicies},
      {"PutRolePolicy", &IamService::PutRolePolicy},
      {"GetRolePolicy", &IamService::GetRolePolicy},
      {"DeleteRolePolicy", &IamService::DeleteRolePolicy},
      {"ListRolePolicies", &IamService::ListRolePolicies},
      {"PutUserPolicy", &IamService::PutUserPolicy},
      {"GetUserPolicy", &IamService::GetUserPolicy},
      {"DeleteUserPolicy", &IamService::DeleteUserPolicy},
      {"ListUserPolicies", &IamService::ListUserPolicies},
      {"CreateAccessKey", &IamService::CreateAccessKey},
      {"ListAccessKeys", &IamService::ListAccessKeys},
      {"UpdateAccessKey", &IamService::UpdateAccessKey},
      {"DeleteAccessKey", &IamService::DeleteAccessKey},
      {"SimulatePrincipalPolicy", &IamService::SimulatePrincipalPolicy},
      {"SimulateCustomPolicy", &IamService::SimulateCustomPolicy},
  };
}

bool IamService::HasOperation(std::string_view action) const {
  return operations_.find(action) != operations_.end();
}

Result<QueryOutput> IamService::Call(std::string_view action, RequestContext& ctx) {
  auto it = operations_.find(action);
  if (it == operations_.end()) return Status(ErrorCode::kInternal, "unrouted IAM action");
  return (this->*(it->second))(ctx);
}

std::string IamService::PrincipalArn(const std::string& account, PrincipalType type,
                                     const std::string& name) {
  if (type == PrincipalType::kUser) {
    if (auto u = store_.users().Get(account, name); u.ok()) return u->arn;
  } else {
    if (auto r = store_.roles().Get(account, name); r.ok()) return r->arn;
  }
  return IamArn(account, TypeWord(type), "/", name);
}

// ---- Managed policies ----

Result<QueryOutput> IamService::CreatePolicy(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, "PolicyName", "policyName"));
  CPA_ASSIGN_OR_RETURN(std::string doc, Required(p, "PolicyDocument", "policyDocument"));
  std::string path = p.Get("Path", "/");
  CPA_RETURN_IF_ERROR(CheckPath(path, "path"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:CreatePolicy", IamArn(acct, "policy", path, name)));
  auto parsed =
      ValidateDocument(doc, policy::PolicyKind::kIdentity, policy::SizeQuota::kManagedPolicy);
  if (!parsed.ok()) return parsed.status();
  store::NewPolicy np;
  np.account_id = acct;
  np.name = name;
  np.path = path;
  np.description = p.Get("Description");
  np.document = doc;
  CPA_ASSIGN_OR_RETURN(store::ManagedPolicy created, store_.policies().Create(np));
  XmlWriter w;
  w.Open("Policy");
  WritePolicy(w, created, /*with_description=*/false);
  w.Close("Policy");
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::GetPolicy(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(ctx.params(), "PolicyArn", "policyArn"));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:GetPolicy", arn));
  CPA_ASSIGN_OR_RETURN(store::ManagedPolicy mp, store_.policies().Get(arn));
  XmlWriter w;
  w.Open("Policy");
  WritePolicy(w, mp, /*with_description=*/true);
  w.Close("Policy");
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::GetPolicyVersion(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(ctx.params(), "PolicyArn", "policyArn"));
  CPA_ASSIGN_OR_RETURN(std::string version, Required(ctx.params(), "VersionId", "versionId"));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:GetPolicyVersion", arn));
  CPA_ASSIGN_OR_RETURN(store::PolicyVersion v, store_.policies().GetVersion(arn, version));
  XmlWriter w;
  WritePolicyVersion(w, v, /*with_document=*/true);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::CreatePolicyVersion(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(p, "PolicyArn", "policyArn"));
  CPA_ASSIGN_OR_RETURN(std::string doc, Required(p, "PolicyDocument", "policyDocument"));
  const bool set_default = core::AsciiLower(p.Get("SetAsDefault")) == "true";
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:CreatePolicyVersion", arn));
  auto parsed =
      ValidateDocument(doc, policy::PolicyKind::kIdentity, policy::SizeQuota::kManagedPolicy);
  if (!parsed.ok()) return parsed.status();
  CPA_ASSIGN_OR_RETURN(store::PolicyVersion v,
                       store_.policies().CreateVersion(arn, doc, set_default));
  XmlWriter w;
  WritePolicyVersion(w, v, /*with_document=*/false);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::ListPolicyVersions(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(p, "PolicyArn", "policyArn"));
  CPA_ASSIGN_OR_RETURN(store::PageRequest page, PageOf(p));
  CPA_ASSIGN_OR_RETURN(store::Cursor cursor, store::DecodeMarker(page.marker));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:ListPolicyVersions", arn));
  CPA_ASSIGN_OR_RETURN(std::vector<store::PolicyVersion> versions,
                       store_.policies().ListVersions(arn));
  // Newest first; a marker carries the number of the next version to list (which still works if
  // that version was deleted meanwhile).
  auto number = [](const store::PolicyVersion& v) { return std::stoll(v.version_id.substr(1)); };
  XmlWriter w;
  w.Open("Versions");
  store::Page<std::string> end;
  int listed = 0;
  for (const auto& v : versions) {
    if (!cursor.start && number(v) > cursor.row) continue;
    if (listed == page.max_items) {
      end.is_truncated = true;
      end.marker = store::EncodeMarker(v.version_id, number(v));
      break;
    }
    w.Open("member")
        .Text("VersionId", v.version_id)
        .Bool("IsDefaultVersion", v.is_default)
        .Time("CreateDate", v.create_date)
        .Close("member");
    ++listed;
  }
  w.Close("Versions");
  WritePageEnd(w, end);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::DeletePolicyVersion(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(ctx.params(), "PolicyArn", "policyArn"));
  CPA_ASSIGN_OR_RETURN(std::string version, Required(ctx.params(), "VersionId", "versionId"));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:DeletePolicyVersion", arn));
  CPA_RETURN_IF_ERROR(store_.policies().DeleteVersion(arn, version));
  return QueryOutput::None();
}

Result<QueryOutput> IamService::SetDefaultPolicyVersion(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(ctx.params(), "PolicyArn", "policyArn"));
  CPA_ASSIGN_OR_RETURN(std::string version, Required(ctx.params(), "VersionId", "versionId"));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:SetDefaultPolicyVersion", arn));
  CPA_RETURN_IF_ERROR(store_.policies().SetDefaultVersion(arn, version));
  return QueryOutput::None();
}

Result<QueryOutput> IamService::ListPolicies(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  store::ListPoliciesRequest req;
  req.account_id = ctx.caller().account_id;
  const std::string scope = p.Get("Scope", "All");
  if (scope == "AWS") {
    req.scope = store::PolicyScope::kAws;
  } else if (scope == "Local") {
    req.scope = store::PolicyScope::kLocal;
  } else if (scope != "All") {
    return ConstraintViolation(scope, "scope",
                               "Member must satisfy enum value set: [All, AWS, Local]");
  }
  req.only_attached = core::AsciiLower(p.Get("OnlyAttached")) == "true";
  req.path_prefix = p.Get("PathPrefix", "/");
  CPA_ASSIGN_OR_RETURN(req.page, PageOf(p));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:ListPolicies", "*"));
  CPA_ASSIGN_OR_RETURN(store::Page<store::ManagedPolicy> page, store_.policies().List(req));
  XmlWriter w;
  w.Open("Policies");
  for (const auto& mp : page.items) {
    w.Open("member");
    WritePolicy(w, mp, /*with_description=*/false);
    w.Close("member");
  }
  w.Close("Policies");
  WritePageEnd(w, page);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::DeletePolicy(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(ctx.params(), "PolicyArn", "policyArn"));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:DeletePolicy", arn));
  CPA_RETURN_IF_ERROR(store_.policies().Delete(arn));
  return QueryOutput::None();
}

// ---- Roles ----

Result<QueryOutput> IamService::CreateRole(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, "RoleName", "roleName"));
  CPA_ASSIGN_OR_RETURN(std::string doc,
                       Required(p, "AssumeRolePolicyDocument", "assumeRolePolicyDocument"));
  std::string path = p.Get("Path", "/");
  CPA_RETURN_IF_ERROR(CheckPath(path, "path"));
  CPA_ASSIGN_OR_RETURN(std::optional<int64_t> max_session,
                       OptionalInt(p, "MaxSessionDuration", "maxSessionDuration", 3600, 43200));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:CreateRole", IamArn(acct, "role", path, name)));
  auto parsed =
      ValidateDocument(doc, policy::PolicyKind::kTrust, policy::SizeQuota::kTrustPolicy, name);
  if (!parsed.ok()) return parsed.status();
  store::NewRole nr;
  nr.account_id = acct;
  nr.name = name;
  nr.path = path;
  nr.trust_policy = doc;
  nr.description = p.Get("Description");
  if (max_session) nr.max_session_duration = static_cast<int>(*max_session);
  CPA_ASSIGN_OR_RETURN(store::Role role, store_.roles().Create(nr));
  XmlWriter w;
  w.Open("Role");
  WriteRole(w, role, /*full=*/false);
  w.Close("Role");
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::GetRole(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string name, Required(ctx.params(), "RoleName", "roleName"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:GetRole", PrincipalArn(acct, PrincipalType::kRole, name)));
  CPA_ASSIGN_OR_RETURN(store::Role role, store_.roles().Get(acct, name));
  XmlWriter w;
  w.Open("Role");
  WriteRole(w, role, /*full=*/true);
  w.Empty("RoleLastUsed");
  w.Close("Role");
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::ListRoles(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  store::ListRolesRequest req;
  req.account_id = ctx.caller().account_id;
  req.path_prefix = p.Get("PathPrefix", "/");
  CPA_ASSIGN_OR_RETURN(req.page, PageOf(p));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:ListRoles", IamArn(req.account_id, "role", "/", "")));
  CPA_ASSIGN_OR_RETURN(store::Page<store::Role> page, store_.roles().List(req));
  XmlWriter w;
  w.Open("Roles");
  for (const auto& r : page.items) {
    w.Open("member");
    WriteRole(w, r, /*full=*/true);
    w.Close("member");
  }
  w.Close("Roles");
  WritePageEnd(w, page);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::DeleteRole(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string name, Required(ctx.params(), "RoleName", "roleName"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(
      ctx.Authorize("iam:DeleteRole", PrincipalArn(acct, PrincipalType::kRole, name)));
  CPA_RETURN_IF_ERROR(store_.roles().Delete(acct, name));
  return QueryOutput::None();
}

Result<QueryOutput> IamService::UpdateAssumeRolePolicy(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string name, Required(ctx.params(), "RoleName", "roleName"));
  CPA_ASSIGN_OR_RETURN(std::string doc, Required(ctx.params(), "PolicyDocument", "policyDocument"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(
      ctx.Authorize("iam:UpdateAssumeRolePolicy", PrincipalArn(acct, PrincipalType::kRole, name)));
  auto parsed =
      ValidateDocument(doc, policy::PolicyKind::kTrust, policy::SizeQuota::kTrustPolicy, name);
  if (!parsed.ok()) return parsed.status();
  store::RoleUpdate u;
  u.trust_policy = doc;
  CPA_ASSIGN_OR_RETURN(store::Role role, store_.roles().Update(acct, name, u));
  (void)role;
  return QueryOutput::None();
}

// ---- Users ----

Result<QueryOutput> IamService::CreateUser(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, "UserName", "userName"));
  std::string path = p.Get("Path", "/");
  CPA_RETURN_IF_ERROR(CheckPath(path, "path"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:CreateUser", IamArn(acct, "user", path, name)));
  store::NewUser nu;
  nu.account_id = acct;
  nu.name = name;
  nu.path = path;
  CPA_ASSIGN_OR_RETURN(store::User user, store_.users().Create(nu));
  XmlWriter w;
  w.Open("User");
  WriteUser(w, user);
  w.Close("User");
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::GetUser(RequestContext& ctx) {
  const Caller& c = ctx.caller();
  const std::string& acct = c.account_id;
  CPA_ASSIGN_OR_RETURN(std::string name, TargetUser(ctx));
  XmlWriter w;
  if (name.empty()) {  // the root user of the account
    CPA_RETURN_IF_ERROR(ctx.Authorize("iam:GetUser", c.arn));
    CPA_ASSIGN_OR_RETURN(store::Account account, store_.accounts().Get(acct));
    w.Open("User")
        .Text("UserId", acct)
        .Text("Arn", c.arn)
        .Time("CreateDate", account.create_date)
        .Close("User");
    return QueryOutput::Of(w.Take());
  }
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:GetUser", PrincipalArn(acct, PrincipalType::kUser, name)));
  CPA_ASSIGN_OR_RETURN(store::User user, store_.users().Get(acct, name));
  w.Open("User");
  WriteUser(w, user);
  w.Close("User");
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::ListUsers(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  store::ListUsersRequest req;
  req.account_id = ctx.caller().account_id;
  req.path_prefix = p.Get("PathPrefix", "/");
  CPA_ASSIGN_OR_RETURN(req.page, PageOf(p));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:ListUsers", IamArn(req.account_id, "user", "/", "")));
  CPA_ASSIGN_OR_RETURN(store::Page<store::User> page, store_.users().List(req));
  XmlWriter w;
  w.Open("Users");
  for (const auto& u : page.items) {
    w.Open("member");
    WriteUser(w, u);
    w.Close("member");
  }
  w.Close("Users");
  WritePageEnd(w, page);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::DeleteUser(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string name, Required(ctx.params(), "UserName", "userName"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(
      ctx.Authorize("iam:DeleteUser", PrincipalArn(acct, PrincipalType::kUser, name)));
  CPA_RETURN_IF_ERROR(store_.users().Delete(acct, name));
  return QueryOutput::None();
}

// ---- Attachments ----

Result<QueryOutput> IamService::Attach(RequestContext& ctx, PrincipalType type, bool attach) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, NameParam(type), NameMember(type)));
  CPA_ASSIGN_OR_RETURN(std::string arn, Required(p, "PolicyArn", "policyArn"));
  CPA_RETURN_IF_ERROR(CheckPolicyArn(arn));
  const std::string& acct = ctx.caller().account_id;
  std::string action =
      std::string(attach ? "iam:Attach" : "iam:Detach") + std::string(Noun(type)) + "Policy";
  policy::ContextKeys extra;
  extra.Set("iam:PolicyARN", arn);
  CPA_RETURN_IF_ERROR(ctx.Authorize(action, PrincipalArn(acct, type, name), nullptr, &extra));
  PrincipalRef ref = Ref(type, acct, name);
  if (attach) {
    CPA_RETURN_IF_ERROR(store_.attachments().Attach(ref, arn));
  } else {
    CPA_RETURN_IF_ERROR(store_.attachments().Detach(ref, arn));
  }
  return QueryOutput::None();
}

Result<QueryOutput> IamService::ListAttached(RequestContext& ctx, PrincipalType type) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, NameParam(type), NameMember(type)));
  CPA_ASSIGN_OR_RETURN(store::PageRequest page_req, PageOf(p));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:ListAttached" + std::string(Noun(type)) + "Policies",
                                    PrincipalArn(acct, type, name)));
  CPA_ASSIGN_OR_RETURN(
      store::Page<store::AttachedPolicy> page,
      store_.attachments().List(Ref(type, acct, name), page_req, p.Get("PathPrefix", "/")));
  XmlWriter w;
  w.Open("AttachedPolicies");
  for (const auto& a : page.items) {
    w.Open("member").Text("PolicyName", a.policy_name).Text("PolicyArn", a.policy_arn);
    w.Close("member");
  }
  w.Close("AttachedPolicies");
  WritePageEnd(w, page);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::AttachRolePolicy(RequestContext& ctx) {
  return Attach(ctx, PrincipalType::kRole, true);
}
Result<QueryOutput> IamService::DetachRolePolicy(RequestContext& ctx) {
  return Attach(ctx, PrincipalType::kRole, false);
}
Result<QueryOutput> IamService::ListAttachedRolePolicies(RequestContext& ctx) {
  return ListAttached(ctx, PrincipalType::kRole);
}
Result<QueryOutput> IamService::AttachUserPolicy(RequestContext& ctx) {
  return Attach(ctx, PrincipalType::kUser, true);
}
Result<QueryOutput> IamService::DetachUserPolicy(RequestContext& ctx) {
  return Attach(ctx, PrincipalType::kUser, false);
}
Result<QueryOutput> IamService::ListAttachedUserPolicies(RequestContext& ctx) {
  return ListAttached(ctx, PrincipalType::kUser);
}

// ---- Inline policies ----

Result<QueryOutput> IamService::PutInline(RequestContext& ctx, PrincipalType type) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, NameParam(type), NameMember(type)));
  CPA_ASSIGN_OR_RETURN(std::string policy_name, Required(p, "PolicyName", "policyName"));
  CPA_ASSIGN_OR_RETURN(std::string doc, Required(p, "PolicyDocument", "policyDocument"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:Put" + std::string(Noun(type)) + "Policy",
                                    PrincipalArn(acct, type, name)));
  PrincipalRef ref = Ref(type, acct, name);
  // The inline quota covers all of the principal's inline policies together.
  size_t used = 0;
  store::PageRequest all;
  all.max_items = store::kMaxMaxItems;
  if (auto names = store_.inline_policies().List(ref, all); names.ok()) {
    for (const auto& n : names->items) {
      if (core::AsciiLower(n) == core::AsciiLower(policy_name)) continue;
      if (auto ip = store_.inline_policies().Get(ref, n); ip.ok()) {
        used += policy::PolicyQuotaSize(ip->document);
      }
    }
  }
  auto parsed = ValidateDocument(doc, policy::PolicyKind::kIdentity,
                                 type == PrincipalType::kUser ? policy::SizeQuota::kUserInline
                                                              : policy::SizeQuota::kRoleInline,
                                 name, used);
  if (!parsed.ok()) return parsed.status();
  CPA_RETURN_IF_ERROR(store_.inline_policies().Put(ref, policy_name, doc));
  return QueryOutput::None();
}

Result<QueryOutput> IamService::GetInline(RequestContext& ctx, PrincipalType type) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, NameParam(type), NameMember(type)));
  CPA_ASSIGN_OR_RETURN(std::string policy_name, Required(p, "PolicyName", "policyName"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:Get" + std::string(Noun(type)) + "Policy",
                                    PrincipalArn(acct, type, name)));
  PrincipalRef ref = Ref(type, acct, name);
  std::string canonical = name;
  if (type == PrincipalType::kUser) {
    CPA_ASSIGN_OR_RETURN(store::User u, store_.users().Get(acct, name));
    canonical = u.name;
  } else {
    CPA_ASSIGN_OR_RETURN(store::Role r, store_.roles().Get(acct, name));
    canonical = r.name;
  }
  CPA_ASSIGN_OR_RETURN(store::InlinePolicy ip, store_.inline_policies().Get(ref, policy_name));
  XmlWriter w;
  w.Text(NameParam(type), canonical)
      .Text("PolicyName", ip.name)
      .Text("PolicyDocument", core::UriEncode(ip.document));
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::DeleteInline(RequestContext& ctx, PrincipalType type) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, NameParam(type), NameMember(type)));
  CPA_ASSIGN_OR_RETURN(std::string policy_name, Required(p, "PolicyName", "policyName"));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:Delete" + std::string(Noun(type)) + "Policy",
                                    PrincipalArn(acct, type, name)));
  CPA_RETURN_IF_ERROR(store_.inline_policies().Delete(Ref(type, acct, name), policy_name));
  return QueryOutput::None();
}

Result<QueryOutput> IamService::ListInline(RequestContext& ctx, PrincipalType type) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string name, Required(p, NameParam(type), NameMember(type)));
  CPA_ASSIGN_OR_RETURN(store::PageRequest page_req, PageOf(p));
  const std::string& acct = ctx.caller().account_id;
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:List" + std::string(Noun(type)) + "Policies",
                                    PrincipalArn(acct, type, name)));
  CPA_ASSIGN_OR_RETURN(store::Page<std::string> page,
                       store_.inline_policies().List(Ref(type, acct, name), page_req));
  XmlWriter w;
  w.Open("PolicyNames");
  for (const auto& n : page.items) w.Text("member", n);
  w.Close("PolicyNames");
  WritePageEnd(w, page);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::PutRolePolicy(RequestContext& ctx) {
  return PutInline(ctx, PrincipalType::kRole);
}
Result<QueryOutput> IamService::GetRolePolicy(RequestContext& ctx) {
  return GetInline(ctx, PrincipalType::kRole);
}
Result<QueryOutput> IamService::DeleteRolePolicy(RequestContext& ctx) {
  return DeleteInline(ctx, PrincipalType::kRole);
}
Result<QueryOutput> IamService::ListRolePolicies(RequestContext& ctx) {
  return ListInline(ctx, PrincipalType::kRole);
}
Result<QueryOutput> IamService::PutUserPolicy(RequestContext& ctx) {
  return PutInline(ctx, PrincipalType::kUser);
}
Result<QueryOutput> IamService::GetUserPolicy(RequestContext& ctx) {
  return GetInline(ctx, PrincipalType::kUser);
}
Result<QueryOutput> IamService::DeleteUserPolicy(RequestContext& ctx) {
  return DeleteInline(ctx, PrincipalType::kUser);
}
Result<QueryOutput> IamService::ListUserPolicies(RequestContext& ctx) {
  return ListInline(ctx, PrincipalType::kUser);
}

// ---- Access keys ----

Result<QueryOutput> IamService::CreateAccessKey(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string user, TargetUser(ctx));
  const std::string& acct = ctx.caller().account_id;
  const std::string owner = user.empty() ? "arn:aws:iam::" + acct + ":root"
                                         : PrincipalArn(acct, PrincipalType::kUser, user);
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:CreateAccessKey", owner));
  std::string canonical = user;
  if (!user.empty()) {
    CPA_ASSIGN_OR_RETURN(store::User u, store_.users().Get(acct, user));
    canonical = u.name;
  }
  store::NewAccessKey nk;
  nk.account_id = acct;
  nk.user_name = canonical;
  CPA_ASSIGN_OR_RETURN(store::AccessKey key, store_.access_keys().Create(nk));
  XmlWriter w;
  w.Open("AccessKey");
  if (!canonical.empty()) w.Text("UserName", canonical);
  w.Text("AccessKeyId", key.access_key_id)
      .Text("Status", store::AccessKeyStatusName(key.status))
      .Text("SecretAccessKey", key.secret_access_key)
      .Time("CreateDate", key.create_date)
      .Close("AccessKey");
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::ListAccessKeys(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string user, TargetUser(ctx));
  CPA_ASSIGN_OR_RETURN(store::PageRequest page_req, PageOf(ctx.params()));
  const std::string& acct = ctx.caller().account_id;
  const std::string owner = user.empty() ? "arn:aws:iam::" + acct + ":root"
                                         : PrincipalArn(acct, PrincipalType::kUser, user);
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:ListAccessKeys", owner));
  std::string canonical = user;
  if (!user.empty()) {
    CPA_ASSIGN_OR_RETURN(store::User u, store_.users().Get(acct, user));
    canonical = u.name;
  }
  CPA_ASSIGN_OR_RETURN(store::Page<store::AccessKey> page,
                       store_.access_keys().List(acct, canonical, page_req));
  XmlWriter w;
  w.Open("AccessKeyMetadata");
  for (const auto& k : page.items) {
    w.Open("member");
    if (!k.user_name.empty()) w.Text("UserName", k.user_name);
    w.Text("AccessKeyId", k.access_key_id)
        .Text("Status", store::AccessKeyStatusName(k.status))
        .Time("CreateDate", k.create_date)
        .Close("member");
  }
  w.Close("AccessKeyMetadata");
  WritePageEnd(w, page);
  if (!canonical.empty()) w.Text("UserName", canonical);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> IamService::UpdateAccessKey(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string key_id, Required(ctx.params(), "AccessKeyId", "accessKeyId"));
  CPA_ASSIGN_OR_RETURN(std::string status_text, Required(ctx.params(), "Status", "status"));
  auto status = store::ParseAccessKeyStatus(status_text);
  if (!status.ok()) {
    return ConstraintViolation(status_text, "status",
                               "Member must satisfy enum value set: [Active, Inactive]");
  }
  CPA_ASSIGN_OR_RETURN(std::string user, TargetUser(ctx));
  const std::string& acct = ctx.caller().account_id;
  const std::string owner = user.empty() ? "arn:aws:iam::" + acct + ":root"
                                         : PrincipalArn(acct, PrincipalType::kUser, user);
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:UpdateAccessKey", owner));
  CPA_RETURN_IF_ERROR(store_.access_keys().UpdateStatus(acct, user, key_id, *status));
  return QueryOutput::None();
}

Result<QueryOutput> IamService::DeleteAccessKey(RequestContext& ctx) {
  CPA_ASSIGN_OR_RETURN(std::string key_id, Required(ctx.params(), "AccessKeyId", "accessKeyId"));
  CPA_ASSIGN_OR_RETURN(std::string user, TargetUser(ctx));
  const std::string& acct = ctx.caller().account_id;
  const std::string owner = user.empty() ? "arn:aws:iam::" + acct + ":root"
                                         : PrincipalArn(acct, PrincipalType::kUser, user);
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:DeleteAccessKey", owner));
  CPA_RETURN_IF_ERROR(store_.access_keys().Delete(acct, user, key_id));
  return QueryOutput::None();
}

// ---- Simulation ----

namespace {

struct SimulationInput {
  std::vector<std::string> actions;
  std::vector<std::string> resources;
  std::vector<std::shared_ptr<const policy::CompiledPolicy>> extra_identity;
  std::optional<policy::CompiledPolicy> resource_policy;
  policy::ContextKeys context;
};

Result<SimulationInput> ReadSimulationInput(const QueryParams& p, bool custom) {
  SimulationInput in;
  in.actions = p.List("ActionNames");
  if (in.actions.empty()) return MissingValue("actionNames");
  in.resources = p.List("ResourceArns");
  if (in.resources.empty()) in.resources.push_back("*");
  std::vector<std::string> docs = p.List("PolicyInputList");
  if (custom && docs.empty()) return MissingValue("policyInputList");
  for (size_t i = 0; i < docs.size(); ++i) {
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kIdentity;
    auto c =
        policy::CompiledPolicy::FromJson(docs[i], o, "PolicyInputList." + std::to_string(i + 1));
    if (!c.ok()) return c.status();
    in.extra_identity.push_back(std::make_shared<const policy::CompiledPolicy>(std::move(*c)));
  }
  if (const std::string* rp = p.Find("ResourcePolicy")) {
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kResource;
    auto c = policy::CompiledPolicy::FromJson(*rp, o, "ResourcePolicy");
    if (!c.ok()) return c.status();
    in.resource_policy = std::move(*c);
  }
  for (size_t n = 1;; ++n) {
    std::string base = "ContextEntries.member." + std::to_string(n) + ".";
    const std::string* key = p.Find(base + "ContextKeyName");
    if (key == nullptr) break;
    std::vector<std::string> values = p.List(base + "ContextKeyValues");
    std::string type = core::AsciiLower(p.Get(base + "ContextKeyType"));
    if (type.ends_with("list")) {
      in.context.SetList(*key, values);
    } else if (!values.empty()) {
      in.context.Set(*key, values.front());
    }
  }
  return in;
}

// IAM's simulator owns every simulated resource (and the ResourcePolicy) by ResourceOwner, or
// by the caller's account when it is not given: it does not apply the cross-account rule of a
// real request, so identity policies decide unless a resource policy is passed.
std::string RunSimulation(const SimulationInput& in, std::string_view principal_arn,
                          const std::vector<std::shared_ptr<const policy::CompiledPolicy>>& ids,
                          std::string_view resource_owner) {
  XmlWriter w;
  w.Open("EvaluationResults");
  for (const auto& action : in.actions) {
    for (const auto& resource : in.resources) {
      policy::EvaluationPolicies pols;
      for (const auto& c : ids) pols.identity.push_back(c.get());
      for (const auto& c : in.extra_identity) pols.identity.push_back(c.get());
      if (in.resource_policy) pols.resource = &*in.resource_policy;
      policy::EvaluationRequest r;
      r.principal_arn = principal_arn;
      r.action = action;
      r.resource = resource;
      r.resource_account = resource_owner;
      r.context = &in.context;
      policy::Decision d = policy::Evaluate(r, pols);
      w.Open("member")
          .Text("EvalActionName", action)
          .Text("EvalResourceName", resource)
          .Text("EvalDecision", policy::DecisionKindName(d.kind));
      w.Open("MatchedStatements");
      for (const auto& e : d.trace) {
        if (!e.effect || e.statement.empty() || e.policy.empty()) continue;
        w.Open("member")
            .Text("SourcePolicyId", e.policy)
            .Text("SourcePolicyType",
                  e.role == policy::PolicyRole::kResource ? "resource" : "IAM Policy")
            .Close("member");
      }
      w.Close("MatchedStatements");
      w.Empty("MissingContextValues");
      w.Open("OrganizationsDecisionDetail").Bool("AllowedByOrganizations", true);
      w.Close("OrganizationsDecisionDetail");
      w.Empty("EvalDecisionDetails");
      w.Close("member");
    }
  }
  w.Close("EvaluationResults");
  w.Bool("IsTruncated", false);
  return w.Take();
}

// The account of ResourceOwner (an account id or ARN), else of the simulated caller.
std::string ResourceOwner(const QueryParams& p, std::string_view caller_arn) {
  std::string owner = p.Get("ResourceOwner", "");
  if (core::IsAccountId(owner)) return owner;
  auto arn = core::Arn::Parse(owner.empty() ? caller_arn : std::string_view(owner));
  return arn.ok() ? arn->account : std::string();
}

}  // namespace

Result<QueryOutput> IamService::SimulatePrincipalPolicy(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(std::string source, Required(p, "PolicySourceArn", "policySourceArn"));
  auto arn = core::Arn::Parse(source);
  if (!arn.ok() || arn->service != "iam" ||
      (arn->ResourceType() != "user" && arn->ResourceType() != "role")) {
    return Status(ErrorCode::kInvalidArgument, "Invalid ARN: " + source);
  }
  CPA_ASSIGN_OR_RETURN(SimulationInput in, ReadSimulationInput(p, false));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:SimulatePrincipalPolicy", source));
  std::string_view id = arn->ResourceId();
  std::string name(id.substr(id.rfind('/') + 1));
  PrincipalRef ref = arn->ResourceType() == "user" ? PrincipalRef::User(arn->account, name)
                                                   : PrincipalRef::Role(arn->account, name);
  CPA_ASSIGN_OR_RETURN(auto ids, authorizer_.PrincipalPolicies(ref));
  std::string principal = p.Get("CallerArn", source);
  return QueryOutput::Of(RunSimulation(in, principal, ids, ResourceOwner(p, principal)));
}

Result<QueryOutput> IamService::SimulateCustomPolicy(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  CPA_ASSIGN_OR_RETURN(SimulationInput in, ReadSimulationInput(p, true));
  CPA_RETURN_IF_ERROR(ctx.Authorize("iam:SimulateCustomPolicy", "*"));
  const Caller& c = ctx.caller();
  // Without CallerArn the calling user; a root or session caller is simulated as a plain user
  // so that the root's implicit access does not mask the policies under test.
  std::string principal = p.Get(
      "CallerArn", c.is_user() ? c.arn : "arn:aws:iam::" + c.account_id + ":user/simulated-user");
  return QueryOutput::Of(RunSimulation(in, principal, {}, ResourceOwner(p, principal)));
}

}  // namespace cpa::server::api
