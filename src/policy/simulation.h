#pragma once
// A simulation request: one evaluation described as JSON, as `cpa policy simulate --request`
// and the policy benchmark read it.
//
//   {"principal": ARN, "action": "svc:Op", "resource": ARN or "*",
//    "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"], ...},
//    "identityPolicies": [doc, ...], "resourcePolicy": doc, "permissionsBoundary": doc,
//    "sessionPolicy": doc,
//    "principalAccount", "resourceAccount", "roleArn", "userId": optional overrides}
//
// A policy is a JSON object, a string holding one, or {"name": ..., "document": ...} to name it
// in the trace. For sts:AssumeRole (and the other trust-policy actions) the resource policy is
// the role's trust policy. Unknown fields are errors, so that a typo cannot silently drop a
// policy.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "policy/compiled.h"
#include "policy/context.h"
#include "policy/evaluator.h"

namespace cpa::policy {

// Owns everything an evaluation refers to; Request() and Policies() view into it, so it must
// outlive their use. Not copyable (the views would dangle); movable.
class Simulation {
 public:
  // Errors: InvalidArgument / MissingParameter for the request's shape, and the policy's own
  // MalformedPolicyDocument error prefixed with which policy it was.
  static core::Result<Simulation> Parse(std::string_view json);

  Simulation(Simulation&&) noexcept = default;
  Simulation& operator=(Simulation&&) noexcept = default;
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  const EvaluationRequest& Request() const { return request_; }
  const EvaluationPolicies& Policies() const { return policies_; }
  Decision Run(const EvaluateOptions& options = {}) const {
    return Evaluate(request_, policies_, options);
  }

 private:
  Simulation() = default;
  // unique_ptr members keep addresses stable across moves.
  std::unique_ptr<std::string> principal_, action_, resource_, principal_account_,
      resource_account_, role_arn_, user_id_;
  std::unique_ptr<ContextKeys> context_;
  std::vector<std::unique_ptr<CompiledPolicy>> owned_;
  EvaluationRequest request_;
  EvaluationPolicies policies_;
};

// True for the actions whose resource policy is a role's trust policy.
bool IsTrustPolicyAction(std::string_view action);

}  // namespace cpa::policy
