#pragma once
// Evaluation of one request against the policies that apply to it, as AWS combines them:
//
//   1. sts:GetCallerIdentity is always allowed for an authenticated caller.
//   2. An explicit Deny in any applicable policy (identity, resource/trust, boundary, session)
//      wins.
//   3. The account root user is allowed in its own account (except for role trust checks).
//   4. Identity side: some identity policy allows, and the permissions boundary (if any) allows,
//      and the session policies (if any) allow.
//   5. Resource side (skipped for resource-less actions, whose resource is "*"): the resource
//      policy allows the principal, classified by how it names it: directly (its ARN, or "*"),
//      via the role of a role session, or via its account (":root" / 12-digit id).
//   6. Same account: direct, or via-role within boundary and session policies, or the identity
//      side. A trust policy is mandatory: the identity side counts only when the trust policy
//      names the caller's account. Cross account: the resource side and the identity side.
//
// The result carries a human-readable trace: which policy and statement allowed or denied, and
// which side was missing. Policies are referenced, not copied: they must outlive the call (not
// the Decision, which owns its strings).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/compiled.h"
#include "policy/context.h"

namespace cpa::policy {

struct EvaluationRequest {
  // The caller: "arn:aws:iam::<acct>:user/<name>", "arn:aws:sts::<acct>:assumed-role/<role>/<s>",
  // "arn:aws:iam::<acct>:root", "arn:aws:sts::<acct>:federated-user/<name>", a service principal
  // ("ecs.amazonaws.com"), or "" for an anonymous caller.
  std::string_view principal_arn;
  // Defaults to the account of principal_arn.
  std::string_view principal_account;
  // For role sessions: the role's ARN with its path. Defaults to the role named in the session ARN
  // (matched ignoring the path).
  std::string_view role_arn;
  // aws:userid (e.g. "AROA...:s1"); optional.
  std::string_view user_id;
  // True for a GetFederationToken session: without a session policy it has no permissions.
  bool federation_token_session = false;

  std::string_view action;    // "ecr:BatchGetImage" (any case)
  std::string_view resource;  // an ARN, or "*" for actions without a resource type
  // Defaults to the account segment of `resource`, or principal's account for "*".
  std::string_view resource_account;

  // Other context keys (aws:SourceIp, aws:PrincipalTag/..., sts:ExternalId, ...). Derived keys
  // (aws:PrincipalArn, aws:PrincipalAccount, aws:username, aws:userid, aws:PrincipalType) come
  // from the fields above unless set here.
  const ContextKeys* context = nullptr;
};

struct EvaluationPolicies {
  std::vector<const CompiledPolicy*> identity;  // the principal's (or session role's) policies
  // The resource's policy: a repository policy, or the role's trust policy for sts:AssumeRole*.
  const CompiledPolicy* resource = nullptr;
  const CompiledPolicy* permissions_boundary = nullptr;
  std::vector<const CompiledPolicy*> session;  // session policies; empty = none passed
};

enum class DecisionKind { kAllowed, kExplicitDeny, kImplicitDeny };
std::string_view DecisionKindName(DecisionKind kind);  // "allowed", "explicitDeny", "implicitDeny"

enum class PolicyRole { kNone, kIdentity, kResource, kTrust, kPermissionsBoundary, kSession };
std::string_view PolicyRoleName(PolicyRole role);  // "identity", "resource", "trust", ...

// Which side was missing for an implicit deny (for AccessDenied messages).
enum class MissingSide { kNone, kIdentity, kResource, kTrust, kPermissionsBoundary, kSession };

struct TraceEntry {
  PolicyRole role = PolicyRole::kNone;
  std::string policy;     // policy name; empty for engine-level entries
  std::string statement;  // Sid or "#<index>"; empty when not about one statement
  std::optional<Effect> effect;
  std::string message;  // a full sentence for people
};

struct Decision {
  DecisionKind kind = DecisionKind::kImplicitDeny;
  MissingSide missing = MissingSide::kNone;
  std::vector<TraceEntry> trace;

  bool allowed() const { return kind == DecisionKind::kAllowed; }
  // "decision: allowed" followed by one "  - message" line per trace entry.
  std::string ToText() const;
  // {"decision": "allowed"|"explicitDeny"|"implicitDeny", "trace": [{"policyType", "policy",
  //  "statement", "effect", "message"}, ...]} (empty fields omitted).
  std::string ToJson(int indent = -1) const;
  // IAM-style suffix for an AccessDenied message, e.g. " because no identity-based policy allows
  // the ecr:BatchGetImage action"; empty when not applicable.
  std::string AccessDeniedReason(std::string_view action) const;
};

struct EvaluateOptions {
  bool trace = true;  // false: skip building trace strings (hot paths that need only the kind)
};

Decision Evaluate(const EvaluationRequest& request, const EvaluationPolicies& policies,
                  const EvaluateOptions& options = {});

}  // namespace cpa::policy
