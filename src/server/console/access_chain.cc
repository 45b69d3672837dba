#include "server/console/access_chain.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/arn.h"
#include "core/encoding.h"
#include "core/packages_registries.h"
#include "policy/compiled.h"
#include "policy/document.h"
#include "policy/evaluator.h"
#include "policy/glob.h"
#include "share/config.h"

namespace cpa::server::console {

namespace {

using nlohmann::json;

// How many users and roles of the signed-in account are evaluated as possible assumers.
constexpr size_t kMaxPrincipals = 100;
// The repository a pull of the curated packages starts with (the bundle), as `cpa doctor` reads.
constexpr std::string_view kBundleRepository = "eks-anywhere-packages-bundles";

Reply Error(int status, std::string code, std::string message) {
  return {status, {{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}}};
}

std::string Describe(const Reply& r) {
  return r.code() + ": " + r.body["error"].value("message", "");
}

// The API as the signed-in principal.
class Api {
 public:
  explicit Api(const ChainContext& ctx) : ctx_(ctx) {}

  Reply Iam(std::string_view action, QueryParamList params = {}) const {
    return ctx_.bridge.Query(ctx_.credentials, "iam", action, params, ctx_.remote_address);
  }

  // Every page of an IAM list action (Marker/IsTruncated), up to `limit` members.
  Reply IamAll(std::string_view action, const std::string& member, QueryParamList params,
               size_t limit = 1000) const {
    json all = json::array();
    std::string marker;
    for (int page = 0; page < 50; ++page) {
      QueryParamList p = params;
      if (!marker.empty()) p.emplace_back("Marker", marker);
      Reply r = Iam(action, p);
      if (!r.ok()) return r;
      const json& result = r.body["result"];
      if (result.contains(member) && result[member].is_array()) {
        for (const json& m : result[member]) {
          if (all.size() < limit) all.push_back(m);
        }
      }
      if (result.value("IsTruncated", "") != "true" || all.size() >= limit) break;
      marker = result.value("Marker", "");
      if (marker.empty()) break;
    }
    return {200, {{"result", all}}};
  }

  // The document of a managed policy (its default version), cached by ARN.
  Reply ManagedDocument(const std::string& arn) {
    if (auto it = managed_.find(arn); it != managed_.end()) return it->second;
    Reply p = Iam("GetPolicy", {{"PolicyArn", arn}});
    Reply out = p;
    if (p.ok()) {
      std::string version = p.body["result"]["Policy"].value("DefaultVersionId", "");
      Reply v = Iam("GetPolicyVersion", {{"PolicyArn", arn}, {"VersionId", version}});
      out = v.ok()
                ? Reply{200, {{"result", v.body["result"]["PolicyVersion"].value("Document", "")}}}
                : v;
    }
    managed_[arn] = out;
    return out;
  }

  const ChainContext& ctx() const { return ctx_; }

 private:
  const ChainContext& ctx_;
  std::map<std::string, Reply> managed_;
};

std::string Decode(const std::string& encoded) {
  auto d = core::UriDecode(encoded);
  return d.ok() ? *d : encoded;
}

// A compiled policy with the name traces use.
struct Named {
  std::string name;
  std::string document;
  std::shared_ptr<const policy::CompiledPolicy> compiled;
};

// The identity policies of a user or role ("user" / "role"), fetched through the API. On a
// refusal the error names what could not be read.
Reply IdentityPolicies(Api& api, const std::string& type, const std::string& name,
                       std::vector<Named>* out) {
  const bool user = type == "user";
  const std::string key = user ? "UserName" : "RoleName";
  Reply attached = api.IamAll(user ? "ListAttachedUserPolicies" : "ListAttachedRolePolicies",
                              "AttachedPolicies", {{key, name}});
  if (!attached.ok()) return attached;
  for (const json& p : attached.body["result"]) {
    Reply doc = api.ManagedDocument(p.value("PolicyArn", ""));
    if (!doc.ok()) return doc;
    out->push_back({p.value("PolicyName", ""), Decode(doc.body["result"].get<std::string>()), {}});
  }
  Reply inline_names =
      api.IamAll(user ? "ListUserPolicies" : "ListRolePolicies", "PolicyNames", {{key, name}});
  if (!inline_names.ok()) return inline_names;
  for (const json& n : inline_names.body["result"]) {
    const std::string policy_name = n.is_string() ? n.get<std::string>() : "";
    Reply doc = api.Iam(user ? "GetUserPolicy" : "GetRolePolicy",
                        {{key, name}, {"PolicyName", policy_name}});
    if (!doc.ok()) return doc;
    out->push_back(
        {policy_name + " (inline)", Decode(doc.body["result"].value("PolicyDocument", "")), {}});
  }
  for (Named& n : *out) {
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kIdentity;
    auto c = policy::CompiledPolicy::FromJson(n.document, o, n.name);
    if (c.ok()) n.compiled = std::make_shared<const policy::CompiledPolicy>(std::move(*c));
  }
  return {200, json::object()};
}

std::vector<const policy::CompiledPolicy*> Pointers(const std::vector<Named>& named) {
  std::vector<const policy::CompiledPolicy*> out;
  for (const Named& n : named) {
    if (n.compiled) out.push_back(n.compiled.get());
  }
  return out;
}

// The statement entries of a decision's trace, as sentences and as (policy, statement) pairs.
json TraceJson(const policy::Decision& d, bool only_statements = false) {
  json out = json::array();
  for (const auto& e : d.trace) {
    if (only_statements && e.statement.empty()) continue;
    json t = {{"policyType", std::string(policy::PolicyRoleName(e.role))}, {"message", e.message}};
    if (!e.policy.empty()) t["policy"] = e.policy;
    if (!e.statement.empty()) t["statement"] = e.statement;
    if (e.effect) t["effect"] = *e.effect == policy::Effect::kAllow ? "Allow" : "Deny";
    out.push_back(t);
  }
  return out;
}

bool ActionCovers(const policy::Statement& s, std::string_view action) {
  bool any = false;
  for (const std::string& a : s.actions) {
    if (policy::GlobMatch(a, action, /*ignore_case=*/true)) any = true;
  }
  return s.not_action ? !any : any;
}

std::string StatementLabel(const policy::Statement& s, size_t index) {
  return s.sid ? "'" + *s.sid + "'" : "#" + std::to_string(index + 1);
}

std::string ConditionText(const policy::Statement& s) {
  std::string out;
  for (const auto& c : s.conditions) {
    if (!out.empty()) out += " and ";
    out += c.op + " " + c.key + " [";
    for (size_t i = 0; i < c.values.size(); ++i) out += (i ? ", " : "") + c.values[i];
    out += "]";
  }
  return out;
}

// The node id and kind of a principal named in a trust policy.
std::pair<std::string, std::string> PrincipalNode(const std::string& value) {
  if (value == "*") return {"*", "anyone"};
  if (core::IsAccountId(value)) return {"arn:aws:iam::" + value + ":root", "account"};
  auto arn = core::Arn::Parse(value);
  if (arn.ok() && arn->resource == "root") return {value, "account"};
  if (arn.ok() && arn->ResourceType() == "user") return {value, "user"};
  if (arn.ok() && arn->ResourceType() == "role") return {value, "role"};
  return {value, "principal"};
}

std::string AccountOf(const std::string& principal) {
  if (core::IsAccountId(principal)) return principal;
  auto arn = core::Arn::Parse(principal);
  return arn.ok() ? arn->account : "";
}

struct Graph {
  json nodes = json::array();
  json edges = json::array();
  json notes = json::array();
  std::map<std::string, bool> seen;

  void Node(const std::string& id, const std::string& kind, const std::string& label,
            const std::string& detail = "") {
    if (seen[id]) return;
    seen[id] = true;
    json n = {{"id", id}, {"kind", kind}, {"label", label}};
    if (!detail.empty()) n["detail"] = detail;
    nodes.push_back(n);
  }
  void Edge(const std::string& from, const std::string& to, const std::string& action,
            const std::string& status, json explanation) {
    edges.push_back({{"from", from},
                     {"to", to},
                     {"action", action},
                     {"status", status},
                     {"explanation", std::move(explanation)}});
  }
};

std::string Label(const std::string& arn) {
  auto a = core::Arn::Parse(arn);
  if (!a.ok()) return arn;
  if (a->resource == "root") return "account " + a->account;
  std::string_view id = a->ResourceId();
  return std::string(a->ResourceType()) + " " + std::string(id.substr(id.rfind('/') + 1)) + " (" +
         a->account + ")";
}

}  // namespace

Reply RoleAccessChain(const ChainContext& ctx, const json& input) {
  Api api(ctx);
  const std::string& me = ctx.principal.account_id;
  std::string role_arn = input.value("roleArn", "");
  std::string role_name = input.value("roleName", "");
  if (role_arn.empty() && role_name.empty()) {
    return Error(400, "InvalidRequest", "Give roleName or roleArn.");
  }
  if (!role_arn.empty()) {
    auto arn = core::Arn::Parse(role_arn);
    if (!arn.ok() || arn->service != "iam" || arn->ResourceType() != "role") {
      return Error(400, "InvalidRequest", "Not a role ARN: " + role_arn);
    }
    std::string_view id = arn->ResourceId();
    role_name = std::string(id.substr(id.rfind('/') + 1));
  }
  const std::string role_account = role_arn.empty() ? me : AccountOf(role_arn);
  const bool own_role = role_account == me;

  Graph g;
  std::optional<policy::CompiledPolicy> trust;
  std::optional<policy::PolicyDocument> trust_doc;
  std::string trust_text;
  if (own_role) {
    Reply role = api.Iam("GetRole", {{"RoleName", role_name}});
    if (!role.ok()) return role;
    const json& r = role.body["result"]["Role"];
    role_arn = r.value("Arn", role_arn);
    trust_text = Decode(r.value("AssumeRolePolicyDocument", ""));
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kTrust;
    auto parsed = policy::ParsePolicy(trust_text, o);
    if (parsed.ok()) {
      trust_doc = *parsed;
      auto c = policy::CompiledPolicy::Compile(*parsed, "trust policy of " + role_name);
      if (c.ok()) trust = std::move(*c);
    }
  } else {
    g.notes.push_back("The trust policy of " + role_arn + " is in account " + role_account +
                      ", which " + ctx.principal.arn +
                      " cannot read: edges into the role show only this account's side.");
  }
  g.Node(role_arn, "role", "role " + role_name, own_role ? "" : "trust policy not visible");

  // ---- who may assume it: the principals the trust policy names ----
  if (trust_doc) {
    for (size_t i = 0; i < trust_doc->statements.size(); ++i) {
      const policy::Statement& s = trust_doc->statements[i];
      if (!s.principal || !ActionCovers(s, "sts:AssumeRole")) continue;
      std::vector<std::pair<std::string, std::string>> named;  // (value, type)
      if (s.principal->wildcard) named.emplace_back("*", "AWS");
      for (const auto& v : s.principal->aws) named.emplace_back(v, "AWS");
      for (const auto& v : s.principal->service) named.emplace_back(v, "Service");
      for (const auto& v : s.principal->federated) named.emplace_back(v, "Federated");
      for (const auto& [value, type] : named) {
        auto [id, kind] = type == "AWS" ? PrincipalNode(value)
                                        : std::pair<std::string, std::string>{value, "service"};
        std::string label = kind == "account"  ? "account " + AccountOf(id)
                            : kind == "anyone" ? "anyone (*)"
                                               : (type == "AWS" ? Label(id) : value);
        g.Node(id, kind, label, type == "AWS" ? "" : type);
        const std::string cond = ConditionText(s);
        json why = json::array();
        const bool allow = s.effect == policy::Effect::kAllow;
        why.push_back({{"policyType", "trust"},
                       {"policy", "trust policy of " + role_name},
                       {"statement", StatementLabel(s, i)},
                       {"effect", allow ? "Allow" : "Deny"},
                       {"message", "Trust policy statement " + StatementLabel(s, i) + " " +
                                       (allow ? "allows " : "denies ") + value + " sts:AssumeRole" +
                                       (cond.empty() ? "" : " when " + cond) + "."}});
        std::string status = allow ? "allowed" : "denied";
        const std::string account = AccountOf(id);
        if (allow && kind == "account" && account != role_account) {
          status = account == me ? "allowed" : "unknown";
          why.push_back({{"policyType", "identity"},
                         {"message", "Account " + account +
                                         " decides which of its users and roles may: their "
                                         "identity policies must allow sts:AssumeRole on " +
                                         role_arn + "." +
                                         (account == me ? ""
                                                        : " Not visible to " + ctx.principal.arn +
                                                              ": sign in to account " + account +
                                                              " to see them.")}});
        } else if (allow && kind == "account") {
          why.push_back({{"policyType", "identity"},
                         {"message",
                          "The account's own users and roles still need an identity "
                          "policy that allows sts:AssumeRole on the role (see them "
                          "below)."}});
        }
        if (allow && !cond.empty() && status == "allowed") status = "conditional";
        g.Edge(id, role_arn, "sts:AssumeRole", status, why);
      }
    }
  }

  // ---- the signed-in account's own users and roles, decided by the engine ----
  auto consider = [&](const std::string& arn, const std::string& type, const std::string& name) {
    std::vector<Named> policies;
    Reply r = IdentityPolicies(api, type, name, &policies);
    if (!r.ok()) {
      g.notes.push_back("The policies of " + arn + " are not visible: " + Describe(r));
      return;
    }
    policy::EvaluationRequest req;
    std::string session_arn;
    if (type == "role") {
      if (arn == role_arn) return;
      session_arn = "arn:aws:sts::" + me + ":assumed-role/" + name + "/console";
      req.principal_arn = session_arn;
      req.role_arn = arn;
    } else {
      req.principal_arn = arn;
    }
    req.action = "sts:AssumeRole";
    req.resource = role_arn;
    policy::EvaluationPolicies pols;
    pols.identity = Pointers(policies);
    // Without the trust policy (a role of another account), one that trusts this principal
    // stands in: across accounts both sides must allow, so the decision is the identity side's.
    std::optional<policy::CompiledPolicy> stand_in;
    if (trust) {
      pols.resource = &*trust;
    } else {
      policy::ParseOptions o;
      o.kind = policy::PolicyKind::kTrust;
      auto c = policy::CompiledPolicy::FromJson(json{{"Version", "2012-10-17"},
                                                     {"Statement",
                                                      {{{"Effect", "Allow"},
                                                        {"Principal", {{"AWS", arn}}},
                                                        {"Action", "sts:AssumeRole"}}}}}
                                                    .dump(),
                                                o, "stand-in trust policy");
      if (!c.ok()) return;
      stand_in = std::move(*c);
      pols.resource = &*stand_in;
    }
    policy::Decision d = policy::Evaluate(req, pols);
    if (!d.allowed()) return;  // only principals that may assume it are drawn
    json why = TraceJson(d, true);
    if (!trust) {
      json identity = json::array();
      for (const json& e : why) {
        if (e.value("policyType", "") == "identity") identity.push_back(e);
      }
      identity.push_back({{"policyType", "trust"},
                          {"message", "The role's trust policy (account " + role_account +
                                          ") must trust this principal or its account; it is "
                                          "not visible to " +
                                          ctx.principal.arn + "."}});
      why = identity;
    }
    g.Node(arn, type, Label(arn));
    g.Edge(arn, role_arn, "sts:AssumeRole", trust ? "allowed" : "unknown", why);
  };
  Reply users = api.IamAll("ListUsers", "Users", {}, kMaxPrincipals);
  if (users.ok()) {
    for (const json& u : users.body["result"]) {
      consider(u.value("Arn", ""), "user", u.value("UserName", ""));
    }
  } else {
    g.notes.push_back("The users of account " + me + " are not visible: " + Describe(users));
  }
  Reply roles = api.IamAll("ListRoles", "Roles", {}, kMaxPrincipals);
  if (roles.ok()) {
    for (const json& r : roles.body["result"]) {
      consider(r.value("Arn", ""), "role", r.value("RoleName", ""));
    }
  } else {
    g.notes.push_back("The roles of account " + me + " are not visible: " + Describe(roles));
  }

  // ---- what it may pull: the packages registries of the regions with an active subscription ----
  if (own_role) {
    std::vector<Named> role_policies;
    Reply rp = IdentityPolicies(api, "role", role_name, &role_policies);
    if (!rp.ok()) {
      g.notes.push_back("The role's permissions are not visible: " + Describe(rp));
    } else {
      const std::string session = "arn:aws:sts::" + me + ":assumed-role/" + role_name + "/console";
      size_t active_regions = 0;
      std::string eks_error;
      for (const auto& row : core::kPackagesRegistryAccounts) {
        const std::string region(row.region);
        Reply list = ctx.bridge.RestJson(ctx.credentials, "eks", region, "GET",
                                         "/eks-anywhere-subscriptions?maxResults=100"
                                         "&includeStatus=ACTIVE",
                                         "", ctx.remote_address);
        if (!list.ok()) {
          eks_error = Describe(list);
          break;
        }
        const json& subs = list.body["result"].value("subscriptions", json::array());
        if (subs.empty()) continue;
        ++active_regions;
        const json& sub = subs[0];
        const std::string host =
            std::string(row.account_id) + ".dkr.ecr." + region + "." + ctx.registry_domain;
        g.Node(host, "registry", host, "packages account " + std::string(row.account_id));
        const std::string repo = "arn:aws:ecr:" + region + ":" + std::string(row.account_id) +
                                 ":repository/" + std::string(kBundleRepository);
        json why = json::array();
        bool all = true;
        for (const auto& [action, resource] : std::vector<std::pair<std::string, std::string>>{
                 {"ecr:GetAuthorizationToken", "*"},
                 {"ecr:BatchGetImage", repo},
                 {"ecr:GetDownloadUrlForLayer", repo}}) {
          policy::EvaluationRequest req;
          req.principal_arn = session;
          req.role_arn = role_arn;
          req.action = action;
          req.resource = resource;
          req.resource_account = me;  // the identity side; the repository side follows
          policy::EvaluationPolicies pols;
          pols.identity = Pointers(role_policies);
          policy::Decision d = policy::Evaluate(req, pols);
          all = all && d.allowed();
          json t = TraceJson(d, true);
          if (t.empty()) {
            t.push_back({{"policyType", "identity"},
                         {"message", "No identity policy of the role allows " + action + " on " +
                                         resource + "."}});
          }
          for (json& e : t) why.push_back(e);
        }
        why.push_back(
            {{"policyType", "resource"},
             {"policy", "repository policy of " + std::string(row.account_id)},
             {"message", "The curated packages repositories of " + std::string(row.account_id) +
                             " in " + region + " grant pull access to account " + me +
                             " while its EKS Anywhere subscription '" +
                             sub.value("name", std::string()) + "' (" +
                             sub.value("id", std::string()) + ") is ACTIVE."}});
        g.Edge(role_arn, host, "pull", all ? "allowed" : "denied", why);
      }
      if (!eks_error.empty()) {
        g.notes.push_back("The EKS Anywhere subscriptions of account " + me +
                          " are not visible: " + eks_error);
      } else if (active_regions == 0) {
        g.notes.push_back("Account " + me +
                          " has no active EKS Anywhere subscription: no packages registry grants "
                          "it pull access.");
      }
    }
  }

  json out = {{"role", {{"name", role_name}, {"arn", role_arn}, {"account", role_account}}},
              {"signedInAs", ctx.principal.arn},
              {"nodes", g.nodes},
              {"edges", g.edges},
              {"notes", g.notes}};
  if (!trust_text.empty()) out["trustPolicy"] = trust_text;
  return {200, out};
}

// ---- the `cpa doctor` links ----

namespace {

class Links {
 public:
  void Ok(std::string name, std::string detail) {
    links_.push_back({{"link", std::move(name)}, {"status", "ok"}, {"detail", std::move(detail)}});
  }
  void Fail(std::string name, std::string cause, std::string fix) {
    links_.push_back({{"link", std::move(name)},
                      {"status", "fail"},
                      {"cause", std::move(cause)},
                      {"fix", std::move(fix)}});
  }
  void Skip(std::initializer_list<const char*> names, const std::string& after) {
    for (const char* n : names) {
      links_.push_back({{"link", n}, {"status", "skipped"}, {"detail", "needs " + after}});
    }
  }
  Reply Done() const {
    bool ok = std::all_of(links_.begin(), links_.end(),
                          [](const json& l) { return l["status"] == "ok"; });
    return {200, {{"ok", ok}, {"links", links_}}};
  }

 private:
  json links_ = json::array();
};

// The registry's answer to a GET on the registry host, through the /v2 endpoint in process.
http::Response RegistryGet(const ChainContext& ctx, const std::string& host,
                           const std::string& basic, const std::string& path,
                           const std::string& accept = "") {
  http::Request r;
  r.method = "GET";
  r.target = path;
  r.headers = {{"Host", host}, {"Authorization", "Basic " + basic}, {"User-Agent", "cpa-console"}};
  if (!accept.empty()) r.headers.emplace_back("Accept", accept);
  r.remote_address = ctx.remote_address;
  return ctx.registry(std::move(r));
}

std::string RegistryError(const http::Response& r) {
  json b = json::parse(r.body, nullptr, false);
  if (b.is_object() && b.contains("errors") && b["errors"].is_array() && !b["errors"].empty()) {
    const json& e = b["errors"][0];
    return e.value("code", "") + ": " + e.value("message", "");
  }
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

Reply CheckConfigChain(const ChainContext& ctx, const json& input) {
  Links links;
  const std::string text = input.value("config", "");
  auto config = share::ParseShareConfig(text, "config");
  if (!config.ok()) {
    links.Fail("file", config.status().message(),
               "write the file in the spec's shape (step 6): [default] with source_profile, "
               "role_arn and region; the source profile with the user's keys");
    links.Skip({"region", "key", "assume-role", "ecr-token", "registry"}, "a valid file");
    return links.Done();
  }
  links.Ok("file", "[default] assumes " + config->role_arn + " with the keys of [profile " +
                       config->source_profile + "]");

  std::string region = input.value("region", "");
  if (region.empty()) region = config->region;
  auto packages = core::PackagesAccountForRegion(region);
  if (region.empty() || (!config->region.empty() && config->region != region) || !packages) {
    links.Fail("region",
               region.empty() ? "the config names no region"
               : !packages    ? "region " + region + " has no curated packages registry"
                              : "the config's region is " + config->region + ", not " + region,
               "use the region that hosts the subscription: region= in the config");
    links.Skip({"key", "assume-role", "ecr-token", "registry"}, "one region");
    return links.Done();
  }
  links.Ok("region", region);

  const sigv4::Credentials user{config->access_key_id, config->secret_access_key, ""};
  Reply who = ctx.bridge.Query(user, "sts", "GetCallerIdentity", {}, ctx.remote_address);
  if (!who.ok()) {
    std::string cause = Describe(who);
    if (who.code() == "SignatureDoesNotMatch") {
      cause = "the secret access key is wrong for " + config->access_key_id + " (" + cause + ")";
    } else if (who.code() == "InvalidClientTokenId") {
      cause = "access key " + config->access_key_id + " does not exist (deleted?) (" + cause + ")";
    }
    links.Fail("key", cause,
               "create a new access key for the user (Users › the user › Create access key) "
               "and put it in the file");
    links.Skip({"assume-role", "ecr-token", "registry"}, "a valid key");
    return links.Done();
  }
  const std::string user_arn = who.body["result"].value("Arn", "");
  links.Ok("key", config->access_key_id + " is " + user_arn);

  Reply assumed =
      ctx.bridge.Query(user, "sts", "AssumeRole",
                       {{"RoleArn", config->role_arn}, {"RoleSessionName", "cpa-console-check"}},
                       ctx.remote_address);
  if (!assumed.ok()) {
    std::string cause = Describe(assumed);
    std::string fix = "check that " + config->role_arn + " exists";
    if (assumed.code() == "AccessDenied") {
      // Whether the user's identity policy allows it, asked as the user and as the signed-in
      // principal (the simulator passes a trust policy that trusts the user, so the answer is
      // the identity policy's alone).
      std::optional<bool> identity;
      const json trusting = {{"Version", "2012-10-17"},
                             {"Statement",
                              {{{"Effect", "Allow"},
                                {"Principal", {{"AWS", user_arn}}},
                                {"Action", "sts:AssumeRole"},
                                {"Resource", config->role_arn}}}}};
      for (const sigv4::Credentials* caller : {&user, &ctx.credentials}) {
        Reply sim = ctx.bridge.Query(*caller, "iam", "SimulatePrincipalPolicy",
                                     {{"PolicySourceArn", user_arn},
                                      {"ActionNames.member.1", "sts:AssumeRole"},
                                      {"ResourceArns.member.1", config->role_arn},
                                      {"ResourcePolicy", trusting.dump()},
                                      {"ResourceOwner", AccountOf(config->role_arn)}},
                                     ctx.remote_address);
        if (!sim.ok()) continue;
        const json& results = sim.body["result"]["EvaluationResults"];
        if (results.is_array() && !results.empty()) {
          identity = results[0].value("EvalDecision", "") == "allowed";
          break;
        }
      }
      if (identity && !*identity) {
        cause = "the user's identity policy does not allow sts:AssumeRole on " + config->role_arn +
                " (" + cause + ")";
        fix = "attach the assume-role policy (spec step 4) to " + user_arn;
      } else if (identity) {
        cause = "the user's identity policy allows it, so the trust policy of " + config->role_arn +
                " does not trust " + user_arn + " (or the role is missing) (" + cause + ")";
        fix =
            "in the role's account, trust the user's account in the role's trust policy "
            "(spec step 3)";
      } else {
        cause =
            "either the user's identity policy or the role's trust policy lacks the grant; "
            "sign in to the user's account to tell which (" +
            cause + ")";
        fix =
            "check the assume-role policy attached to the user (spec step 4) and the trust "
            "policy of " +
            config->role_arn + " (step 3)";
      }
    }
    links.Fail("assume-role", cause, fix);
    links.Skip({"ecr-token", "registry"}, "the role");
    return links.Done();
  }
  const json& creds = assumed.body["result"]["Credentials"];
  const sigv4::Credentials role{creds.value("AccessKeyId", ""), creds.value("SecretAccessKey", ""),
                                creds.value("SessionToken", "")};
  const std::string session_arn = assumed.body["result"]["AssumedRoleUser"].value("Arn", "");
  links.Ok("assume-role", session_arn);

  Reply token = ctx.bridge.Json(role, "ecr", region,
                                "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", "{}",
                                ctx.remote_address);
  std::string basic;
  if (token.ok()) {
    const json& data = token.body["result"].value("authorizationData", json::array());
    if (!data.empty()) basic = data[0].value("authorizationToken", "");
  }
  if (basic.empty()) {
    links.Fail("ecr-token",
               token.ok() ? "GetAuthorizationToken returned no token" : Describe(token),
               "attach the ECR read policy (spec step 2, with ecr:GetAuthorizationToken) to the "
               "role");
    links.Skip({"registry"}, "an ECR token");
    return links.Done();
  }
  links.Ok("ecr-token", "as " + session_arn);

  if (!ctx.registry) {
    links.Skip({"registry"}, "the registry endpoint");
    return links.Done();
  }
  const std::string host =
      std::string(*packages) + ".dkr.ecr." + region + "." + ctx.registry_domain;
  const std::string repo = "/v2/" + std::string(kBundleRepository);
  http::Response tags = RegistryGet(ctx, host, basic, repo + "/tags/list");
  std::string latest;
  if (tags.status == 200) {
    json t = json::parse(tags.body, nullptr, false);
    if (t.is_object() && t.contains("tags") && t["tags"].is_array()) {
      for (const json& tag : t["tags"]) {
        std::string s = tag.is_string() ? tag.get<std::string>() : "";
        if (s.size() > 7 && s.ends_with("-latest") && s > latest) latest = s;
      }
    }
  }
  http::Response manifest;
  if (!latest.empty()) {
    manifest = RegistryGet(ctx, host, basic, repo + "/manifests/" + latest,
                           "application/vnd.oci.image.manifest.v1+json");
  }
  if (tags.status != 200 || latest.empty() || manifest.status != 200) {
    std::string cause = tags.status != 200 ? RegistryError(tags)
                        : latest.empty()   ? "the bundle repository has no -latest tag"
                                           : RegistryError(manifest);
    std::string fix =
        "the role's account needs an active EKS Anywhere subscription in " + region +
        " (the packages registry grants pull to subscribers) and the ECR read policy on the "
        "packages account's repositories (spec step 2)";
    if (cause.find("no resource-based policy allows") != std::string::npos) {
      const std::string account = AccountOf(config->role_arn);
      cause = "the packages registry grants " + account +
              " no pull access: it has no active EKS Anywhere subscription in " + region + " (" +
              cause + ")";
      fix = "create (or renew) the EKS Anywhere subscription of " + account + " in " + region;
    }
    links.Fail("registry", cause, fix);
    return links.Done();
  }
  std::string digest(manifest.Header("Docker-Content-Digest").value_or(""));
  links.Ok("registry", host + ": bundle " + latest + (digest.empty() ? "" : " (" + digest + ")"));
  return links.Done();
}

}  // namespace cpa::server::console
