#pragma once
// In-memory stand-ins for the share library's interfaces: an IAM/STS/EKS account, the chain
// probe (which authenticates keys and assumes roles against those accounts, as IAM would for the
// spec's documents), and a file store. Every write call is logged so that tests can assert that
// a run (or a dry run) wrote nothing.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "share/aws.h"
#include "share/documents.h"
#include "share/files.h"

namespace cpa::share::testing {

using core::ErrorCode;
using core::Result;
using core::Status;

struct FakeVersion {
  std::string id;
  std::string document;
  bool is_default = false;
  core::TimePoint created;
};

struct FakeKey {
  std::string id;
  std::string secret;
  std::string status = "Active";
};

class FakeAccount final : public AccountApi {
 public:
  explicit FakeAccount(std::string account) : account_(std::move(account)) {}

  std::string Arn(const std::string& kind, const std::string& name) const {
    return "arn:aws:iam::" + account_ + ":" + kind + "/" + name;
  }

  // ---- state, public for tests ----
  struct Policy {
    std::vector<FakeVersion> versions;
    int next = 1;
  };
  struct Role {
    std::string trust;
    std::set<std::string> attached;
  };
  struct User {
    std::set<std::string> attached;
    std::vector<FakeKey> keys;
  };
  std::map<std::string, Policy> policies;  // by ARN
  std::map<std::string, Role> roles;       // by name
  std::map<std::string, User> users;       // by name
  std::vector<SubscriptionInfo> subscriptions;
  Status describe_error;               // when set, DescribeSubscription fails with it
  Status list_error;                   // when set, ListSubscriptions fails with it
  std::map<std::string, Status> fail;  // operation name -> injected failure
  std::vector<std::string> writes;     // every write call, in order
  int clock = 0;                       // creation times, one second apart
  int key_counter = 0;

  std::string DefaultDocument(const std::string& arn) const {
    for (const auto& v : policies.at(arn).versions) {
      if (v.is_default) return v.document;
    }
    return "";
  }

  // ---- AccountApi ----
  Result<CallerIdentity> GetCallerIdentity() override {
    return CallerIdentity{account_, "arn:aws:iam::" + account_ + ":root", account_};
  }

  Result<std::optional<PolicyInfo>> GetPolicy(const std::string& arn) override {
    auto it = policies.find(arn);
    if (it == policies.end()) return std::optional<PolicyInfo>();
    for (const auto& v : it->second.versions) {
      if (v.is_default) return std::optional<PolicyInfo>(PolicyInfo{arn, v.id});
    }
    return Status(ErrorCode::kInternal, "no default version");
  }

  Result<std::string> GetPolicyVersionDocument(const std::string& arn,
                                               const std::string& version_id) override {
    for (const auto& v : policies.at(arn).versions) {
      if (v.id == version_id) return v.document;
    }
    return Status(ErrorCode::kNotFound, "no version");
  }

  Result<std::vector<PolicyVersionInfo>> ListPolicyVersions(const std::string& arn) override {
    std::vector<PolicyVersionInfo> out;
    for (const auto& v : policies.at(arn).versions) out.push_back({v.id, v.is_default, v.created});
    return out;
  }

  Result<PolicyInfo> CreatePolicy(const std::string& name, const std::string& document,
                                  const std::string&) override {
    CPA_RETURN_IF_ERROR(Write("CreatePolicy " + name));
    const std::string arn = Arn("policy", name);
    if (policies.count(arn)) return Status(ErrorCode::kAlreadyExists, "EntityAlreadyExists");
    Policy& p = policies[arn];
    p.versions.push_back({"v1", document, true, Tick()});
    p.next = 2;
    return PolicyInfo{arn, "v1"};
  }

  Result<std::string> CreatePolicyVersion(const std::string& arn,
                                          const std::string& document) override {
    CPA_RETURN_IF_ERROR(Write("CreatePolicyVersion " + arn));
    Policy& p = policies.at(arn);
    if (p.versions.size() >= 5) return Status(ErrorCode::kLimitExceeded, "LimitExceeded");
    for (auto& v : p.versions) v.is_default = false;
    std::string id = "v" + std::to_string(p.next++);
    p.versions.push_back({id, document, true, Tick()});
    return id;
  }

  Status DeletePolicyVersion(const std::string& arn, const std::string& version_id) override {
    CPA_RETURN_IF_ERROR(Write("DeletePolicyVersion " + arn + " " + version_id));
    auto& versions = policies.at(arn).versions;
    auto it = std::find_if(versions.begin(), versions.end(),
                           [&](const FakeVersion& v) { return v.id == version_id; });
    if (it == versions.end()) return Status(ErrorCode::kNotFound, "NoSuchEntity");
    if (it->is_default) return Status(ErrorCode::kDeleteConflict, "DeleteConflict");
    versions.erase(it);
    return Status::Ok();
  }

  Result<std::optional<AccountApi::Role>> GetRole(const std::string& name) override {
    auto it = roles.find(name);
    if (it == roles.end()) return std::optional<AccountApi::Role>();
    return std::optional<AccountApi::Role>(AccountApi::Role{Arn("role", name), it->second.trust});
  }

  Result<AccountApi::Role> CreateRole(const std::string& name, const std::string& trust,
                                      const std::string&) override {
    CPA_RETURN_IF_ERROR(Write("CreateRole " + name));
    roles[name].trust = trust;
    return AccountApi::Role{Arn("role", name), trust};
  }

  Status UpdateAssumeRolePolicy(const std::string& name, const std::string& document) override {
    CPA_RETURN_IF_ERROR(Write("UpdateAssumeRolePolicy " + name));
    roles.at(name).trust = document;
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListAttachedRolePolicies(const std::string& name) override {
    const auto& a = roles.at(name).attached;
    return std::vector<std::string>(a.begin(), a.end());
  }

  Status AttachRolePolicy(const std::string& name, const std::string& arn) override {
    CPA_RETURN_IF_ERROR(Write("AttachRolePolicy " + name));
    if (!policies.count(arn)) return Status(ErrorCode::kNotFound, "NoSuchEntity");
    roles.at(name).attached.insert(arn);
    return Status::Ok();
  }

  Result<std::optional<std::string>> GetUserArn(const std::string& name) override {
    if (!users.count(name)) return std::optional<std::string>();
    return std::optional<std::string>(Arn("user", name));
  }

  Result<std::string> CreateUser(const std::string& name) override {
    CPA_RETURN_IF_ERROR(Write("CreateUser " + name));
    users[name];
    return Arn("user", name);
  }

  Result<std::vector<std::string>> ListAttachedUserPolicies(const std::string& name) override {
    const auto& a = users.at(name).attached;
    return std::vector<std::string>(a.begin(), a.end());
  }

  Status AttachUserPolicy(const std::string& name, const std::string& arn) override {
    CPA_RETURN_IF_ERROR(Write("AttachUserPolicy " + name));
    users.at(name).attached.insert(arn);
    return Status::Ok();
  }

  Result<std::vector<AccessKeyInfo>> ListAccessKeys(const std::string& user) override {
    std::vector<AccessKeyInfo> out;
    for (const auto& k : users.at(user).keys) out.push_back({k.id, k.status, std::nullopt});
    return out;
  }

  Result<NewAccessKey> CreateAccessKey(const std::string& user) override {
    CPA_RETURN_IF_ERROR(Write("CreateAccessKey " + user));
    auto& keys = users.at(user).keys;
    if (keys.size() >= 2) return Status(ErrorCode::kLimitExceeded, "LimitExceeded");
    ++key_counter;
    FakeKey k{"AKIAFAKE" + account_.substr(0, 4) + std::to_string(1000 + key_counter),
              "secret/" + account_ + "/" + std::to_string(key_counter), "Active"};
    keys.push_back(k);
    return NewAccessKey{k.id, k.secret};
  }

  Status UpdateAccessKey(const std::string& user, const std::string& key_id,
                         const std::string& status) override {
    CPA_RETURN_IF_ERROR(Write("UpdateAccessKey " + key_id + " " + status));
    for (auto& k : users.at(user).keys) {
      if (k.id == key_id) {
        k.status = status;
        return Status::Ok();
      }
    }
    return Status(ErrorCode::kNotFound, "NoSuchEntity");
  }

  Status DeleteAccessKey(const std::string& user, const std::string& key_id) override {
    CPA_RETURN_IF_ERROR(Write("DeleteAccessKey " + key_id));
    auto& keys = users.at(user).keys;
    auto it =
        std::find_if(keys.begin(), keys.end(), [&](const FakeKey& k) { return k.id == key_id; });
    if (it == keys.end()) return Status(ErrorCode::kNotFound, "NoSuchEntity");
    keys.erase(it);
    return Status::Ok();
  }

  Result<SubscriptionInfo> DescribeSubscription(const std::string& id) override {
    if (!describe_error.ok()) return describe_error;
    for (const auto& s : subscriptions) {
      if (s.id == id) return s;
    }
    return Status(ErrorCode::kNotFound, "ResourceNotFoundException: No subscription found");
  }

  Result<std::vector<SubscriptionInfo>> ListSubscriptions() override {
    if (!list_error.ok()) return list_error;
    return subscriptions;
  }

  const std::string& account() const { return account_; }

 private:
  Status Write(const std::string& call) {
    writes.push_back(call);
    const std::string op = call.substr(0, call.find(' '));
    if (auto it = fail.find(op); it != fail.end()) return it->second;
    return Status::Ok();
  }
  core::TimePoint Tick() { return core::TimePoint(std::chrono::seconds(1700000000 + clock++)); }

  std::string account_;
};

// Authenticates keys of `target`'s users and assumes roles of `source` the way IAM decides for
// the spec's documents: the role must trust the target account and the user must hold a policy
// allowing sts:AssumeRole on it.
class FakeProbe final : public ChainProbe {
 public:
  FakeProbe(FakeAccount& source, FakeAccount& target) : source_(source), target_(target) {}

  bool ecr_unsupported = false;
  std::map<std::string, Status> fail;  // "GetCallerIdentity", "AssumeRole", "Ecr"
  int calls = 0;

  Result<CallerIdentity> GetCallerIdentity(const KeyCredentials& key) override {
    ++calls;
    if (auto it = fail.find("GetCallerIdentity"); it != fail.end()) return it->second;
    for (auto& [name, user] : target_.users) {
      for (const auto& k : user.keys) {
        if (k.id == key.access_key_id && k.status == "Active" &&
            k.secret == key.secret_access_key) {
          return CallerIdentity{target_.account(), target_.Arn("user", name), "AIDA" + name};
        }
      }
    }
    for (const auto& [id, arn] : others) {
      if (id == key.access_key_id) return CallerIdentity{"123456789012", arn, "AIDAOTHER"};
    }
    return Status(ErrorCode::kInvalidClientTokenId, "InvalidClientTokenId");
  }

  Result<AssumedRole> AssumeRole(const KeyCredentials& key, const std::string& role_arn,
                                 const std::string& session) override {
    ++calls;
    if (auto it = fail.find("AssumeRole"); it != fail.end()) return it->second;
    CPA_ASSIGN_OR_RETURN(CallerIdentity who, GetCallerIdentity(key));
    const std::string user = who.arn.substr(who.arn.rfind('/') + 1);
    const std::string role = role_arn.substr(role_arn.rfind('/') + 1);
    auto r = source_.roles.find(role);
    if (r == source_.roles.end() ||
        !EquivalentPolicies(r->second.trust, TrustPolicyDocument(target_.account()))) {
      return Status(ErrorCode::kAccessDenied, "AccessDenied: trust");
    }
    bool allowed = false;
    for (const auto& arn : target_.users.at(user).attached) {
      if (target_.DefaultDocument(arn).find(role_arn) != std::string::npos) allowed = true;
    }
    if (!allowed) return Status(ErrorCode::kAccessDenied, "AccessDenied: identity policy");
    return AssumedRole{
        {"ASIAFAKE", "session-secret", "token"},
        "arn:aws:sts::" + source_.account() + ":assumed-role/" + role + "/" + session};
  }

  Result<EcrLogin> GetAuthorizationToken(const KeyCredentials& key) override {
    ++calls;
    if (auto it = fail.find("Ecr"); it != fail.end()) return it->second;
    if (ecr_unsupported) return EcrLogin{true, "", "UnknownOperationException"};
    if (key.access_key_id != "ASIAFAKE") return Status(ErrorCode::kAccessDenied, "not the role");
    return EcrLogin{false, "https://" + source_.account() + ".dkr.ecr.us-west-2.amazonaws.com", ""};
  }

  // Keys that authenticate as some other principal: id -> ARN.
  std::map<std::string, std::string> others;

 private:
  FakeAccount& source_;
  FakeAccount& target_;
};

class MemoryFiles final : public FileStore {
 public:
  std::map<std::string, FileContent> files;
  std::set<std::string> directories;
  std::set<std::string> fail_write;  // paths whose WriteAtomic fails
  std::vector<std::string> writes;

  Result<std::optional<FileContent>> Read(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return std::optional<FileContent>();
    return std::optional<FileContent>(it->second);
  }
  Status WriteAtomic(const std::string& path, std::string_view data, uint32_t mode) override {
    writes.push_back("write " + path);
    if (fail_write.count(path)) return Status(ErrorCode::kInternal, "disk full: " + path);
    files[path] = {std::string(data), mode};
    return Status::Ok();
  }
  Status SetMode(const std::string& path, uint32_t mode) override {
    writes.push_back("chmod " + path);
    files.at(path).mode = mode;
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    writes.push_back("remove " + path);
    files.erase(path);
    return Status::Ok();
  }
  Status EnsureDirectory(const std::string& path) override {
    writes.push_back("mkdir " + path);
    directories.insert(path);
    return Status::Ok();
  }
};

}  // namespace cpa::share::testing
