#pragma once
// Policy documents: the parsed form (AST) and IAM's validation rules per policy kind.
//
// ParsePolicy checks, in this order (the order matters because IAM reports only one error):
//   1. the character set (tab, LF, CR, U+0020..U+00FF) and the 131072-character API limit;
//   2. the size quota, counted in non-whitespace characters -> LimitExceeded;
//   3. JSON syntax ("This policy contains invalid Json"), duplicate keys and the grammar
//      (unknown elements, wrong types, exclusive pairs, unknown condition operators)
//      -> "Syntax errors in policy.";
//   4. the Version required for managed policies;
//   5. "legacy parsing": Effect case, condition values that do not parse for their operator;
//   6. Sid uniqueness and (IAM kinds) Sid characters;
//   7. Action presence; then kind rules: Principal prohibited/required, Resource required
//      (identity) or prohibited (trust), NotPrincipal in trust policies;
//   8. the first Resource format error; 9. action vendor prefixes; 10. trust-policy actions;
//   11. principal values.
// This follows moto's emulation of IAM (getmoto/moto moto/iam/policy_validation.py) where it has
// one; the messages are IAM's texts. All errors are MalformedPolicyDocument except sizes.
// No exception escapes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::policy {

enum class PolicyKind {
  kIdentity,  // attached to a user, group or role; also permissions boundaries, session policies
  kResource,  // attached to a resource (ECR repository policy, ...); needs Principal
  kTrust,     // a role's trust (assume-role) policy
};
std::string_view PolicyKindName(PolicyKind kind);  // "identity", "resource", "trust"

enum class PolicyVersion { kAbsent, k2008_10_17, k2012_10_17 };
enum class Effect { kAllow, kDeny };

// Which IAM size quota applies. The limits count characters other than whitespace.
enum class SizeQuota {
  kNone,
  kManagedPolicy,  // 6144, "Cannot exceed quota for PolicySize: 6144"; needs Version 2012-10-17
  kUserInline,     // 2048 (all inline policies of a user)
  kGroupInline,    // 5120
  kRoleInline,     // 10240
  kTrustPolicy,    // 2048 by default (raisable; see ParseOptions::quota_override)
};
size_t DefaultQuotaSize(SizeQuota quota);  // 0 for kNone

struct ParseOptions {
  PolicyKind kind = PolicyKind::kIdentity;
  SizeQuota quota = SizeQuota::kNone;
  std::string_view entity_name;  // user/group/role name for the inline-size message
  size_t quota_override = 0;     // non-zero replaces the quota's default size
  // Non-zero: characters already used by the entity's other inline policies (the inline quotas
  // cover the sum of them).
  size_t quota_already_used = 0;
  // Append a detail in parentheses to IAM's message (which element, which value). Off for the
  // wire, where clients expect IAM's exact text; on for the CLI.
  bool verbose = false;
};

struct PrincipalBlock {
  bool wildcard = false;  // "Principal": "*"
  std::vector<std::string> aws, service, federated, canonical_user;
};

// One (operator, key) pair of a Condition block; values rendered as text (true -> "true").
struct ConditionClause {
  std::string op;
  std::string key;
  std::vector<std::string> values;
};

struct Statement {
  std::optional<std::string> sid;
  Effect effect = Effect::kAllow;
  std::optional<PrincipalBlock> principal;  // Principal or NotPrincipal
  bool not_principal = false;
  std::vector<std::string> actions;  // Action or NotAction
  bool not_action = false;
  bool has_resource = false;  // false: neither Resource nor NotResource (trust/resource policies)
  std::vector<std::string> resources;  // Resource or NotResource
  bool not_resource = false;
  std::vector<ConditionClause> conditions;
};

struct PolicyDocument {
  PolicyKind kind = PolicyKind::kIdentity;
  PolicyVersion version = PolicyVersion::kAbsent;
  std::optional<std::string> id;
  std::vector<Statement> statements;

  // Variables are substituted only under 2012-10-17; an absent Version evaluates as 2008-10-17.
  bool variables_enabled() const { return version == PolicyVersion::k2012_10_17; }
};

core::Result<PolicyDocument> ParsePolicy(std::string_view json, const ParseOptions& options);
inline core::Result<PolicyDocument> ParsePolicy(std::string_view json, PolicyKind kind,
                                                SizeQuota quota = SizeQuota::kNone) {
  ParseOptions o;
  o.kind = kind;
  o.quota = quota;
  return ParsePolicy(json, o);
}

// The size IAM charges against a quota: characters other than space, tab, CR and LF.
size_t PolicyQuotaSize(std::string_view json);

}  // namespace cpa::policy
