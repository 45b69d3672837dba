#include "server/store/attachment.h"

#include "server/store/managed_policy.h"
#include "server/store/principal_internal.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::Result;
using core::Status;

Status AttachmentRepository::Attach(const PrincipalRef& principal, std::string_view policy_arn) {
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
    auto policy = FindPolicy(s_, policy_arn);
    if (!policy.ok() && policy.status().code() != core::ErrorCode::kNotFound) {
      return policy.status();
    }
    if (!policy.ok() ||
        (!policy->policy.aws_managed() && policy->policy.account_id != principal.account_id)) {
      return NotFound("Policy " + std::string(policy_arn) +
                      " does not exist or is not attachable.");
    }
    {
      CPA_ASSIGN_OR_RETURN(auto q,
                           s_.db->Prepare("SELECT count(*), coalesce(sum(policy_pk = ?2), "
                                          "0) FROM " +
                                          p.attach_table + " WHERE " + p.key_column + " = ?1"));
      q->Bind(1, p.pk).Bind(2, policy->pk);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row && q->Int(1) > 0) return Status::Ok();  // attached already
      if (row && q->Int(0) >= kMaxAttachedPolicies) {
        return Limit("Cannot exceed quota for " + p.quota_name + ": " +
                     std::to_string(kMaxAttachedPolicies));
      }
    }
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("INSERT INTO " + p.attach_table + "(" +
                                                p.key_column + ", policy_pk) VALUES (?1, ?2)"));
    q->Bind(1, p.pk).Bind(2, policy->pk);
    return q->Run();
  });
}

Status AttachmentRepository::Detach(const PrincipalRef& principal, std::string_view policy_arn) {
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
    CPA_ASSIGN_OR_RETURN(PolicyRow policy, FindPolicy(s_, policy_arn));
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM " + p.attach_table + " WHERE " +
                                                p.key_column + " = ?1 AND policy_pk = ?2"));
    q->Bind(1, p.pk).Bind(2, policy.pk);
    CPA_RETURN_IF_ERROR(q->Run());
    if (s_.db->Changes() == 0) {
      return NotFound("Policy " + std::string(policy_arn) + " was not found.");
    }
    return Status::Ok();
  });
}

Result<Page<AttachedPolicy>> AttachmentRepository::List(const PrincipalRef& principal,
                                                        const PageRequest& page,
                                                        std::string_view path_prefix) {
  CPA_RETURN_IF_ERROR(CheckMaxItems(page.max_items));
  CPA_ASSIGN_OR_RETURN(Cursor c, DecodeMarker(page.marker));
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
  CPA_ASSIGN_OR_RETURN(
      auto q,
      s_.db->Prepare("SELECT m.pk, m.account_id, m.name, m.path FROM " + p.attach_table +
                     " a JOIN managed_policies m ON m.pk = a.policy_pk WHERE a." + p.key_column +
                     " = ?1 AND substr(m.path, 1, length(?2)) = ?2 "
                     "AND (?3 IS NULL OR m.name > ?3 OR (m.name = ?3 AND m.pk > ?4)) "
                     "ORDER BY m.name, m.pk LIMIT ?5"));
  q->Bind(1, p.pk).Bind(2, path_prefix);
  if (c.start) {
    q->BindNull(3);
  } else {
    q->Bind(3, c.key);
  }
  q->Bind(4, c.row).Bind(5, page.max_items + 1);
  Page<AttachedPolicy> out;
  int64_t last_pk = 0;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (static_cast<int>(out.items.size()) == page.max_items) {
      out.is_truncated = true;
      out.marker = EncodeMarker(out.items.back().policy_name, last_pk);
      break;
    }
    last_pk = q->Int(0);
    out.items.push_back({q->Text(2), IamArn(q->Text(1), "policy", q->Text(3), q->Text(2))});
  }
  return out;
}

Result<std::vector<IdentityPolicy>> AttachmentRepository::IdentityPolicies(
    const PrincipalRef& principal) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
  std::vector<IdentityPolicy> out;
  {
    CPA_ASSIGN_OR_RETURN(
        auto q,
        s_.db->Prepare("SELECT m.account_id, m.path, m.name, v.document FROM " + p.attach_table +
                       " a JOIN managed_policies m ON m.pk = a.policy_pk "
                       "JOIN policy_versions v ON v.policy_pk = m.pk AND v.version = "
                       "m.default_version WHERE a." +
                       p.key_column + " = ?1 ORDER BY m.name, m.pk"));
    q->Bind(1, p.pk);
    while (true) {
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      out.push_back({true, IamArn(q->Text(0), "policy", q->Text(1), q->Text(2)), q->Text(3)});
    }
  }
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT name, document FROM " + p.inline_table +
                                              " WHERE " + p.key_column + " = ?1 ORDER BY name"));
  q->Bind(1, p.pk);
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({false, q->Text(0), q->Text(1)});
  }
  return out;
}

}  // namespace cpa::server::store
