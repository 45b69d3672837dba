#pragma once
// Proof that a shared key works through the whole chain of the config file: the key
// authenticates as the user (STS GetCallerIdentity), the user assumes the role (STS AssumeRole),
// and the role gets an ECR authorization token. IAM is eventually consistent, so a key or a
// grant made moments ago is retried as configured.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "share/aws.h"
#include "share/report.h"

namespace cpa::share {

struct RetryPolicy {
  int attempts = 1;
  std::chrono::milliseconds delay{0};
  std::function<void(std::chrono::milliseconds)> sleep;  // null: no waiting
};

struct VerifyResult {
  std::string user_arn;
  std::string assumed_role_arn;
  bool ecr_checked = false;
  std::string ecr_endpoint;
  std::string ecr_note;  // why ECR was not checked
};

// Called after each step with its name ("verify-identity", "assume-role", "ecr-token"); a
// non-OK status fails the verification there (the test hook of `rotate-key --fail-after`).
using StepHook = std::function<core::Status(std::string_view step)>;

core::Result<VerifyResult> VerifyChain(ChainProbe& probe, const KeyCredentials& key,
                                       const std::string& expected_user_arn,
                                       const std::string& role_arn, const std::string& session_name,
                                       const RetryPolicy& retry, const Reporter& report,
                                       const StepHook& hook = nullptr);

}  // namespace cpa::share
