#pragma once
// Managed-policy attachments to users and roles, and the identity policies of a principal (what
// the policy engine evaluates: the default version of each attached policy plus the inline
// policies, read under one lock).

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/store/pagination.h"
#include "server/store/principal.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

// IAM's default quota of managed policies per user and per role.
inline constexpr int kMaxAttachedPolicies = 10;

struct AttachedPolicy {
  std::string policy_name;
  std::string policy_arn;
};

struct IdentityPolicy {
  bool managed = false;
  std::string source;  // the policy ARN (managed) or the inline policy name
  std::string document;
};

class AttachmentRepository {
 public:
  explicit AttachmentRepository(internal::StoreState& s) : s_(s) {}

  // Idempotent as in IAM. NoSuchEntity for the principal, or "Policy <arn> does not exist or is
  // not attachable." for a missing policy or another account's customer-managed policy.
  // LimitExceeded beyond 10 attached policies.
  core::Status Attach(const PrincipalRef& principal, std::string_view policy_arn);
  // NoSuchEntity "Policy <arn> was not found." when not attached.
  core::Status Detach(const PrincipalRef& principal, std::string_view policy_arn);
  // Ordered by policy name.
  core::Result<Page<AttachedPolicy>> List(const PrincipalRef& principal,
                                          const PageRequest& page = {},
                                          std::string_view path_prefix = "/");
  // Managed (default versions) first, then inline; NoSuchEntity for the principal.
  core::Result<std::vector<IdentityPolicy>> IdentityPolicies(const PrincipalRef& principal);

 private:
  internal::StoreState& s_;
};

}  // namespace cpa::server::store
