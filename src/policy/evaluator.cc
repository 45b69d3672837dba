#include "policy/evaluator.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace cpa::policy {
namespace {

enum class PType { kUser, kRoleSession, kFederatedUser, kRoot, kRole, kService, kAnonymous };

struct Principal {
  PType type = PType::kAnonymous;
  std::string_view arn;
  std::string_view account;
  std::string_view partition = "aws";
  std::string_view role_name;  // role sessions
  std::string_view user_name;  // IAM users
};

Principal Classify(const EvaluationRequest& r) {
  Principal p;
  p.arn = r.principal_arn;
  std::array<std::string_view, 6> s;
  if (r.principal_arn.empty() || r.principal_arn == "*" || r.principal_arn == "anonymous") {
    p.type = PType::kAnonymous;
  } else if (SplitArn(r.principal_arn, s)) {
    p.partition = s[1];
    p.account = s[4];
    std::string_view res = s[5];
    if (s[2] == "sts" && res.starts_with("assumed-role/")) {
      p.type = PType::kRoleSession;
      std::string_view rest = res.substr(13);
      p.role_name = rest.substr(0, rest.find('/'));
    } else if (s[2] == "sts" && res.starts_with("federated-user/")) {
      p.type = PType::kFederatedUser;
    } else if (res == "root") {
      p.type = PType::kRoot;
    } else if (res.starts_with("role/")) {
      p.type = PType::kRole;
    } else {
      p.type = PType::kUser;
      p.user_name = res.substr(res.rfind('/') + 1);
    }
  } else {
    p.type = PType::kService;
  }
  if (!r.principal_account.empty()) p.account = r.principal_account;
  return p;
}

std::string_view PrincipalTypeValue(PType t) {
  switch (t) {
    case PType::kUser:
      return "User";
    case PType::kRoleSession:
    case PType::kRole:
      return "AssumedRole";
    case PType::kFederatedUser:
      return "FederatedUser";
    case PType::kRoot:
      return "Account";
    case PType::kService:
      return "Service";
    case PType::kAnonymous:
      return "Anonymous";
  }
  return "";
}

// Per-call state; resolves condition keys and variables.
class State final : public VariableResolver {
 public:
  State(const EvaluationRequest& r, const Principal& p, std::string_view resource_account)
      : req_(r), p_(p), resource_account_(resource_account) {}

  ValueView Resolve(std::string_view key) const override {
    if (req_.context) {
      ValueView v = req_.context->Find(key);
      if (v.present()) return v;
    }
    if (!key.starts_with("aws:")) return {};
    std::string_view k = key.substr(4);
    if (k == "principalarn") {
      if (p_.type == PType::kRoleSession) return ValueView::Of(RoleArn());
      if (p_.type != PType::kAnonymous) return ValueView::Of(p_.arn);
    } else if (k == "principalaccount") {
      if (p_.type == PType::kAnonymous) return ValueView::Of("anonymous");
      if (!p_.account.empty()) return ValueView::Of(p_.account);
    } else if (k == "username") {
      if (p_.type == PType::kUser) return ValueView::Of(p_.user_name);
    } else if (k == "userid") {
      if (!req_.user_id.empty()) return ValueView::Of(req_.user_id);
      if (p_.type == PType::kRoot) return ValueView::Of(p_.account);
    } else if (k == "principaltype") {
      return ValueView::Of(PrincipalTypeValue(p_.type));
    } else if (k == "resourceaccount") {
      if (!resource_account_.empty()) return ValueView::Of(resource_account_);
    }
    return {};
  }

  // The session's role ARN: as given, or rebuilt from the session ARN (without a path).
  std::string_view RoleArn() const {
    if (!req_.role_arn.empty()) return req_.role_arn;
    if (role_arn_.empty()) {
      role_arn_ = "arn:" + std::string(p_.partition) + ":iam::" + std::string(p_.account) +
                  ":role/" + std::string(p_.role_name);
    }
    return role_arn_;
  }

  std::string scratch;

 private:
  const EvaluationRequest& req_;
  const Principal& p_;
  std::string_view resource_account_;
  mutable std::string role_arn_;
};

struct RequestResource {
  bool star = false;
  bool arn = false;
  std::array<std::string_view, 6> segs;
};

bool ActionMatches(const CompiledStatement& st, std::string_view action) {
  bool any = st.any_action;
  for (size_t i = 0; !any && i < st.actions.size(); ++i) any = st.actions[i].Match(action);
  return st.not_action ? !any : any;
}

bool ResourcePatternMatches(const CompiledResource& r, const RequestResource& rr, State& state) {
  if (r.any) return true;
  if (r.never || !rr.arn) return false;
  if (!r.dynamic) {
    for (size_t i = 0; i < 6; ++i) {
      if (!r.segments[i].Match(rr.segs[i])) return false;
    }
    return true;
  }
  for (size_t i = 0; i < 6; ++i) {
    state.scratch.clear();
    // An unresolved variable makes the pattern match nothing.
    if (!r.templates[i].ExpandGlob(state, state.scratch)) return false;
    if (!EscapedGlobMatch(state.scratch, rr.segs[i], false)) return false;
  }
  return true;
}

bool ResourceMatches(const CompiledStatement& st, const RequestResource& rr, State& state) {
  if (!st.has_resource) return true;
  bool any = false;
  for (size_t i = 0; !any && i < st.resources.size(); ++i) {
    any = ResourcePatternMatches(st.resources[i], rr, state);
  }
  return st.not_resource ? !any : any;
}

// How a resource-policy statement names the caller, weakest to strongest.
enum class PMatch { kNone, kAccount, kRole, kDirect };

bool RoleMatches(std::string_view pattern_arn, const Principal& p, const State& state,
                 const EvaluationRequest& req) {
  if (p.type != PType::kRoleSession) return false;
  if (!req.role_arn.empty()) return pattern_arn == req.role_arn;
  std::array<std::string_view, 6> s;
  if (!SplitArn(pattern_arn, s)) return false;
  if (s[1] != p.partition || s[2] != "iam" || !s[3].empty() || s[4] != p.account ||
      !s[5].starts_with("role/")) {
    return false;
  }
  return s[5].substr(s[5].rfind('/') + 1) == p.role_name;  // the path is not in the session ARN
}

PMatch MatchPrincipal(const CompiledStatement& st, const Principal& p, const State& state,
                      const EvaluationRequest& req) {
  if (st.principal_wildcard) return PMatch::kDirect;
  PMatch best = PMatch::kNone;
  const bool aws_principal = p.type != PType::kAnonymous && p.type != PType::kService;
  for (const CompiledPrincipal& e : st.principals) {
    switch (e.type) {
      case CompiledPrincipal::Type::kAws:
        if (!aws_principal) break;
        if (e.form == CompiledPrincipal::Form::kAny) return PMatch::kDirect;
        if (e.form == CompiledPrincipal::Form::kAccount) {
          if (e.value == p.account && best < PMatch::kAccount) best = PMatch::kAccount;
        } else if (e.value == p.arn) {
          return PMatch::kDirect;
        } else if (RoleMatches(e.value, p, state, req)) {
          best = PMatch::kRole;
        } else if (!req.user_id.empty() && e.value == req.user_id) {
          return PMatch::kDirect;  // unique principal id, as IAM stores saved trust policies
        }
        break;
      case CompiledPrincipal::Type::kService:
      case CompiledPrincipal::Type::kFederated:
      case CompiledPrincipal::Type::kCanonicalUser:
        if (!p.arn.empty() && e.value == p.arn) return PMatch::kDirect;
        break;
    }
  }
  return best;
}

// NotPrincipal: the statement applies unless the caller is exempted. As the UG warns, exempting
// a principal of an account also requires listing the account: AWS checks the account, then the
// role or user, then the session.
bool NotPrincipalApplies(const CompiledStatement& st, const Principal& p, const State& state,
                         const EvaluationRequest& req) {
  if (st.principal_wildcard) return false;
  bool account = false, self = false;
  for (const CompiledPrincipal& e : st.principals) {
    if (e.type != CompiledPrincipal::Type::kAws) {
      if (!p.arn.empty() && e.value == p.arn) return false;
      continue;
    }
    if (e.form == CompiledPrincipal::Form::kAny) return false;
    if (e.form == CompiledPrincipal::Form::kAccount && e.value == p.account) account = true;
    if (e.value == p.arn || RoleMatches(e.value, p, state, req)) self = true;
  }
  bool exempt = p.type == PType::kRoot ? account : (account && self);
  return !exempt;
}

struct Hit {
  const CompiledPolicy* policy = nullptr;
  const CompiledStatement* st = nullptr;
  explicit operator bool() const { return st != nullptr; }
};

struct SetOutcome {
  Hit allow, deny;
  Hit direct, via_role, via_account;  // resource-based policies: allows by principal match kind
};

class Evaluator {
 public:
  Evaluator(const EvaluationRequest& req, const EvaluationPolicies& pols,
            const EvaluateOptions& opt)
      : req_(req),
        pols_(pols),
        opt_(opt),
        p_(Classify(req)),
        racct_(ResourceAccount()),
        state_(req, p_, racct_) {
    rr_.star = req.resource == "*" || req.resource.empty();
    rr_.arn = !rr_.star && SplitArn(req.resource, rr_.segs);
  }

  Decision Run();

 private:
  std::string_view ResourceAccount() const {
    if (!req_.resource_account.empty()) return req_.resource_account;
    std::array<std::string_view, 6> s;
    if (req_.resource != "*" && SplitArn(req_.resource, s) && !s[4].empty()) return s[4];
    return p_.account;
  }

  // Returns kNone when the statement does not apply.
  PMatch Applies(const CompiledStatement& st, bool resource_based) {
    if (!ActionMatches(st, req_.action)) return PMatch::kNone;
    PMatch m = PMatch::kDirect;
    if (st.has_principal) {
      m = st.not_principal
              ? (NotPrincipalApplies(st, p_, state_, req_) ? PMatch::kDirect : PMatch::kNone)
              : MatchPrincipal(st, p_, state_, req_);
      if (m == PMatch::kNone) return m;
    } else if (resource_based) {
      return PMatch::kNone;  // a resource-based statement without Principal grants no one
    }
    if (!ResourceMatches(st, rr_, state_)) return PMatch::kNone;
    for (const Condition& c : st.conditions) {
      if (!c.Evaluate(state_, state_.scratch)) return PMatch::kNone;
    }
    return m;
  }

  SetOutcome EvalSet(const CompiledPolicy* const* begin, const CompiledPolicy* const* end,
                     bool resource_based) {
    SetOutcome out;
    for (auto it = begin; it != end; ++it) {
      const CompiledPolicy* pol = *it;
      if (!pol) continue;
      for (const CompiledStatement& st : pol->statements()) {
        PMatch m = Applies(st, resource_based);
        if (m == PMatch::kNone) continue;
        Hit h{pol, &st};
        if (st.effect == Effect::kDeny) {
          out.deny = h;
          return out;  // an explicit deny decides; no need to look further
        }
        if (!out.allow) out.allow = h;
        Hit& slot = m == PMatch::kDirect ? out.direct
                    : m == PMatch::kRole ? out.via_role
                                         : out.via_account;
        if (!slot) slot = h;
      }
    }
    return out;
  }

  // Builds a message with one allocation.
  static std::string Cat(std::initializer_list<std::string_view> parts) {
    size_t n = 0;
    for (std::string_view p : parts) n += p.size();
    std::string out;
    out.reserve(n);
    for (std::string_view p : parts) out += p;
    return out;
  }

  // How a policy is referred to in messages, as parts to concatenate. Resource-based policies
  // are known by what they are attached to (their name is still in the entry's policy field).
  std::array<std::string_view, 4> RefParts(PolicyRole role, const CompiledPolicy* pol) const {
    std::string_view name = pol ? std::string_view(pol->name()) : std::string_view();
    std::string_view what;
    switch (role) {
      case PolicyRole::kIdentity:
        what = "identity policy";
        break;
      case PolicyRole::kPermissionsBoundary:
        what = "permissions boundary";
        break;
      case PolicyRole::kSession:
        what = "session policy";
        break;
      case PolicyRole::kResource:
        return {"resource policy of account ", racct_, " ", ""};
      case PolicyRole::kTrust:
        return {"trust policy of ", req_.resource, " ", ""};
      case PolicyRole::kNone:
        return {"", "", "", ""};
    }
    if (name.empty()) return {what, " ", "", ""};
    return {what, " '", name, "' "};
  }

  std::string_view PrincipalText() const {
    return p_.arn.empty() ? std::string_view("an anonymous caller") : p_.arn;
  }

  TraceEntry& NewEntry(PolicyRole role, const CompiledPolicy* pol) {
    if (decision_.trace.empty()) decision_.trace.reserve(4);
    TraceEntry& e = decision_.trace.emplace_back();
    e.role = role;
    if (pol) e.policy = pol->name();
    return e;
  }

  // Records a matching statement; `tail` parts are appended to the message.
  void AddHit(PolicyRole role, const Hit& h, std::initializer_list<std::string_view> tail = {}) {
    if (!opt_.trace) return;
    TraceEntry& e = NewEntry(role, h.policy);
    e.statement = h.st->label;
    e.effect = h.st->effect;
    const bool res = role == PolicyRole::kResource || role == PolicyRole::kTrust;
    auto ref = RefParts(role, h.policy);
    e.message = Cat({ref[0], ref[1], ref[2], ref[3], "statement '", h.st->label, "' ",
                     h.st->effect == Effect::kDeny ? "explicitly denies " : "allows ", req_.action,
                     res ? " to " : " on ", res ? PrincipalText() : req_.resource});
    for (std::string_view t : tail) e.message += t;
  }

  // Records an explanation; nothing is built when tracing is off.
  void Note(PolicyRole role, const CompiledPolicy* pol,
            std::initializer_list<std::string_view> parts) {
    if (!opt_.trace) return;
    NewEntry(role, pol).message = Cat(parts);
  }

  Decision Finish(DecisionKind kind, MissingSide missing = MissingSide::kNone) {
    decision_.kind = kind;
    decision_.missing = missing;
    return std::move(decision_);
  }

  const EvaluationRequest& req_;
  const EvaluationPolicies& pols_;
  const EvaluateOptions& opt_;
  struct Principal p_;
  std::string_view racct_;
  State state_;
  RequestResource rr_;
  Decision decision_;
};

bool IsAssumeRoleAction(std::string_view action) {
  return core::AsciiIEquals(action, "sts:AssumeRole") ||
         core::AsciiIEquals(action, "sts:AssumeRoleWithSAML") ||
         core::AsciiIEquals(action, "sts:AssumeRoleWithWebIdentity");
}

Decision Evaluator::Run() {
  if (core::AsciiIEquals(req_.action, "sts:GetCallerIdentity") && p_.type != PType::kAnonymous) {
    Note(PolicyRole::kNone, nullptr,
         {"sts:GetCallerIdentity needs no permission; it is always allowed"});
    return Finish(DecisionKind::kAllowed);
  }

  const bool trust_required = (pols_.resource && pols_.resource->kind() == PolicyKind::kTrust) ||
                              IsAssumeRoleAction(req_.action);
  const PolicyRole res_role = trust_required ? PolicyRole::kTrust : PolicyRole::kResource;
  const bool same_account = racct_ == p_.account;

  // Evaluate every set; an explicit deny anywhere decides.
  const auto& ids = pols_.identity;
  SetOutcome id = EvalSet(ids.data(), ids.data() + ids.size(), false);
  if (id.deny) {
    AddHit(PolicyRole::kIdentity, id.deny);
    return Finish(DecisionKind::kExplicitDeny);
  }
  const bool has_boundary = pols_.permissions_boundary != nullptr;
  SetOutcome bd;
  if (has_boundary) {
    bd = EvalSet(&pols_.permissions_boundary, &pols_.permissions_boundary + 1, false);
    if (bd.deny) {
      AddHit(PolicyRole::kPermissionsBoundary, bd.deny);
      return Finish(DecisionKind::kExplicitDeny);
    }
  }
  const bool has_session = !pols_.session.empty();
  SetOutcome ss;
  if (has_session) {
    ss = EvalSet(pols_.session.data(), pols_.session.data() + pols_.session.size(), false);
    if (ss.deny) {
      AddHit(PolicyRole::kSession, ss.deny);
      return Finish(DecisionKind::kExplicitDeny);
    }
  }
  // Resource-less actions are authorized on "*": a resource policy can neither grant nor deny.
  const bool use_resource = pols_.resource != nullptr && !rr_.star;
  SetOutcome rs;
  if (use_resource) {
    rs = EvalSet(&pols_.resource, &pols_.resource + 1, true);
    if (rs.deny) {
      AddHit(res_role, rs.deny);
      return Finish(DecisionKind::kExplicitDeny);
    }
  } else if (pols_.resource != nullptr) {
    Note(res_role, pols_.resource,
         {req_.action,
          " has no resource type (resource \"*\"), so resource-based policies do not apply"});
  }

  if (p_.type == PType::kRoot && same_account && !trust_required) {
    Note(PolicyRole::kNone, nullptr,
         {PrincipalText(), " is the root user of account ", p_.account,
          ", which has full access to it"});
    return Finish(DecisionKind::kAllowed);
  }

  // Identity side, limited by the boundary and the session policies.
  const bool boundary_ok = !has_boundary || bd.allow;
  const bool session_ok =
      has_session ? static_cast<bool>(ss.allow) : !req_.federation_token_session;
  const bool id_allow = id.allow && boundary_ok && session_ok;

  if (id.allow) AddHit(PolicyRole::kIdentity, id.allow);
  if (has_boundary && bd.allow) AddHit(PolicyRole::kPermissionsBoundary, bd.allow);
  if (has_session && ss.allow) AddHit(PolicyRole::kSession, ss.allow);

  // Explains why the identity side does not count.
  auto explain_identity = [&]() -> MissingSide {
    if (!id.allow) {
      Note(PolicyRole::kIdentity, nullptr,
           {"no identity policy of ", PrincipalText(), " allows ", req_.action, " on ",
            req_.resource});
      return MissingSide::kIdentity;
    }
    if (!boundary_ok) {
      auto ref = RefParts(PolicyRole::kPermissionsBoundary, pols_.permissions_boundary);
      Note(PolicyRole::kPermissionsBoundary, pols_.permissions_boundary,
           {ref[0], ref[1], ref[2], ref[3], "does not allow ", req_.action, " on ", req_.resource});
      return MissingSide::kPermissionsBoundary;
    }
    if (!session_ok) {
      if (has_session) {
        Note(PolicyRole::kSession, nullptr,
             {"no session policy allows ", req_.action, " on ", req_.resource});
      } else {
        Note(PolicyRole::kSession, nullptr,
             {"a GetFederationToken session without a session policy has no permissions"});
      }
      return MissingSide::kSession;
    }
    return MissingSide::kNone;
  };

  // Resource side.
  if (use_resource && opt_.trace) {
    if (rs.direct) {
      AddHit(res_role, rs.direct,
             {rs.direct.st->principal_wildcard ? " (names every principal \"*\")"
                                               : " (names the principal itself)"});
    } else if (rs.via_role) {
      AddHit(res_role, rs.via_role, {" (names its role ", state_.RoleArn(), ")"});
    } else if (rs.via_account) {
      AddHit(res_role, rs.via_account,
             {" (names its account ", p_.account,
              ", which delegates to the account's identity policies)"});
    }
  }

  if (p_.type == PType::kAnonymous || p_.type == PType::kService) {
    if (use_resource && rs.direct) return Finish(DecisionKind::kAllowed);
    Note(res_role, nullptr,
         {"no resource-based policy allows ", req_.action, " on ", req_.resource, " to ",
          PrincipalText()});
    return Finish(DecisionKind::kImplicitDeny, MissingSide::kResource);
  }

  const bool role_ok = rs.via_role && boundary_ok && session_ok;
  if (trust_required) {
    if (pols_.resource == nullptr) {
      Note(PolicyRole::kTrust, nullptr,
           {"role ", req_.resource, " has no trust policy; a trust policy must name the caller"});
      return Finish(DecisionKind::kImplicitDeny, MissingSide::kTrust);
    }
    if (!rs.allow) {
      Note(PolicyRole::kTrust, pols_.resource,
           {"trust policy of ", req_.resource, " does not allow ", PrincipalText(), " to ",
            req_.action, " (a trust policy must name the caller, its role or its account)"});
      return Finish(DecisionKind::kImplicitDeny, MissingSide::kTrust);
    }
    const bool trusted_strongly = rs.direct || role_ok;
    if (same_account && trusted_strongly) return Finish(DecisionKind::kAllowed);
    if (id_allow) {
      Note(PolicyRole::kNone, nullptr,
           {same_account ? "same account" : "cross-account",
            ": the trust policy and the identity side both allow"});
      return Finish(DecisionKind::kAllowed);
    }
    MissingSide m = explain_identity();
    if (rs.via_account && !trusted_strongly) {
      Note(PolicyRole::kTrust, nullptr,
           {"the trust policy names account ", p_.account,
            " only, so an identity policy in that account must allow ", req_.action, " on ",
            req_.resource});
    } else if (!same_account) {
      Note(PolicyRole::kNone, nullptr,
           {"cross-account: the identity side in account ", p_.account,
            " must allow as well as the trust policy"});
    }
    return Finish(DecisionKind::kImplicitDeny, m);
  }

  if (same_account) {
    if (use_resource && (rs.direct || role_ok)) return Finish(DecisionKind::kAllowed);
    if (id_allow) return Finish(DecisionKind::kAllowed);
    MissingSide m = explain_identity();
    if (use_resource && rs.via_account) {
      Note(PolicyRole::kResource, nullptr,
           {"the resource policy names account ", p_.account,
            ", which grants nothing by itself: an identity policy must allow"});
    }
    return Finish(DecisionKind::kImplicitDeny, m);
  }

  // Cross-account: both sides.
  const bool resource_ok = use_resource && rs.allow;
  if (resource_ok && id_allow) {
    Note(PolicyRole::kNone, nullptr,
         {"cross-account: the identity side in account ", p_.account,
          " and the resource policy of account ", racct_, " both allow"});
    return Finish(DecisionKind::kAllowed);
  }
  MissingSide m = MissingSide::kNone;
  if (!id_allow) m = explain_identity();
  if (!resource_ok) {
    if (pols_.resource == nullptr) {
      Note(PolicyRole::kResource, nullptr,
           {"cross-account: account ", racct_, " has no resource policy on ", req_.resource,
            " allowing ", PrincipalText()});
    } else {
      Note(PolicyRole::kResource, pols_.resource,
           {"cross-account: resource policy of account ", racct_, " does not allow ",
            PrincipalText()});
    }
    if (m == MissingSide::kNone) m = MissingSide::kResource;
  }
  return Finish(DecisionKind::kImplicitDeny, m);
}

}  // namespace

std::string_view DecisionKindName(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kAllowed:
      return "allowed";
    case DecisionKind::kExplicitDeny:
      return "explicitDeny";
    case DecisionKind::kImplicitDeny:
      return "implicitDeny";
  }
  return "implicitDeny";
}

std::string_view PolicyRoleName(PolicyRole role) {
  switch (role) {
    case PolicyRole::kNone:
      return "";
    case PolicyRole::kIdentity:
      return "identity";
    case PolicyRole::kResource:
      return "resource";
    case PolicyRole::kTrust:
      return "trust";
    case PolicyRole::kPermissionsBoundary:
      return "permissionsBoundary";
    case PolicyRole::kSession:
      return "session";
  }
  return "";
}

std::string Decision::ToText() const {
  std::string out = "decision: ";
  out += DecisionKindName(kind);
  out += '\n';
  for (const TraceEntry& e : trace) {
    out += "  - ";
    out += e.message;
    out += '\n';
  }
  return out;
}

std::string Decision::ToJson(int indent) const {
  nlohmann::json j;
  j["decision"] = DecisionKindName(kind);
  nlohmann::json arr = nlohmann::json::array();
  for (const TraceEntry& e : trace) {
    nlohmann::json t = nlohmann::json::object();
    if (e.role != PolicyRole::kNone) t["policyType"] = PolicyRoleName(e.role);
    if (!e.policy.empty()) t["policy"] = e.policy;
    if (!e.statement.empty()) t["statement"] = e.statement;
    if (e.effect) t["effect"] = *e.effect == Effect::kAllow ? "Allow" : "Deny";
    t["message"] = e.message;
    arr.push_back(std::move(t));
  }
  j["trace"] = std::move(arr);
  // Trace strings come from validated policies and requests; replace rather than throw on any
  // invalid UTF-8 that a caller-supplied request might carry.
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Decision::AccessDeniedReason(std::string_view action) const {
  std::string a(action);
  switch (kind) {
    case DecisionKind::kAllowed:
      return "";
    case DecisionKind::kExplicitDeny:
      // AWS names the kind of policy that denied (the trace says which, when it was kept).
      for (const TraceEntry& e : trace) {
        if (!e.effect || *e.effect != Effect::kDeny) continue;
        switch (e.role) {
          case PolicyRole::kIdentity:
            return " with an explicit deny in an identity-based policy";
          case PolicyRole::kResource:
          case PolicyRole::kTrust:
            return " with an explicit deny in a resource-based policy";
          case PolicyRole::kPermissionsBoundary:
            return " with an explicit deny in a permissions boundary";
          case PolicyRole::kSession:
            return " with an explicit deny in a session policy";
          case PolicyRole::kNone:
            break;
        }
      }
      return " with an explicit deny";
    case DecisionKind::kImplicitDeny:
      break;
  }
  switch (missing) {
    case MissingSide::kIdentity:
      return " because no identity-based policy allows the " + a + " action";
    case MissingSide::kResource:
    case MissingSide::kTrust:
      return " because no resource-based policy allows the " + a + " action";
    case MissingSide::kPermissionsBoundary:
      return " because no permissions boundary allows the " + a + " action";
    case MissingSide::kSession:
      return " because no session policy allows the " + a + " action";
    case MissingSide::kNone:
      break;
  }
  return "";
}

Decision Evaluate(const EvaluationRequest& request, const EvaluationPolicies& policies,
                  const EvaluateOptions& options) {
  Evaluator e(request, policies, options);
  return e.Run();
}

}  // namespace cpa::policy
