// (Implementation helpers shared by attachment.cc and inline_policy.cc.)
#include "server/store/principal_internal.h"
#include "server/store/role.h"
#include "server/store/user.h"

namespace cpa::server::store::internal {

core::Result<PrincipalRow> FindPrincipal(StoreState& s, const PrincipalRef& p) {
  PrincipalRow out;
  if (p.type == PrincipalType::kUser) {
    CPA_ASSIGN_OR_RETURN(UserRow u, FindUser(s, p.account_id, p.name));
    out.pk = u.pk;
    out.attach_table = "user_policy_attachments";
    out.inline_table = "user_inline_policies";
    out.key_column = "user_pk";
    out.kind_word = "user";
    out.quota_name = "PoliciesPerUser";
  } else {
    CPA_ASSIGN_OR_RETURN(RoleRow r, FindRole(s, p.account_id, p.name));
    out.pk = r.pk;
    out.attach_table = "role_policy_attachments";
    out.inline_table = "role_inline_policies";
    out.key_column = "role_pk";
    out.kind_word = "role";
    out.quota_name = "PoliciesPerRole";
  }
  return out;
}

}  // namespace cpa::server::store::internal
