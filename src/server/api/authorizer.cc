#include "server/api/authorizer.h"

#include "policy/document.h"

namespace cpa::server::api {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

Result<std::shared_ptr<const policy::CompiledPolicy>> CompileStored(const std::string& doc,
                                                                    const std::string& name) {
  policy::ParseOptions o;
  o.kind = policy::PolicyKind::kIdentity;
  o.quota = policy::SizeQuota::kNone;
  auto c = policy::CompiledPolicy::FromJson(doc, o, name);
  if (!c.ok()) return c.status();
  return std::make_shared<const policy::CompiledPolicy>(std::move(*c));
}

std::string PolicyNameFromArn(const std::string& arn) {
  size_t slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

}  // namespace

std::shared_ptr<const policy::CompiledPolicy> AllowNothingPolicy() {
  static const std::shared_ptr<const policy::CompiledPolicy> kPolicy = [] {
    auto c = CompileStored(R"({"Version":"2012-10-17","Statement":[]})", "no-session-policy");
    if (c.ok()) return *c;
    auto d = CompileStored(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CpaNoSuchAction","Resource":"arn:aws:iam::000000000000:cpa-nothing"}]})",
        "no-session-policy");
    return d.ok() ? *d : std::shared_ptr<const policy::CompiledPolicy>();
  }();
  return kPolicy;
}

Result<std::vector<std::shared_ptr<const policy::CompiledPolicy>>> Authorizer::PrincipalPolicies(
    const store::PrincipalRef& principal) {
  auto docs = store_.attachments().IdentityPolicies(principal);
  if (!docs.ok()) return docs.status();
  std::vector<std::shared_ptr<const policy::CompiledPolicy>> out;
  for (const auto& d : *docs) {
    auto c = CompileStored(d.document, d.managed ? PolicyNameFromArn(d.source) : d.source);
    if (!c.ok()) {
      return Status(ErrorCode::kInternal, "stored policy " + d.source + " does not compile");
    }
    out.push_back(std::move(*c));
  }
  return out;
}

Result<std::shared_ptr<const PolicySet>> Authorizer::Load(const Caller& caller) {
  auto set = std::make_shared<PolicySet>();
  if (caller.is_root()) return std::shared_ptr<const PolicySet>(set);
  if (caller.is_user()) {
    auto p = PrincipalPolicies(store::PrincipalRef::User(caller.account_id, caller.user_name));
    // A deleted user keeps no permissions.
    if (p.ok()) set->identity = std::move(*p);
    return std::shared_ptr<const PolicySet>(set);
  }
  auto p = PrincipalPolicies(store::PrincipalRef::Role(caller.account_id, caller.role_name));
  if (p.ok()) set->identity = std::move(*p);
  const store::Credential& cred = *caller.credential;
  if (cred.session_policy) {
    auto c = CompileStored(*cred.session_policy, "session-policy");
    set->session.push_back(c.ok() ? *c : AllowNothingPolicy());
  }
  for (const auto& arn : cred.session_policy_arns) {
    auto v = store_.policies().GetDefaultVersion(arn);
    if (!v.ok()) {
      set->session.push_back(AllowNothingPolicy());
      continue;
    }
    auto c = CompileStored(v->document, PolicyNameFromArn(arn));
    set->session.push_back(c.ok() ? *c : AllowNothingPolicy());
  }
  return std::shared_ptr<const PolicySet>(set);
}

Result<std::shared_ptr<const PolicySet>> Authorizer::PoliciesOf(const Caller& caller) {
  std::string key;
  if (caller.is_user()) {
    key = "u:" + caller.account_id + ":" + caller.user_name;
  } else if (caller.is_session()) {
    key = "s:" + caller.access_key_id;
  } else {
    key = "r:" + caller.account_id;
  }
  const uint64_t generation = store_.generation();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.generation == generation) return it->second.set;
  }
  auto set = Load(caller);
  if (!set.ok()) return set.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[key] = Entry{generation, *set};
  return *set;
}

Result<policy::Decision> Authorizer::Evaluate(const Caller& caller, const AuthzRequest& request) {
  auto set = PoliciesOf(caller);
  if (!set.ok()) return set.status();
  policy::EvaluationPolicies p;
  for (const auto& c : (*set)->identity) p.identity.push_back(c.get());
  for (const auto& c : (*set)->session) p.session.push_back(c.get());
  p.resource = request.resource_policy;
  policy::EvaluationRequest r;
  r.principal_arn = caller.arn;
  r.principal_account = caller.account_id;
  if (caller.is_session()) r.role_arn = caller.role_arn;
  r.user_id = caller.user_id;
  r.action = request.action;
  r.resource = request.resource;
  r.context = request.context;
  return policy::Evaluate(r, p);
}

std::string AccessDeniedMessage(std::string_view caller_arn, std::string_view action,
                                std::string_view resource, const policy::Decision& decision) {
  std::string m = "User: " + std::string(caller_arn) +
                  " is not authorized to perform: " + std::string(action) +
                  " on resource: " + std::string(resource);
  // AWS adds no reason when the role's trust policy is what rejects an AssumeRole.
  if (decision.missing != policy::MissingSide::kTrust) m += decision.AccessDeniedReason(action);
  return m;
}

std::string DecidingStatement(const policy::Decision& decision) {
  const bool want_deny = decision.kind == policy::DecisionKind::kExplicitDeny;
  for (const auto& e : decision.trace) {
    if (!e.effect || e.statement.empty()) continue;
    if ((*e.effect == policy::Effect::kDeny) == want_deny) return e.policy + "/" + e.statement;
  }
  return "";
}

}  // namespace cpa::server::api
