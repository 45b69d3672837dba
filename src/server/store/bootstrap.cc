#include "server/store/bootstrap.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/arn.h"
#include "core/encoding.h"
#include "policy/document.h"
#include "server/store/store.h"
#include "server/store/store_state.h"

namespace cpa::server::store {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  Status Err(const YAML::Node& n, const std::string& message) const {
    const YAML::Mark m = n.Mark();
    std::string where = source_;
    if (m.line >= 0) {
      where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    }
    return Status(ErrorCode::kInvalidArgument, where + ": " + message);
  }

  Status ExpectMap(const YAML::Node& n, std::string_view what) const {
    if (!n.IsMap()) return Err(n, std::string(what) + " must be a mapping");
    return Status::Ok();
  }

  Status CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                   std::string_view what) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) return Err(it->first, "keys must be plain names");
      const std::string key = it->first.Scalar();
      bool known = false;
      for (auto a : allowed) known = known || key == a;
      if (!known) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Err(it->first, "unknown key '" + key + "' in " + std::string(what) +
                                  " (expected one of: " + list + ")");
      }
    }
    return Status::Ok();
  }

  // A scalar string member; `required` members must be present and non-empty.
  Result<std::string> Str(const YAML::Node& map, const char* key, bool required,
                          std::string_view what, std::string fallback = "") const {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) {
        return Err(map, std::string(what) + " needs '" + key + "'");
      }
      return fallback;
    }
    if (!n.IsScalar()) return Err(n, "'" + std::string(key) + "' must be a string");
    if (required && n.Scalar().empty()) {
      return Err(n, "'" + std::string(key) + "' must not be empty");
    }
    return n.Scalar();
  }

  Result<const YAML::Node> Seq(const YAML::Node& map, const char* key) const {
    const YAML::Node n = map[key];
    if (n.IsDefined() && !n.IsNull() && !n.IsSequence()) {
      return Err(n, "'" + std::string(key) + "' must be a list");
    }
    return n;
  }

  // A policy document: JSON text, or YAML structure converted to JSON (every scalar a string).
  Result<std::string> Document(const YAML::Node& map, const char* key, policy::PolicyKind kind,
                               policy::SizeQuota quota, const std::string& what) const {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) return Err(map, what + " needs '" + key + "'");
    std::string json;
    if (n.IsScalar()) {
      json = n.Scalar();
    } else {
      json = ToJson(n).dump();
    }
    policy::ParseOptions o;
    o.kind = kind;
    o.quota = quota;
    o.verbose = true;
    auto parsed = policy::ParsePolicy(json, o);
    if (!parsed.ok()) return Err(n, what + ": " + parsed.status().ToString());
    return json;
  }

  Status Name(const YAML::Node& map, const std::string& name, std::string_view what,
              size_t max) const {
    Status s = internal::CheckName(what, name, max);
    if (!s.ok()) return Err(map["name"], s.message());
    return Status::Ok();
  }

  Status Path(const YAML::Node& map, const std::string& path) const {
    Status s = internal::CheckPath(path);
    if (!s.ok()) return Err(map["path"], s.message());
    return Status::Ok();
  }

  Result<std::vector<BootstrapKey>> Keys(const YAML::Node& map, const char* key) const {
    CPA_ASSIGN_OR_RETURN(const YAML::Node seq, Seq(map, key));
    std::vector<BootstrapKey> out;
    if (!seq.IsDefined() || seq.IsNull()) return out;
    for (const YAML::Node& k : seq) {
      CPA_RETURN_IF_ERROR(ExpectMap(k, "an access key"));
      CPA_RETURN_IF_ERROR(CheckKeys(k, {"id", "secret", "status"}, "an access key"));
      BootstrapKey bk;
      CPA_ASSIGN_OR_RETURN(bk.access_key_id, Str(k, "id", false, "an access key"));
      CPA_ASSIGN_OR_RETURN(bk.secret_access_key, Str(k, "secret", false, "an access key"));
      if (bk.access_key_id.empty() != bk.secret_access_key.empty()) {
        return Err(k, "an access key needs both 'id' and 'secret', or neither");
      }
      CPA_ASSIGN_OR_RETURN(std::string status, Str(k, "status", false, "an access key", "Active"));
      auto st = ParseAccessKeyStatus(status);
      if (!st.ok()) return Err(k["status"], "status must be Active or Inactive");
      bk.status = *st;
      out.push_back(std::move(bk));
    }
    if (out.size() > static_cast<size_t>(kMaxAccessKeysPerUser)) {
      return Err(seq, "at most 2 access keys per user or root");
    }
    return out;
  }

  Result<std::vector<BootstrapInlinePolicy>> Inline(const YAML::Node& map,
                                                    policy::SizeQuota quota) const {
    CPA_ASSIGN_OR_RETURN(const YAML::Node seq, Seq(map, "inline_policies"));
    std::vector<BootstrapInlinePolicy> out;
    if (!seq.IsDefined() || seq.IsNull()) return out;
    for (const YAML::Node& p : seq) {
      CPA_RETURN_IF_ERROR(ExpectMap(p, "an inline policy"));
      CPA_RETURN_IF_ERROR(CheckKeys(p, {"name", "document"}, "an inline policy"));
      BootstrapInlinePolicy ip;
      CPA_ASSIGN_OR_RETURN(ip.name, Str(p, "name", true, "an inline policy"));
      CPA_RETURN_IF_ERROR(Name(p, ip.name, "policyName", 128));
      CPA_ASSIGN_OR_RETURN(ip.document, Document(p, "document", policy::PolicyKind::kIdentity,
                                                 quota, "inline policy " + ip.name));
      out.push_back(std::move(ip));
    }
    return out;
  }

  // Names resolve to this account's policy (with the declared path); ARNs are kept.
  Result<std::vector<std::string>> Attached(const YAML::Node& map,
                                            const BootstrapAccount& account) const {
    CPA_ASSIGN_OR_RETURN(const YAML::Node seq, Seq(map, "attached_policies"));
    std::vector<std::string> out;
    if (!seq.IsDefined() || seq.IsNull()) return out;
    for (const YAML::Node& p : seq) {
      if (!p.IsScalar() || p.Scalar().empty()) {
        return Err(p, "attached_policies lists policy names or ARNs");
      }
      const std::string& ref = p.Scalar();
      if (ref.rfind("arn:", 0) == 0) {
        auto arn = core::Arn::Parse(ref);
        if (!arn.ok() || arn->service != "iam" || arn->ResourceType() != "policy") {
          return Err(p, "'" + ref + "' is not a managed policy ARN");
        }
        out.push_back(ref);
        continue;
      }
      std::string path = "/";
      for (const auto& declared : account.policies) {
        if (core::AsciiIEquals(declared.name, ref)) path = declared.path;
      }
      out.push_back(internal::IamArn(account.id, "policy", path, ref));
    }
    return out;
  }

  Result<Bootstrap> Parse(const YAML::Node& root) const {
    Bootstrap b;
    if (root.IsNull()) return b;
    CPA_RETURN_IF_ERROR(ExpectMap(root, "the bootstrap file"));
    CPA_RETURN_IF_ERROR(CheckKeys(root, {"accounts"}, "the bootstrap file"));
    CPA_ASSIGN_OR_RETURN(const YAML::Node accounts, Seq(root, "accounts"));
    if (!accounts.IsDefined() || accounts.IsNull()) return b;
    for (const YAML::Node& a : accounts) {
      CPA_RETURN_IF_ERROR(ExpectMap(a, "an account"));
      CPA_RETURN_IF_ERROR(CheckKeys(
          a, {"id", "name", "root_access_keys", "policies", "roles", "users"}, "an account"));
      BootstrapAccount acct;
      CPA_ASSIGN_OR_RETURN(acct.id, Str(a, "id", true, "an account"));
      if (!core::IsAccountId(acct.id)) {
        return Err(a["id"], "account id must be 12 digits (quote it to keep leading zeros)");
      }
      for (const auto& other : b.accounts) {
        if (other.id == acct.id) return Err(a["id"], "account " + acct.id + " is declared twice");
      }
      CPA_ASSIGN_OR_RETURN(acct.name, Str(a, "name", false, "an account", "account-" + acct.id));
      CPA_ASSIGN_OR_RETURN(acct.root_access_keys, Keys(a, "root_access_keys"));

      CPA_ASSIGN_OR_RETURN(const YAML::Node policies, Seq(a, "policies"));
      for (const YAML::Node& p : policies) {
        CPA_RETURN_IF_ERROR(ExpectMap(p, "a policy"));
        CPA_RETURN_IF_ERROR(CheckKeys(p, {"name", "path", "description", "document"}, "a policy"));
        BootstrapPolicy bp;
        CPA_ASSIGN_OR_RETURN(bp.name, Str(p, "name", true, "a policy"));
        CPA_RETURN_IF_ERROR(Name(p, bp.name, "policyName", 128));
        CPA_ASSIGN_OR_RETURN(bp.path, Str(p, "path", false, "a policy", "/"));
        CPA_RETURN_IF_ERROR(Path(p, bp.path));
        CPA_ASSIGN_OR_RETURN(bp.description, Str(p, "description", false, "a policy"));
        CPA_ASSIGN_OR_RETURN(bp.document,
                             Document(p, "document", policy::PolicyKind::kIdentity,
                                      policy::SizeQuota::kManagedPolicy, "policy " + bp.name));
        acct.policies.push_back(std::move(bp));
      }

      CPA_ASSIGN_OR_RETURN(const YAML::Node roles, Seq(a, "roles"));
      for (const YAML::Node& r : roles) {
        CPA_RETURN_IF_ERROR(ExpectMap(r, "a role"));
        CPA_RETURN_IF_ERROR(CheckKeys(r,
                                      {"name", "path", "description", "max_session_duration",
                                       "trust_policy", "attached_policies", "inline_policies"},
                                      "a role"));
        BootstrapRole br;
        CPA_ASSIGN_OR_RETURN(br.name, Str(r, "name", true, "a role"));
        CPA_RETURN_IF_ERROR(Name(r, br.name, "roleName", 64));
        CPA_ASSIGN_OR_RETURN(br.path, Str(r, "path", false, "a role", "/"));
        CPA_RETURN_IF_ERROR(Path(r, br.path));
        CPA_ASSIGN_OR_RETURN(br.description, Str(r, "description", false, "a role"));
        CPA_ASSIGN_OR_RETURN(std::string msd,
                             Str(r, "max_session_duration", false, "a role", "3600"));
        int seconds = 0;
        bool digits = !msd.empty() && msd.size() < 7;
        for (char c : msd) {
          digits = digits && c >= '0' && c <= '9';
          if (digits) seconds = seconds * 10 + (c - '0');
        }
        if (!digits || seconds < 3600 || seconds > 43200) {
          return Err(r["max_session_duration"], "max_session_duration must be 3600..43200 seconds");
        }
        br.max_session_duration = seconds;
        CPA_ASSIGN_OR_RETURN(
            br.trust_policy,
            Document(r, "trust_policy", policy::PolicyKind::kTrust, policy::SizeQuota::kTrustPolicy,
                     "trust policy of role " + br.name));
        CPA_ASSIGN_OR_RETURN(br.attached, Attached(r, acct));
        CPA_ASSIGN_OR_RETURN(br.inline_policies, Inline(r, policy::SizeQuota::kRoleInline));
        acct.roles.push_back(std::move(br));
      }

      CPA_ASSIGN_OR_RETURN(const YAML::Node users, Seq(a, "users"));
      for (const YAML::Node& u : users) {
        CPA_RETURN_IF_ERROR(ExpectMap(u, "a user"));
        CPA_RETURN_IF_ERROR(CheckKeys(
            u, {"name", "path", "attached_policies", "inline_policies", "access_keys"}, "a user"));
        BootstrapUser bu;
        CPA_ASSIGN_OR_RETURN(bu.name, Str(u, "name", true, "a user"));
        CPA_RETURN_IF_ERROR(Name(u, bu.name, "userName", 64));
        CPA_ASSIGN_OR_RETURN(bu.path, Str(u, "path", false, "a user", "/"));
        CPA_RETURN_IF_ERROR(Path(u, bu.path));
        CPA_ASSIGN_OR_RETURN(bu.attached, Attached(u, acct));
        CPA_ASSIGN_OR_RETURN(bu.inline_policies, Inline(u, policy::SizeQuota::kUserInline));
        CPA_ASSIGN_OR_RETURN(bu.access_keys, Keys(u, "access_keys"));
        acct.users.push_back(std::move(bu));
      }
      b.accounts.push_back(std::move(acct));
    }
    return b;
  }

 private:
  static nlohmann::json ToJson(const YAML::Node& n) {
    if (n.IsMap()) {
      nlohmann::json o = nlohmann::json::object();
      for (auto it = n.begin(); it != n.end(); ++it) o[it->first.Scalar()] = ToJson(it->second);
      return o;
    }
    if (n.IsSequence()) {
      nlohmann::json a = nlohmann::json::array();
      for (const YAML::Node& e : n) a.push_back(ToJson(e));
      return a;
    }
    if (n.IsScalar()) return n.Scalar();
    return nullptr;
  }

  std::string source_;
};

}  // namespace

Result<Bootstrap> ParseBootstrap(std::string_view yaml, std::string_view source) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    return Parser(source).Parse(root);
  } catch (const YAML::Exception& e) {
    std::string where(source);
    if (e.mark.line >= 0) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Status(ErrorCode::kInvalidArgument, where + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInvalidArgument, std::string(source) + ": " + e.what());
  }
}

Result<Bootstrap> LoadBootstrapFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kInvalidArgument, "cannot read bootstrap file " + path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseBootstrap(ss.str(), path);
}

namespace {

// Creates the declared keys of a principal that was just created, or fixed-id keys that are
// missing on an existing principal.
Status EnsureKeys(Store& store, const std::string& account, const std::string& user,
                  const std::vector<BootstrapKey>& keys, bool principal_created,
                  std::vector<AccessKey>* created) {
  for (const BootstrapKey& k : keys) {
    if (k.access_key_id.empty() && !principal_created) continue;
    if (!k.access_key_id.empty()) {
      auto existing = store.access_keys().Get(k.access_key_id);
      if (existing.ok()) {
        if (existing->account_id != account || !core::AsciiIEquals(existing->user_name, user)) {
          return Status(ErrorCode::kAlreadyExists,
                        "bootstrap: access key " + k.access_key_id + " belongs to another owner");
        }
        continue;
      }
    }
    NewAccessKey nk{account, user, k.access_key_id, k.secret_access_key, k.status};
    auto key = store.access_keys().Create(nk);
    if (!key.ok()) {
      return Status(key.status().code(),
                    "bootstrap: access key of " + (user.empty() ? "root" : "user " + user) +
                        " in account " + account + ": " + key.status().message());
    }
    if (created != nullptr) created->push_back(std::move(*key));
  }
  return Status::Ok();
}

Status Context(const Status& s, const std::string& what) {
  if (s.ok()) return s;
  return Status(s.code(), "bootstrap: " + what + ": " + s.message());
}

}  // namespace

Status ApplyBootstrap(Store& store, const Bootstrap& b, std::vector<AccessKey>* created_keys) {
  std::vector<AccessKey> created;
  Status s = store.Transaction([&]() -> Status {
    for (const BootstrapAccount& a : b.accounts) {
      bool account_created = false;
      if (!store.accounts().Exists(a.id)) {
        Account acct;
        acct.id = a.id;
        acct.name = a.name;
        CPA_RETURN_IF_ERROR(Context(store.accounts().Create(acct).status(), "account " + a.id));
        account_created = true;
      }
      if (a.root_access_keys.empty()) {
        if (account_created) {
          CPA_RETURN_IF_ERROR(EnsureKeys(store, a.id, "", {BootstrapKey{}}, true, &created));
        }
      } else {
        CPA_RETURN_IF_ERROR(
            EnsureKeys(store, a.id, "", a.root_access_keys, account_created, &created));
      }
      for (const BootstrapPolicy& p : a.policies) {
        std::string arn = internal::IamArn(a.id, "policy", p.path, p.name);
        auto existing = store.policies().Get(arn);
        if (existing.ok()) continue;
        if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
        NewPolicy np{a.id, p.name, p.path, p.description, p.document, ""};
        CPA_RETURN_IF_ERROR(Context(store.policies().Create(np).status(), "policy " + p.name));
      }
      for (const BootstrapRole& r : a.roles) {
        auto existing = store.roles().Get(a.id, r.name);
        if (existing.ok()) continue;
        if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
        NewRole nr{a.id, r.name, r.path, r.trust_policy, r.description, r.max_session_duration, ""};
        CPA_RETURN_IF_ERROR(Context(store.roles().Create(nr).status(), "role " + r.name));
        PrincipalRef ref = PrincipalRef::Role(a.id, r.name);
        for (const auto& arn : r.attached) {
          CPA_RETURN_IF_ERROR(
              Context(store.attachments().Attach(ref, arn), "role " + r.name + ": " + arn));
        }
        for (const auto& ip : r.inline_policies) {
          CPA_RETURN_IF_ERROR(Context(store.inline_policies().Put(ref, ip.name, ip.document),
                                      "role " + r.name + ": inline policy " + ip.name));
        }
      }
      for (const BootstrapUser& u : a.users) {
        auto existing = store.users().Get(a.id, u.name);
        bool user_created = false;
        if (!existing.ok()) {
          if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
          NewUser nu{a.id, u.name, u.path, ""};
          CPA_RETURN_IF_ERROR(Context(store.users().Create(nu).status(), "user " + u.name));
          user_created = true;
          PrincipalRef ref = PrincipalRef::User(a.id, u.name);
          for (const auto& arn : u.attached) {
            CPA_RETURN_IF_ERROR(
                Context(store.attachments().Attach(ref, arn), "user " + u.name + ": " + arn));
          }
          for (const auto& ip : u.inline_policies) {
            CPA_RETURN_IF_ERROR(Context(store.inline_policies().Put(ref, ip.name, ip.document),
                                        "user " + u.name + ": inline policy " + ip.name));
          }
        }
        CPA_RETURN_IF_ERROR(EnsureKeys(store, a.id, u.name, u.access_keys, user_created, &created));
      }
    }
    return Status::Ok();
  });
  if (s.ok() && created_keys != nullptr) {
    for (auto& k : created) created_keys->push_back(std::move(k));
  }
  return s;
}

}  // namespace cpa::server::store
