#pragma once
// `cpa share`: spec steps 1-7 as one idempotent procedure.
//
//   1. the packages registry account (the subscription's packageRegistry, else the region table);
//   2. in the source account, the ECR read policy; 3. the role trusting the target account, with
//      the policy attached; 4. in the target account, the assume-role policy and the user, with
//      it attached; 5. an access key; 6. DIR/config (mode 0600); 7. DIR/aws-secret.yaml;
//   then, unless disabled, a proof that the written chain works (verify.h).
//
// RunShare reads everything first (identities, subscription, entities, the files and whether the
// config's key is still the user's), plans (plan.h, pure) and then carries the plan out in order,
// reporting every step, unchanged ones included. A run over a complete setup changes nothing;
// drift is repaired (a policy whose default version differs gets a new default version, deleting
// the oldest non-default one at IAM's limit of five; a different trust policy is replaced; a
// detached policy is attached again). An existing key is kept while it is valid and the user's;
// a second key is made only with `new_key`. A dry run makes no write call at all.
//
// Failures stop the run with the service's error; a key created in a run whose files cannot be
// written is deleted again so that no unusable key is left behind.

#include <optional>
#include <string>

#include "core/status.h"
#include "share/aws.h"
#include "share/files.h"
#include "share/plan.h"
#include "share/registries.h"
#include "share/report.h"
#include "share/verify.h"

namespace cpa::share {

struct ShareOptions {
  std::string region;
  std::string subscription_id;  // empty: the account's active subscription, if any
  Names names;
  std::string out_dir;
  bool dry_run = false;
  bool new_key = false;
  bool verify = true;
  std::string session_name = "cpa-share-verify";
  // For the verification after changes (IAM propagation); unchanged setups are checked once.
  RetryPolicy retry;
};

struct ShareOutcome {
  CallerIdentity source;
  CallerIdentity target;
  PackagesAccount packages;
  Desired desired;
  Plan plan;
  int changes = 0;
  std::string access_key_id;  // the key the config file holds (empty in a dry run creating one)
  std::string user_arn;
  std::optional<VerifyResult> verified;
};

core::Result<ShareOutcome> RunShare(const ShareOptions& options, AccountApi& source,
                                    AccountApi& target, ChainProbe& probe, FileStore& files,
                                    const Reporter& report);

// The description cpa gives the entities it creates.
inline constexpr char kCreatedByDescription[] =
    "EKS Anywhere curated packages access (created by cpa share)";

}  // namespace cpa::share
