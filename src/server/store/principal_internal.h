#pragma once
// Internal: resolving a PrincipalRef to its row and tables.

#include <cstdint>
#include <string>

#include "core/status.h"
#include "server/store/principal.h"
#include "server/store/store_state.h"

namespace cpa::server::store::internal {

struct PrincipalRow {
  int64_t pk = 0;
  std::string attach_table;  // user_policy_attachments | role_policy_attachments
  std::string inline_table;  // user_inline_policies | role_inline_policies
  std::string key_column;    // user_pk | role_pk
  std::string kind_word;     // "user" | "role"
  std::string quota_name;    // PoliciesPerUser | PoliciesPerRole
};

// Under s.mu. NoSuchEntity with IAM's user/role message when absent.
core::Result<PrincipalRow> FindPrincipal(StoreState& s, const PrincipalRef& p);

}  // namespace cpa::server::store::internal
