#include "share/plan.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <tuple>

#include "share/config.h"
#include "share/documents.h"

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Status;

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// "v12" -> 12; anything else sorts last.
long VersionNumber(const std::string& id) {
  if (id.size() < 2 || id[0] != 'v') return -1;
  try {
    return std::stol(id.substr(1));
  } catch (...) {
    return -1;
  }
}

void PlanPolicy(int step, Entity entity, const std::string& arn, const std::string& document,
                const ObservedPolicy& observed, const std::string& partition, Plan& plan) {
  const std::string subject = "policy " + arn;
  if (!observed.exists) {
    plan.actions.push_back({step, entity, Op::kCreate, subject, "does not exist", document, ""});
    return;
  }
  if (EquivalentPolicies(observed.default_document, document, partition)) {
    plan.actions.push_back({step, entity, Op::kNone, subject,
                            "default version " + observed.default_version_id + " matches", "", ""});
    return;
  }
  if (auto victim = VersionToDelete(observed.versions)) {
    plan.actions.push_back({step, entity, Op::kDeletePolicyVersion, subject,
                            "the policy has " + std::to_string(kMaxPolicyVersions) +
                                " versions (IAM's limit): deleting the oldest non-default one, " +
                                *victim,
                            "", *victim});
  }
  plan.actions.push_back(
      {step, entity, Op::kCreatePolicyVersion, subject,
       "default version " + observed.default_version_id + " differs from the expected document",
       document, ""});
}

std::string KeyList(const std::vector<AccessKeyInfo>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ", ";
    out += k.access_key_id + " (" + k.status + ")";
  }
  return out;
}

void PlanFile(int step, Entity entity, const std::string& path,
              const std::optional<FileContent>& existing, const std::optional<std::string>& want,
              Plan& plan) {
  if (!want) {
    plan.actions.push_back({step, entity, Op::kWrite, path, "with the new key", "", ""});
    return;
  }
  if (!existing) {
    plan.actions.push_back({step, entity, Op::kWrite, path, "does not exist", "", ""});
  } else if (existing->data != *want) {
    plan.actions.push_back({step, entity, Op::kWrite, path, "content differs", "", ""});
  } else if ((existing->mode & 0777) != kFileMode) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", existing->mode & 0777);
    plan.actions.push_back(
        {step, entity, Op::kSetMode, path, std::string("mode ") + mode + ", not 0600", "", ""});
  } else {
    plan.actions.push_back({step, entity, Op::kNone, path, "up to date", "", ""});
  }
}

}  // namespace

Desired MakeDesired(std::string partition, std::string region, std::string source_account,
                    std::string target_account, std::string packages_account, Names names,
                    const std::string& out_dir, const std::string& existing_role_arn) {
  Desired d;
  d.partition = std::move(partition);
  d.region = std::move(region);
  d.source_account = std::move(source_account);
  d.target_account = std::move(target_account);
  d.packages_account = std::move(packages_account);
  d.names = std::move(names);
  const std::string iam = "arn:" + d.partition + ":iam::";
  d.policy_arn = iam + d.source_account + ":policy/" + d.names.policy_name;
  d.role_arn = existing_role_arn.empty() ? iam + d.source_account + ":role/" + d.names.role_name
                                         : existing_role_arn;
  d.assume_policy_arn = iam + d.target_account + ":policy/" + d.names.assume_policy_name;
  d.policy_document = EcrReadPolicyDocument(d.packages_account, d.partition);
  d.trust_document = TrustPolicyDocument(d.target_account, d.partition);
  d.assume_policy_document = AssumeRolePolicyDocument(d.role_arn);
  d.config_path = JoinPath(out_dir, "config");
  d.secret_path = JoinPath(out_dir, "aws-secret.yaml");
  return d;
}

int Plan::Changes() const {
  return static_cast<int>(std::count_if(actions.begin(), actions.end(), [](const Action& a) {
    return a.op != Op::kNone && a.op != Op::kKeepKey;
  }));
}

std::optional<std::string> VersionToDelete(const std::vector<PolicyVersionInfo>& versions) {
  if (versions.size() < kMaxPolicyVersions) return std::nullopt;
  const PolicyVersionInfo* oldest = nullptr;
  auto key = [](const PolicyVersionInfo& v) {
    return std::make_tuple(
        v.create_date.value_or(core::TimePoint::max()),
        VersionNumber(v.version_id) < 0 ? LONG_MAX : VersionNumber(v.version_id));
  };
  for (const auto& v : versions) {
    if (v.is_default) continue;
    if (oldest == nullptr || key(v) < key(*oldest)) oldest = &v;
  }
  if (oldest == nullptr) return std::nullopt;
  return oldest->version_id;
}

Plan ComputePlan(const Desired& d, const Observed& o, const PlanOptions& options) {
  Plan plan;
  const Names& n = d.names;

  // Step 2: the ECR read policy in the source account.
  PlanPolicy(2, Entity::kPolicy, d.policy_arn, d.policy_document, o.policy, d.partition, plan);

  // Step 3: the role trusting the target account, with the policy attached.
  const std::string role_subject = "role " + d.role_arn;
  if (!o.role.exists) {
    plan.actions.push_back(
        {3, Entity::kRole, Op::kCreate, role_subject, "does not exist", d.trust_document, ""});
  } else if (!EquivalentPolicies(o.role.trust_document, d.trust_document, d.partition)) {
    plan.actions.push_back({3, Entity::kRole, Op::kUpdateTrust, role_subject,
                            "trust policy differs from the expected one", d.trust_document, ""});
  } else {
    plan.actions.push_back(
        {3, Entity::kRole, Op::kNone, role_subject, "trusts " + d.target_account, "", ""});
  }
  const std::string role_attach = "role " + n.role_name + " <- policy " + n.policy_name;
  if (o.role.exists && Contains(o.role.attached_policy_arns, d.policy_arn)) {
    plan.actions.push_back(
        {3, Entity::kRolePolicyAttachment, Op::kNone, role_attach, "attached", "", ""});
  } else {
    plan.actions.push_back(
        {3, Entity::kRolePolicyAttachment, Op::kAttach, role_attach, "not attached", "", ""});
  }

  // Step 4: the assume-role policy and the user in the target account.
  PlanPolicy(4, Entity::kAssumePolicy, d.assume_policy_arn, d.assume_policy_document,
             o.assume_policy, d.partition, plan);
  const std::string user_subject = "user " + n.user_name;
  if (!o.user.exists) {
    plan.actions.push_back({4, Entity::kUser, Op::kCreate, user_subject, "does not exist", "", ""});
  } else {
    plan.actions.push_back({4, Entity::kUser, Op::kNone, user_subject, o.user.arn, "", ""});
  }
  const std::string user_attach = "user " + n.user_name + " <- policy " + n.assume_policy_name;
  if (o.user.exists && Contains(o.user.attached_policy_arns, d.assume_policy_arn)) {
    plan.actions.push_back(
        {4, Entity::kUserPolicyAttachment, Op::kNone, user_attach, "attached", "", ""});
  } else {
    plan.actions.push_back(
        {4, Entity::kUserPolicyAttachment, Op::kAttach, user_attach, "not attached", "", ""});
  }

  // Step 5: the access key. Never a second key unless asked; never another principal's file.
  const ObservedConfigKey& ck = o.config_key;
  const std::string key_subject = "access key of user " + n.user_name;
  if (ck.state == ConfigKeyState::kForeign) {
    plan.blocked = Status(ErrorCode::kAlreadyExists,
                          d.config_path + " holds a key of " + ck.detail + ", not of user " +
                              n.user_name + "; choose another --out directory");
  }
  std::vector<AccessKeyInfo> others;
  for (const auto& k : o.user.keys) {
    const bool in_use = k.access_key_id == ck.access_key_id && ck.state == ConfigKeyState::kUsable;
    if (options.new_key || !in_use) others.push_back(k);
  }
  bool creating = false;
  if (options.new_key) {
    if (o.user.keys.size() >= kMaxAccessKeys && plan.blocked.ok()) {
      plan.blocked =
          Status(ErrorCode::kLimitExceeded,
                 "user " + n.user_name + " already has " + std::to_string(o.user.keys.size()) +
                     " access keys (IAM's limit): " + KeyList(o.user.keys) +
                     "; delete one before --new-key");
    }
    creating = true;
    plan.actions.push_back(
        {5, Entity::kAccessKey, Op::kCreateKey, key_subject, "--new-key", "", ""});
  } else if (ck.state == ConfigKeyState::kUsable) {
    plan.actions.push_back({5, Entity::kAccessKey, Op::kKeepKey, key_subject,
                            ck.access_key_id + " from " + d.config_path + " is valid", "", ""});
  } else {
    std::string why = ck.state == ConfigKeyState::kNoFile ? d.config_path + " does not exist"
                                                          : d.config_path + ": " + ck.detail;
    if (!o.user.keys.empty() && plan.blocked.ok()) {
      plan.blocked = Status(ErrorCode::kAlreadyExists,
                            "user " + n.user_name + " already has access key(s) " +
                                KeyList(o.user.keys) + " and " + why +
                                "; cpa creates another key only with --new-key (or delete the "
                                "unused key first)");
    }
    creating = true;
    plan.actions.push_back({5, Entity::kAccessKey, Op::kCreateKey, key_subject, why, "", ""});
  }
  for (const auto& k : others) {
    if (creating && !options.new_key) continue;  // blocked above
    plan.notes.push_back("user " + n.user_name + " also has access key " + k.access_key_id + " (" +
                         k.status + "), which " + d.config_path +
                         " will not use; delete it when nothing uses it (or use `cpa share "
                         "rotate-key` next time)");
  }

  // Steps 6 and 7: the files. With a kept key their content is known now.
  std::optional<std::string> config_text;
  std::optional<std::string> secret_text;
  if (!creating) {
    config_text =
        RenderConfig({n.user_name, d.role_arn, d.region, ck.access_key_id, ck.secret_access_key});
    secret_text = RenderAwsSecret(*config_text);
  }
  PlanFile(6, Entity::kConfigFile, d.config_path, o.config_file, config_text, plan);
  PlanFile(7, Entity::kSecretFile, d.secret_path, o.secret_file, secret_text, plan);
  return plan;
}

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kNone:
      return "none";
    case Op::kCreate:
      return "create";
    case Op::kDeletePolicyVersion:
      return "delete-policy-version";
    case Op::kCreatePolicyVersion:
      return "create-policy-version";
    case Op::kUpdateTrust:
      return "update-trust";
    case Op::kAttach:
      return "attach";
    case Op::kCreateKey:
      return "create-key";
    case Op::kKeepKey:
      return "keep-key";
    case Op::kWrite:
      return "write";
    case Op::kSetMode:
      return "set-mode";
  }
  return "?";
}

std::string_view EntityName(Entity entity) {
  switch (entity) {
    case Entity::kPolicy:
      return "policy";
    case Entity::kRole:
      return "role";
    case Entity::kRolePolicyAttachment:
      return "role-policy-attachment";
    case Entity::kAssumePolicy:
      return "assume-role-policy";
    case Entity::kUser:
      return "user";
    case Entity::kUserPolicyAttachment:
      return "user-policy-attachment";
    case Entity::kAccessKey:
      return "access-key";
    case Entity::kConfigFile:
      return "config-file";
    case Entity::kSecretFile:
      return "secret-file";
  }
  return "?";
}

}  // namespace cpa::share
