#include "server/api/sts_service.h"

#include "core/arn.h"
#include "policy/compiled.h"
#include "policy/document.h"

namespace cpa::server::api {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

constexpr int kMinDuration = 900;
constexpr int kMaxDuration = 43200;
constexpr int kChainedMaxDuration = 3600;
constexpr size_t kPackedPolicyLimit = 2048;

bool IsExternalIdText(std::string_view text) {
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_+=,.@:/-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool IsSessionNameText(std::string_view text) {
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_+=,.@-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool StsService::HasOperation(std::string_view action) const {
  return action == "GetCallerIdentity" || action == "AssumeRole";
}

Result<QueryOutput> StsService::Call(std::string_view action, RequestContext& ctx) {
  if (action == "GetCallerIdentity") return GetCallerIdentity(ctx);
  if (action == "AssumeRole") return AssumeRole(ctx);
  return Status(ErrorCode::kInternal, "unrouted STS action");
}

Result<QueryOutput> StsService::GetCallerIdentity(RequestContext& ctx) {
  // Always allowed for an authenticated caller, even under an explicit Deny.
  const Caller& c = ctx.caller();
  XmlWriter w;
  w.Text("Arn", c.arn).Text("UserId", c.user_id).Text("Account", c.account_id);
  return QueryOutput::Of(w.Take());
}

Result<QueryOutput> StsService::AssumeRole(RequestContext& ctx) {
  const QueryParams& p = ctx.params();
  const Caller& caller = ctx.caller();
  CPA_ASSIGN_OR_RETURN(std::string role_arn, Required(p, "RoleArn", "roleArn"));
  CPA_ASSIGN_OR_RETURN(std::string session_name, Required(p, "RoleSessionName", "roleSessionName"));
  if (session_name.size() < 2) {
    return ConstraintViolation(session_name, "roleSessionName",
                               "Member must have length greater than or equal to 2");
  }
  if (session_name.size() > 64) {
    return ConstraintViolation(session_name, "roleSessionName",
                               "Member must have length less than or equal to 64");
  }
  if (!IsSessionNameText(session_name)) {
    return ConstraintViolation(session_name, "roleSessionName",
                               "Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  }
  if (role_arn.size() < 20) {
    return ConstraintViolation(role_arn, "roleArn",
                               "Member must have length greater than or equal to 20");
  }
  CPA_ASSIGN_OR_RETURN(
      std::optional<int64_t> duration_param,
      OptionalInt(p, "DurationSeconds", "durationSeconds", kMinDuration, kMaxDuration));
  const int duration = duration_param ? static_cast<int>(*duration_param) : 3600;
  const std::string* external_id = p.Find("ExternalId");
  if (external_id != nullptr) {
    if (external_id->size() < 2 || external_id->size() > 1224) {
      return ConstraintViolation(*external_id, "externalId",
                                 external_id->size() < 2
                                     ? "Member must have length greater than or equal to 2"
                                     : "Member must have length less than or equal to 1224");
    }
    if (!IsExternalIdText(*external_id)) {
      return ConstraintViolation(
          *external_id, "externalId",
          "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
    }
  }
  auto parsed = core::Arn::Parse(role_arn);
  if (!parsed.ok() || parsed->service != "iam" || parsed->ResourceType() != "role" ||
      !core::IsAccountId(parsed->account)) {
    return Status(ErrorCode::kValidationError, role_arn + " is invalid");
  }

  // Session policies: validated before authorization, as AWS does.
  std::optional<std::string> session_policy;
  if (const std::string* doc = p.Find("Policy")) {
    // The model's limit on the plain text; the packed limit below also counts the ARNs.
    if (doc->size() > kPackedPolicyLimit) {
      return ConstraintViolation(*doc, "policy",
                                 "Member must have length less than or equal to 2048");
    }
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kIdentity;
    auto d = policy::ParsePolicy(*doc, o);
    if (!d.ok()) return d.status();
    session_policy = *doc;
  }
  std::vector<std::string> policy_arns;
  for (const auto& m : p.StructList("PolicyArns", {"arn"})) policy_arns.push_back(m.at("arn"));
  if (policy_arns.size() > 10) {
    return ConstraintViolation("[...]", "policyArns",
                               "Member must have length less than or equal to 10");
  }
  size_t packed = session_policy ? policy::PolicyQuotaSize(*session_policy) : 0;
  for (const auto& a : policy_arns) {
    auto pa = core::Arn::Parse(a);
    if (!pa.ok() || pa->service != "iam" || pa->ResourceType() != "policy") {
      return Status(ErrorCode::kValidationError, a + " is invalid");
    }
    packed += a.size();
  }
  const bool has_session_policies = session_policy.has_value() || !policy_arns.empty();
  if (packed > kPackedPolicyLimit) {
    return ctx.Fail("PackedPolicyTooLarge", 400,
                    "Packed policy consumes " + std::to_string(packed * 100 / kPackedPolicyLimit) +
                        "% of allotted space, please use smaller policy");
  }

  // The role, looked up in the account of its ARN. A missing role is a plain denial.
  std::string_view resource_id = parsed->ResourceId();
  std::string role_name(resource_id.substr(resource_id.rfind('/') + 1));
  std::optional<store::Role> role;
  std::optional<policy::CompiledPolicy> trust;
  if (auto r = store_.roles().Get(parsed->account, role_name); r.ok() && r->arn == role_arn) {
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kTrust;
    auto t = policy::CompiledPolicy::FromJson(r->trust_policy, o, "trust policy of " + r->name);
    if (t.ok()) trust = std::move(*t);
    role = std::move(*r);
  }
  policy::ContextKeys extra;
  if (external_id != nullptr) extra.Set("sts:ExternalId", *external_id);
  extra.Set("sts:RoleSessionName", session_name);
  // AWS refuses role assumption with an account's root credentials outright, whatever the
  // trust policy says.
  if (caller.is_root()) {
    return core::Status(core::ErrorCode::kAccessDenied,
                        "Roles may not be assumed by root accounts.");
  }
  CPA_RETURN_IF_ERROR(ctx.Authorize("sts:AssumeRole", role_arn, trust ? &*trust : nullptr, &extra));
  if (!role) {
    return Status(ErrorCode::kAccessDenied, "User: " + caller.arn +
                                                " is not authorized to perform: sts:AssumeRole "
                                                "on resource: " +
                                                role_arn);
  }

  const bool chained = caller.is_session();
  if (chained && duration > kChainedMaxDuration) {
    return Status(ErrorCode::kValidationError,
                  "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                  "assumed by role chaining.");
  }
  if (duration > role->max_session_duration) {
    return Status(ErrorCode::kValidationError,
                  "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                  "role.");
  }

  store::NewSession ns;
  ns.account_id = role->account_id;
  ns.role_arn = role->arn;
  ns.role_id = role->role_id;
  ns.role_name = role->name;
  ns.session_name = session_name;
  ns.duration = std::chrono::seconds(duration);
  ns.source_arn = caller.arn;
  ns.session_policy = session_policy;
  ns.session_policy_arns = policy_arns;
  ns.role_chained = chained;
  if (const std::string* si = p.Find("SourceIdentity")) ns.source_identity = *si;
  CPA_ASSIGN_OR_RETURN(store::Session s, store_.sessions().Create(ns));

  XmlWriter w;
  w.Open("Credentials")
      .Text("AccessKeyId", s.access_key_id)
      .Text("SecretAccessKey", s.secret_access_key)
      .Text("SessionToken", s.session_token)
      .Time("Expiration", s.expiration)
      .Close("Credentials")
      .Open("AssumedRoleUser")
      .Text("AssumedRoleId", s.assumed_role_id)
      .Text("Arn", s.assumed_role_arn)
      .Close("AssumedRoleUser");
  if (has_session_policies) {
    w.Int("PackedPolicySize", static_cast<int64_t>(packed * 100 / kPackedPolicyLimit));
  }
  if (s.source_identity) w.Text("SourceIdentity", *s.source_identity);
  return QueryOutput::Of(w.Take());
}

}  // namespace cpa::server::api
