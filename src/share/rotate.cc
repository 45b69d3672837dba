#include "share/rotate.h"

#include <algorithm>

#include "core/arn.h"
#include "share/config.h"
#include "share/plan.h"

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

constexpr char kStep[] = "rotate";

}  // namespace

const std::vector<std::string>& RotateSteps() {
  static const std::vector<std::string> steps = {"create-key",  "verify-identity",
                                                 "assume-role", "ecr-token",
                                                 "write-files", "deactivate-old-key"};
  return steps;
}

Result<RotateOutcome> RotateKey(const RotateOptions& options, AccountApi& target,
                                AccountApi* source, ChainProbe& probe, FileStore& files,
                                const Reporter& report) {
  if (options.out_dir.empty()) return Status(ErrorCode::kMissingParameter, "--out is required");
  if (!options.fail_after.empty()) {
    const auto& steps = RotateSteps();
    if (std::find(steps.begin(), steps.end(), options.fail_after) == steps.end()) {
      return Status(ErrorCode::kInvalidArgument,
                    "--fail-after: unknown step `" + options.fail_after + "`");
    }
  }
  const std::string config_path = JoinPath(options.out_dir, "config");
  const std::string secret_path = JoinPath(options.out_dir, "aws-secret.yaml");

  // Read and check everything before the first change.
  CPA_ASSIGN_OR_RETURN(std::optional<FileContent> old_config, files.Read(config_path));
  if (!old_config) {
    return Status(ErrorCode::kNotFound,
                  config_path + " does not exist: run `cpa share` first to create it");
  }
  CPA_ASSIGN_OR_RETURN(ShareConfig config, ParseShareConfig(old_config->data, config_path));
  if (!options.region.empty() && !config.region.empty() && options.region != config.region) {
    return Status(ErrorCode::kInvalidArgument, config_path + " is for region " + config.region +
                                                   ", not --region " + options.region +
                                                   "; run `cpa share` to change the region");
  }
  const std::string region = config.region.empty() ? options.region : config.region;
  if (region.empty()) {
    return Status(ErrorCode::kMissingParameter, config_path + " names no region; pass --region");
  }
  config.region = region;
  CPA_ASSIGN_OR_RETURN(std::optional<FileContent> old_secret, files.Read(secret_path));

  auto tgt = target.GetCallerIdentity();
  if (!tgt.ok()) return Status(tgt.status().code(), "target profile: " + tgt.status().message());
  if (source != nullptr) {
    auto src = source->GetCallerIdentity();
    if (!src.ok()) {
      return Status(src.status().code(), "source profile: " + src.status().message());
    }
    auto role = core::Arn::Parse(config.role_arn);
    if (!role.ok() || role->account != src->account) {
      return Status(ErrorCode::kInvalidArgument, config_path + ": role_arn " + config.role_arn +
                                                     " is not in the source account " +
                                                     src->account);
    }
  }
  CPA_ASSIGN_OR_RETURN(std::optional<std::string> user_arn, target.GetUserArn(options.user_name));
  if (!user_arn) {
    return Status(ErrorCode::kNotFound, "user " + options.user_name +
                                            " does not exist in account " + tgt->account +
                                            ": run `cpa share` first");
  }
  CPA_ASSIGN_OR_RETURN(std::vector<AccessKeyInfo> keys, target.ListAccessKeys(options.user_name));
  RotateOutcome out;
  out.user_arn = *user_arn;
  out.role_arn = config.role_arn;
  const bool old_listed = std::any_of(keys.begin(), keys.end(), [&](const AccessKeyInfo& k) {
    return k.access_key_id == config.access_key_id;
  });
  if (old_listed) {
    out.old_key_id = config.access_key_id;
    report({kStep,
            "old key " + config.access_key_id,
            "found",
            "the key of " + config_path + " belongs to user " + options.user_name,
            false,
            {}});
  } else {
    report({kStep,
            "old key " + config.access_key_id,
            "warning",
            "not a key of user " + options.user_name + " (already deleted?): nothing to delete",
            false,
            {}});
  }
  if (keys.size() >= kMaxAccessKeys) {
    std::string others;
    for (const auto& k : keys) {
      if (k.access_key_id == config.access_key_id) continue;
      others += (others.empty() ? "" : ", ") + k.access_key_id + " (" + k.status + ")";
    }
    return Status(ErrorCode::kLimitExceeded, "user " + options.user_name + " already has " +
                                                 std::to_string(keys.size()) +
                                                 " access keys (IAM's limit); delete the one " +
                                                 config_path + " does not use first: " + others);
  }

  // From here every change is undone on failure.
  CPA_ASSIGN_OR_RETURN(NewAccessKey created, target.CreateAccessKey(options.user_name));
  out.new_key_id = created.access_key_id;
  report({kStep,
          "new key " + created.access_key_id,
          "created",
          "for user " + options.user_name,
          true,
          {}});
  const KeyCredentials new_key{created.access_key_id, created.secret_access_key, ""};

  bool config_written = false;
  bool secret_written = false;
  bool deactivated = false;
  auto rollback = [&](const Status& cause) -> Status {
    std::vector<std::string> undone;
    std::vector<std::string> failed;
    if (deactivated) {
      Status s = target.UpdateAccessKey(options.user_name, out.old_key_id, "Active");
      report({kStep,
              "old key " + out.old_key_id,
              s.ok() ? "reactivated" : "failed",
              s.ok() ? "rolled back" : s.message(),
              true,
              {}});
      (s.ok() ? undone : failed).push_back("reactivate old key " + out.old_key_id);
    }
    if (secret_written) {
      Status s = old_secret ? files.WriteAtomic(secret_path, old_secret->data, old_secret->mode)
                            : files.Remove(secret_path);
      report({kStep,
              secret_path,
              s.ok() ? "restored" : "failed",
              s.ok() ? "rolled back" : s.message(),
              true,
              {}});
      (s.ok() ? undone : failed).push_back("restore " + secret_path);
    }
    if (config_written) {
      Status s = files.WriteAtomic(config_path, old_config->data, old_config->mode);
      report({kStep,
              config_path,
              s.ok() ? "restored" : "failed",
              s.ok() ? "rolled back" : s.message(),
              true,
              {}});
      (s.ok() ? undone : failed).push_back("restore " + config_path);
    }
    Status s = target.DeleteAccessKey(options.user_name, new_key.access_key_id);
    report({kStep,
            "new key " + new_key.access_key_id,
            s.ok() ? "deleted" : "failed",
            s.ok() ? "rolled back" : s.message(),
            true,
            {}});
    (s.ok() ? undone : failed).push_back("delete new key " + new_key.access_key_id);
    std::string message = cause.message() + "; rolled back (";
    for (size_t i = 0; i < undone.size(); ++i) message += (i ? ", " : "") + undone[i];
    message += ")";
    if (!failed.empty()) {
      message += "; COULD NOT undo: ";
      for (size_t i = 0; i < failed.size(); ++i) message += (i ? ", " : "") + failed[i];
    } else {
      message += "; the old key and the files are as they were";
    }
    return Status(cause.code(), message);
  };
  auto hook = [&](std::string_view step) -> Status {
    if (step != options.fail_after) return Status::Ok();
    return Status(ErrorCode::kInternal,
                  "injected failure after step " + std::string(step) + " (--fail-after)");
  };

  if (Status s = hook("create-key"); !s.ok()) return rollback(s);
  auto verified = VerifyChain(probe, new_key, out.user_arn, config.role_arn, options.session_name,
                              options.retry, report, hook);
  if (!verified.ok()) return rollback(verified.status());
  out.verified = *verified;

  ShareConfig updated = config;
  updated.access_key_id = new_key.access_key_id;
  updated.secret_access_key = new_key.secret_access_key;
  const std::string config_text = RenderConfig(updated);
  if (Status s = files.WriteAtomic(config_path, config_text, kFileMode); !s.ok()) {
    return rollback(s);
  }
  config_written = true;
  if (Status s = files.WriteAtomic(secret_path, RenderAwsSecret(config_text), kFileMode); !s.ok()) {
    return rollback(s);
  }
  secret_written = true;
  report({kStep,
          config_path + ", " + secret_path,
          "written",
          "with key " + new_key.access_key_id,
          true,
          {}});
  if (Status s = hook("write-files"); !s.ok()) return rollback(s);

  if (!out.old_key_id.empty()) {
    if (Status s = target.UpdateAccessKey(options.user_name, out.old_key_id, "Inactive"); !s.ok()) {
      return rollback(s);
    }
    deactivated = true;
    report({kStep, "old key " + out.old_key_id, "deactivated", "", true, {}});
    if (Status s = hook("deactivate-old-key"); !s.ok()) return rollback(s);
    if (Status s = target.DeleteAccessKey(options.user_name, out.old_key_id); !s.ok()) {
      return rollback(s);
    }
    report({kStep, "old key " + out.old_key_id, "deleted", "", true, {}});
  }
  return out;
}

}  // namespace cpa::share
