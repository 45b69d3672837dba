#pragma once
// What `cpa share` must change: the desired state of spec steps 2-7, what was observed, and the
// plan between them. ComputePlan is pure; share.h observes and executes.
//
// Every entity of the procedure gets one or more actions, in the spec's order; an action with
// Op::kNone says the entity is already as desired (and is reported as "unchanged"), so the plan
// doubles as the report of a run that changes nothing.

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "share/aws.h"
#include "share/files.h"

namespace cpa::share {

struct Names {
  std::string policy_name = "curated-packages-policy";
  std::string role_name = "curated-packages-role";
  std::string assume_policy_name = "curated-packages-assume-role-policy";
  std::string user_name = "curated-packages-user";
};

// Everything the procedure should leave in place.
struct Desired {
  std::string partition = "aws";
  std::string region;
  std::string source_account;
  std::string target_account;
  std::string packages_account;
  Names names;
  std::string policy_arn;
  std::string role_arn;
  std::string assume_policy_arn;
  std::string policy_document;
  std::string trust_document;
  std::string assume_policy_document;
  std::string config_path;
  std::string secret_path;
};

// The desired state from the accounts and names. `existing_role_arn` (a role found under another
// path) wins over the computed ARN.
Desired MakeDesired(std::string partition, std::string region, std::string source_account,
                    std::string target_account, std::string packages_account, Names names,
                    const std::string& out_dir, const std::string& existing_role_arn = "");

struct ObservedPolicy {
  bool exists = false;
  std::string default_version_id;
  std::string default_document;  // decoded JSON of the default version
  std::vector<PolicyVersionInfo> versions;
};

struct ObservedRole {
  bool exists = false;
  std::string arn;
  std::string trust_document;
  std::vector<std::string> attached_policy_arns;
};

struct ObservedUser {
  bool exists = false;
  std::string arn;
  std::vector<std::string> attached_policy_arns;
  std::vector<AccessKeyInfo> keys;
};

// The key in an existing DIR/config, as checked against the user.
enum class ConfigKeyState {
  kNoFile,      // no config file
  kUnreadable,  // not in the spec's shape
  kUsable,      // an active key of the user that authenticates as the user
  kInactive,    // the user's key, deactivated
  kRejected,    // does not authenticate (deleted, or the secret is wrong)
  kForeign,     // authenticates as another principal: the file is not ours to replace
};

struct ObservedConfigKey {
  ConfigKeyState state = ConfigKeyState::kNoFile;
  std::string access_key_id;
  std::string secret_access_key;  // secret
  std::string detail;             // why it is not usable
};

struct Observed {
  ObservedPolicy policy;         // source account
  ObservedRole role;             // source account
  ObservedPolicy assume_policy;  // target account
  ObservedUser user;             // target account
  ObservedConfigKey config_key;
  std::optional<FileContent> config_file;
  std::optional<FileContent> secret_file;
};

struct PlanOptions {
  bool new_key = false;  // --new-key: create a key even when the config's key is usable
};

enum class Entity {
  kPolicy,
  kRole,
  kRolePolicyAttachment,
  kAssumePolicy,
  kUser,
  kUserPolicyAttachment,
  kAccessKey,
  kConfigFile,
  kSecretFile,
};

enum class Op {
  kNone,    // already as desired
  kCreate,  // policy, role, user
  kDeletePolicyVersion,
  kCreatePolicyVersion,  // with SetAsDefault
  kUpdateTrust,
  kAttach,
  kCreateKey,
  kKeepKey,
  kWrite,    // a file, written atomically with mode 0600
  kSetMode,  // a file with the right content and the wrong mode
};

struct Action {
  int step = 0;  // the spec's step (2-7)
  Entity entity = Entity::kPolicy;
  Op op = Op::kNone;
  std::string subject;     // "policy arn:aws:iam::...", "user curated-packages-user", "DIR/config"
  std::string reason;      // why (or what is in place)
  std::string document;    // the document written (policies, trust), if any
  std::string version_id;  // kDeletePolicyVersion
};

struct Plan {
  std::vector<Action> actions;
  // Set when the plan cannot be carried out (e.g. the user has keys cpa cannot use and --new-key
  // was not given); nothing may be changed then.
  core::Status blocked;
  // Things worth saying that change nothing (e.g. other keys of the user).
  std::vector<std::string> notes;

  int Changes() const;
};

Plan ComputePlan(const Desired& desired, const Observed& observed, const PlanOptions& options);

// The version to delete before creating a sixth: the oldest non-default one (by creation date,
// then by version number). nullopt when there are fewer than five versions.
std::optional<std::string> VersionToDelete(const std::vector<PolicyVersionInfo>& versions);

// IAM's limits.
inline constexpr size_t kMaxPolicyVersions = 5;
inline constexpr size_t kMaxAccessKeys = 2;
inline constexpr uint32_t kFileMode = 0600;

std::string_view OpName(Op op);
std::string_view EntityName(Entity entity);

}  // namespace cpa::share
