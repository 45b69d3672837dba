#include "server/store/inline_policy.h"

#include "server/store/principal_internal.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::Result;
using core::Status;

namespace {
Status NoSuchInline(const PrincipalRow& p, std::string_view name) {
  return NotFound("The " + p.kind_word + " policy with name " + std::string(name) +
                  " cannot be found.");
}
}  // namespace

Status InlinePolicyRepository::Put(const PrincipalRef& principal, std::string_view name,
                                   std::string_view document) {
  CPA_RETURN_IF_ERROR(CheckName("policyName", name, 128));
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("INSERT INTO " + p.inline_table + "(" + p.key_column +
                                        ", name, document) VALUES (?1, ?2, ?3) "
                                        "ON CONFLICT DO UPDATE SET document = ?3"));
    q->Bind(1, p.pk).Bind(2, name).Bind(3, document);
    return q->Run();
  });
}

Result<InlinePolicy> InlinePolicyRepository::Get(const PrincipalRef& principal,
                                                 std::string_view name) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT name, document FROM " + p.inline_table +
                                              " WHERE " + p.key_column + " = ?1 AND name = ?2"));
  q->Bind(1, p.pk).Bind(2, name);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NoSuchInline(p, name);
  return InlinePolicy{q->Text(0), q->Text(1)};
}

Status InlinePolicyRepository::Delete(const PrincipalRef& principal, std::string_view name) {
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM " + p.inline_table + " WHERE " +
                                                p.key_column + " = ?1 AND name = ?2"));
    q->Bind(1, p.pk).Bind(2, name);
    CPA_RETURN_IF_ERROR(q->Run());
    if (s_.db->Changes() == 0) return NoSuchInline(p, name);
    return Status::Ok();
  });
}

Result<Page<std::string>> InlinePolicyRepository::List(const PrincipalRef& principal,
                                                       const PageRequest& page) {
  CPA_RETURN_IF_ERROR(CheckMaxItems(page.max_items));
  CPA_ASSIGN_OR_RETURN(Cursor c, DecodeMarker(page.marker));
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(PrincipalRow p, FindPrincipal(s_, principal));
  CPA_ASSIGN_OR_RETURN(
      auto q, s_.db->Prepare("SELECT name FROM " + p.inline_table + " WHERE " + p.key_column +
                             " = ?1 AND (?2 IS NULL OR name > ?2) "
                             "ORDER BY name LIMIT ?3"));
  q->Bind(1, p.pk);
  if (c.start) {
    q->BindNull(2);
  } else {
    q->Bind(2, c.key);
  }
  q->Bind(3, page.max_items + 1);
  Page<std::string> out;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (static_cast<int>(out.items.size()) == page.max_items) {
      out.is_truncated = true;
      out.marker = EncodeMarker(out.items.back(), 0);
      break;
    }
    out.items.push_back(q->Text(0));
  }
  return out;
}

}  // namespace cpa::server::store
