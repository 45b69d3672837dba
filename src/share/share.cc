#include "share/share.h"

#include <algorithm>

#include "core/arn.h"
#include "share/config.h"

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

// ---- observation (reads only) ----

Result<SubscriptionFinding> FindSubscription(const ShareOptions& options, AccountApi& source) {
  SubscriptionFinding finding;
  if (!options.subscription_id.empty()) {
    finding.subscription_id = options.subscription_id;
    auto sub = source.DescribeSubscription(options.subscription_id);
    if (sub.ok()) {
      finding.package_registry = sub->package_registry;
      return finding;
    }
    // A wrong id is the caller's mistake; anything else (no EKS endpoint, no permission) leaves
    // the table, which is authoritative for the region anyway.
    if (sub.status().code() == ErrorCode::kNotFound) {
      return Status(ErrorCode::kNotFound, "subscription " + options.subscription_id +
                                              " in the source account: " + sub.status().message());
    }
    finding.unavailable_reason =
        "DescribeEksAnywhereSubscription failed: " + sub.status().message();
    return finding;
  }
  auto list = source.ListSubscriptions();
  if (!list.ok()) {
    finding.unavailable_reason =
        "no --subscription-id; ListEksAnywhereSubscriptions failed: " + list.status().message();
    return finding;
  }
  for (const auto& s : *list) {
    if (s.status == "ACTIVE" && !s.package_registry.empty()) {
      finding.subscription_id = s.id;
      finding.package_registry = s.package_registry;
      return finding;
    }
  }
  finding.unavailable_reason =
      "no --subscription-id and no active subscription with a packageRegistry in " + options.region;
  return finding;
}

Result<ObservedPolicy> ObservePolicy(AccountApi& api, const std::string& arn) {
  ObservedPolicy out;
  CPA_ASSIGN_OR_RETURN(std::optional<PolicyInfo> policy, api.GetPolicy(arn));
  if (!policy) return out;
  out.exists = true;
  out.default_version_id = policy->default_version_id;
  CPA_ASSIGN_OR_RETURN(out.default_document,
                       api.GetPolicyVersionDocument(arn, policy->default_version_id));
  CPA_ASSIGN_OR_RETURN(out.versions, api.ListPolicyVersions(arn));
  return out;
}

ObservedConfigKey ObserveConfigKey(const std::optional<FileContent>& file, const std::string& path,
                                   const ObservedUser& user, ChainProbe& probe) {
  ObservedConfigKey out;
  if (!file) return out;
  auto parsed = ParseShareConfig(file->data, path);
  if (!parsed.ok()) {
    out.state = ConfigKeyState::kUnreadable;
    out.detail = parsed.status().message();
    return out;
  }
  out.access_key_id = parsed->access_key_id;
  out.secret_access_key = parsed->secret_access_key;
  auto listed = std::find_if(user.keys.begin(), user.keys.end(), [&](const AccessKeyInfo& k) {
    return k.access_key_id == out.access_key_id;
  });
  auto who = probe.GetCallerIdentity({out.access_key_id, out.secret_access_key, ""});
  if (who.ok() && (!user.exists || who->arn != user.arn)) {
    out.state = ConfigKeyState::kForeign;
    out.detail = who->arn;
    return out;
  }
  if (listed == user.keys.end()) {
    out.state = ConfigKeyState::kRejected;
    out.detail = "key " + out.access_key_id + " is not a key of the user (deleted?)";
  } else if (listed->status != "Active") {
    out.state = ConfigKeyState::kInactive;
    out.detail = "key " + out.access_key_id + " is " + listed->status;
  } else if (!who.ok()) {
    out.state = ConfigKeyState::kRejected;
    out.detail = "key " + out.access_key_id + " does not authenticate: " + who.status().message();
  } else {
    out.state = ConfigKeyState::kUsable;
  }
  return out;
}

// ---- reporting ----

std::string Verb(Op op, bool dry_run) {
  std::string verb;
  switch (op) {
    case Op::kNone:
      return "unchanged";
    case Op::kCreate:
    case Op::kCreateKey:
      verb = "create";
      break;
    case Op::kDeletePolicyVersion:
      verb = "delete version";
      break;
    case Op::kCreatePolicyVersion:
    case Op::kUpdateTrust:
      verb = "update";
      break;
    case Op::kAttach:
      verb = "attach";
      break;
    case Op::kKeepKey:
      verb = "keep";
      break;
    case Op::kWrite:
      verb = "write";
      break;
    case Op::kSetMode:
      verb = "set mode 0600";
      break;
  }
  if (dry_run) return "would " + verb;
  if (op == Op::kKeepKey) return "kept";
  if (op == Op::kWrite) return "written";
  if (op == Op::kSetMode) return "mode set to 0600";
  if (op == Op::kDeletePolicyVersion) return "deleted version";
  if (verb.back() == 'e') return verb + "d";
  return verb + "ed";
}

// The documents a dry run shows with each entity's first action.
std::vector<std::pair<std::string, std::string>> DryRunDocuments(const Action& a, const Desired& d,
                                                                 const ObservedConfigKey& key,
                                                                 const Plan& plan) {
  switch (a.entity) {
    case Entity::kPolicy:
      return {{"ECR read policy " + d.names.policy_name, d.policy_document}};
    case Entity::kRole:
      return {{"trust policy of " + d.names.role_name, d.trust_document}};
    case Entity::kAssumePolicy:
      return {{"assume-role policy " + d.names.assume_policy_name, d.assume_policy_document}};
    case Entity::kConfigFile: {
      const bool kept = std::any_of(plan.actions.begin(), plan.actions.end(),
                                    [](const Action& x) { return x.op == Op::kKeepKey; });
      ShareConfig c{d.names.user_name, d.role_arn, d.region,
                    kept ? key.access_key_id : "<new access key id>", ""};
      return {{d.config_path + " (secret masked)", MaskConfigSecret(c)}};
    }
    case Entity::kSecretFile: {
      std::string manifest = RenderAwsSecret("");
      const std::string empty_config = "  config: \n";
      manifest.replace(manifest.find(empty_config), empty_config.size(),
                       "  config: <base64 of " + d.config_path + ">\n");
      return {{d.secret_path, manifest}};
    }
    default:
      return {};
  }
}

// ---- execution ----

struct Executor {
  const ShareOptions& options;
  const Desired& d;
  const Observed& observed;
  AccountApi& source;
  AccountApi& target;
  FileStore& files;
  const Reporter& report;

  KeyCredentials key;
  bool key_created = false;
  bool directory_ready = false;

  std::string ConfigText() const {
    return RenderConfig(
        {d.names.user_name, d.role_arn, d.region, key.access_key_id, key.secret_access_key});
  }

  Status EnsureDirectory() {
    if (directory_ready) return Status::Ok();
    CPA_RETURN_IF_ERROR(files.EnsureDirectory(options.out_dir));
    directory_ready = true;
    return Status::Ok();
  }

  // Carries out one action; `detail` gets what the report should add.
  Status Apply(const Action& a, std::string& detail) {
    const Names& n = d.names;
    AccountApi& api = (a.entity == Entity::kPolicy || a.entity == Entity::kRole ||
                       a.entity == Entity::kRolePolicyAttachment)
                          ? source
                          : target;
    const bool ecr_policy = a.entity == Entity::kPolicy;
    switch (a.op) {
      case Op::kNone:
        return Status::Ok();
      case Op::kCreate:
        if (a.entity == Entity::kPolicy || a.entity == Entity::kAssumePolicy) {
          CPA_ASSIGN_OR_RETURN(PolicyInfo p,
                               api.CreatePolicy(ecr_policy ? n.policy_name : n.assume_policy_name,
                                                a.document, kCreatedByDescription));
          detail = "version " + p.default_version_id;
        } else if (a.entity == Entity::kRole) {
          CPA_ASSIGN_OR_RETURN(AccountApi::Role role,
                               api.CreateRole(n.role_name, a.document, kCreatedByDescription));
          detail = "trusts " + d.target_account;
        } else {
          CPA_ASSIGN_OR_RETURN(std::string arn, api.CreateUser(n.user_name));
          detail = arn;
        }
        return Status::Ok();
      case Op::kDeletePolicyVersion:
        CPA_RETURN_IF_ERROR(
            api.DeletePolicyVersion(ecr_policy ? d.policy_arn : d.assume_policy_arn, a.version_id));
        detail = a.version_id + " (" + a.reason + ")";
        return Status::Ok();
      case Op::kCreatePolicyVersion: {
        CPA_ASSIGN_OR_RETURN(
            std::string version,
            api.CreatePolicyVersion(ecr_policy ? d.policy_arn : d.assume_policy_arn, a.document));
        detail = "drift repaired: " + a.reason + "; new default version " + version;
        return Status::Ok();
      }
      case Op::kUpdateTrust:
        CPA_RETURN_IF_ERROR(api.UpdateAssumeRolePolicy(n.role_name, a.document));
        detail = "drift repaired: " + a.reason + "; now trusts " + d.target_account;
        return Status::Ok();
      case Op::kAttach:
        if (a.entity == Entity::kRolePolicyAttachment) {
          CPA_RETURN_IF_ERROR(api.AttachRolePolicy(n.role_name, d.policy_arn));
        } else {
          CPA_RETURN_IF_ERROR(api.AttachUserPolicy(n.user_name, d.assume_policy_arn));
        }
        if (a.entity == Entity::kRolePolicyAttachment ? observed.role.exists
                                                      : observed.user.exists) {
          detail = "drift repaired: the policy was not attached";
        } else {
          detail = a.entity == Entity::kRolePolicyAttachment ? d.policy_arn : d.assume_policy_arn;
        }
        return Status::Ok();
      case Op::kCreateKey: {
        CPA_ASSIGN_OR_RETURN(NewAccessKey k, target.CreateAccessKey(n.user_name));
        key = {k.access_key_id, k.secret_access_key, ""};
        key_created = true;
        detail = k.access_key_id + "; " + a.reason;
        return Status::Ok();
      }
      case Op::kKeepKey:
        key = {observed.config_key.access_key_id, observed.config_key.secret_access_key, ""};
        detail = a.reason;
        return Status::Ok();
      case Op::kWrite: {
        CPA_RETURN_IF_ERROR(EnsureDirectory());
        const std::string config = ConfigText();
        const std::string text = a.entity == Entity::kConfigFile ? config : RenderAwsSecret(config);
        CPA_RETURN_IF_ERROR(files.WriteAtomic(a.subject, text, kFileMode));
        detail = "mode 0600; " + a.reason;
        return Status::Ok();
      }
      case Op::kSetMode:
        CPA_RETURN_IF_ERROR(files.SetMode(a.subject, kFileMode));
        detail = "was " + a.reason;
        return Status::Ok();
    }
    return Status(ErrorCode::kInternal, "unknown action");
  }
};

}  // namespace

Result<ShareOutcome> RunShare(const ShareOptions& options, AccountApi& source, AccountApi& target,
                              ChainProbe& probe, FileStore& files, const Reporter& report) {
  if (options.region.empty()) {
    return Status(ErrorCode::kMissingParameter, "--region is required");
  }
  if (options.out_dir.empty()) return Status(ErrorCode::kMissingParameter, "--out is required");
  ShareOutcome out;
  auto src = source.GetCallerIdentity();
  if (!src.ok()) return Status(src.status().code(), "source profile: " + src.status().message());
  auto tgt = target.GetCallerIdentity();
  if (!tgt.ok()) return Status(tgt.status().code(), "target profile: " + tgt.status().message());
  out.source = *src;
  out.target = *tgt;
  if (out.source.account == out.target.account) {
    return Status(ErrorCode::kInvalidArgument, "the source and target profiles are both account " +
                                                   out.source.account +
                                                   ": sharing needs two accounts");
  }
  auto arn = core::Arn::Parse(out.source.arn);
  const std::string partition = arn.ok() ? arn->partition : "aws";

  // Step 1.
  CPA_ASSIGN_OR_RETURN(SubscriptionFinding finding, FindSubscription(options, source));
  CPA_ASSIGN_OR_RETURN(out.packages, ChoosePackagesAccount(options.region, finding));
  report({"1",
          "packages registry " + out.packages.host,
          "found",
          "account " + out.packages.account_id + " from the " + out.packages.explanation +
              (out.packages.reason.empty() ? "" : "; " + out.packages.reason),
          false,
          {}});
  for (const std::string& w : out.packages.warnings) {
    report({"1", "packages registry", "warning", w, false, {}});
  }

  // Observe the source account, then (knowing the role's ARN) the target account and the files.
  Observed observed;
  Desired probe_names =
      MakeDesired(partition, options.region, out.source.account, out.target.account,
                  out.packages.account_id, options.names, options.out_dir);
  CPA_ASSIGN_OR_RETURN(observed.policy, ObservePolicy(source, probe_names.policy_arn));
  CPA_ASSIGN_OR_RETURN(std::optional<AccountApi::Role> role,
                       source.GetRole(options.names.role_name));
  if (role) {
    observed.role.exists = true;
    observed.role.arn = role->arn;
    observed.role.trust_document = role->trust_document;
    CPA_ASSIGN_OR_RETURN(observed.role.attached_policy_arns,
                         source.ListAttachedRolePolicies(options.names.role_name));
  }
  out.desired =
      MakeDesired(partition, options.region, out.source.account, out.target.account,
                  out.packages.account_id, options.names, options.out_dir, observed.role.arn);
  const Desired& d = out.desired;
  CPA_ASSIGN_OR_RETURN(observed.assume_policy, ObservePolicy(target, d.assume_policy_arn));
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> user_arn,
                       target.GetUserArn(options.names.user_name));
  if (user_arn) {
    observed.user.exists = true;
    observed.user.arn = *user_arn;
    CPA_ASSIGN_OR_RETURN(observed.user.attached_policy_arns,
                         target.ListAttachedUserPolicies(options.names.user_name));
    CPA_ASSIGN_OR_RETURN(observed.user.keys, target.ListAccessKeys(options.names.user_name));
  }
  CPA_ASSIGN_OR_RETURN(observed.config_file, files.Read(d.config_path));
  CPA_ASSIGN_OR_RETURN(observed.secret_file, files.Read(d.secret_path));
  observed.config_key = ObserveConfigKey(observed.config_file, d.config_path, observed.user, probe);

  out.plan = ComputePlan(d, observed, {.new_key = options.new_key});
  if (!out.plan.blocked.ok()) return out.plan.blocked;
  out.user_arn = observed.user.exists ? observed.user.arn
                                      : "arn:" + partition + ":iam::" + d.target_account +
                                            ":user/" + options.names.user_name;

  if (options.dry_run) {
    std::vector<Entity> shown;
    for (const Action& a : out.plan.actions) {
      Event e{std::to_string(a.step),
              a.subject,
              Verb(a.op, true),
              a.reason,
              a.op != Op::kNone && a.op != Op::kKeepKey,
              {}};
      if (std::find(shown.begin(), shown.end(), a.entity) == shown.end()) {
        shown.push_back(a.entity);
        e.documents = DryRunDocuments(a, d, observed.config_key, out.plan);
      }
      report(e);
    }
    for (const std::string& note : out.plan.notes) report({"5", "note", "note", note, false, {}});
    out.changes = out.plan.Changes();
    if (observed.config_key.state == ConfigKeyState::kUsable && !options.new_key) {
      out.access_key_id = observed.config_key.access_key_id;
    }
    return out;
  }

  Executor exec{options, d, observed, source, target, files, report, {}, false, false};
  for (const Action& a : out.plan.actions) {
    std::string detail;
    Status status = exec.Apply(a, detail);
    if (!status.ok()) {
      report({std::to_string(a.step), a.subject, "failed", status.message(), false, {}});
      if (exec.key_created) {
        // The new secret exists nowhere else: without the files the key is useless.
        Status undo = target.DeleteAccessKey(options.names.user_name, exec.key.access_key_id);
        report({"5",
                "access key " + exec.key.access_key_id,
                undo.ok() ? "deleted" : "failed",
                undo.ok() ? "rolled back: the files could not be written"
                          : "could not delete the new key: " + undo.message(),
                true,
                {}});
      }
      return status;
    }
    report({std::to_string(a.step),
            a.subject,
            Verb(a.op, false),
            detail.empty() ? a.reason : detail,
            a.op != Op::kNone && a.op != Op::kKeepKey,
            {}});
  }
  for (const std::string& note : out.plan.notes) report({"5", "note", "note", note, false, {}});
  out.changes = out.plan.Changes();
  out.access_key_id = exec.key.access_key_id;

  if (options.verify) {
    RetryPolicy retry = options.retry;
    if (out.changes == 0) retry.attempts = 1;
    CPA_ASSIGN_OR_RETURN(out.verified, VerifyChain(probe, exec.key, out.user_arn, d.role_arn,
                                                   options.session_name, retry, report));
  }
  return out;
}

}  // namespace cpa::share
