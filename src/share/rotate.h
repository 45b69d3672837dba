#pragma once
// `cpa share rotate-key`: replaces the key in DIR/config without a moment of broken access.
//
//   1. read DIR/config (it must be in the spec's shape) and check its key is the user's;
//   2. create a new key (the user must have room for it: IAM allows two);
//   3. prove the new key works through the whole chain (verify.h);
//   4. rewrite DIR/config and DIR/aws-secret.yaml, each atomically (temporary file + rename);
//   5. deactivate, then delete, the old key.
//
// On any failure after step 2 everything is undone in reverse: the old key is made active again,
// the files get their previous bytes back (or are removed if they did not exist), and the new key
// is deleted. The test hook `fail_after` makes the named step fail right after it succeeded.

#include <optional>
#include <string>

#include "core/status.h"
#include "share/aws.h"
#include "share/files.h"
#include "share/report.h"
#include "share/verify.h"

namespace cpa::share {

struct RotateOptions {
  std::string out_dir;
  std::string user_name = "curated-packages-user";
  std::string region;  // empty: the config file's region
  std::string session_name = "cpa-share-verify";
  RetryPolicy retry;
  // Test hook: one of RotateSteps(); that step fails right after it succeeded.
  std::string fail_after;
};

// The step names, in order, that `fail_after` accepts.
const std::vector<std::string>& RotateSteps();

struct RotateOutcome {
  std::string user_arn;
  std::string old_key_id;  // empty when the config's key was no longer the user's
  std::string new_key_id;
  std::string role_arn;
  VerifyResult verified;
};

// `source` (may be null) is only used to check that the config's role is in the source account.
core::Result<RotateOutcome> RotateKey(const RotateOptions& options, AccountApi& target,
                                      AccountApi* source, ChainProbe& probe, FileStore& files,
                                      const Reporter& report);

}  // namespace cpa::share
