#include "server/store/account.h"

#include "server/store/store_state.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::Result;
using core::Status;

namespace {
Account Row(const Statement& q) {
  Account a;
  a.id = q.Text(0);
  a.name = q.Text(1);
  a.aws_owned = q.Int(2) != 0;
  a.region = q.Text(3);
  a.create_date = FromUnix(q.Int(4));
  return a;
}
}  // namespace

Result<Account> AccountRepository::Create(const Account& in) {
  CPA_RETURN_IF_ERROR(CheckAccountId(in.id));
  Account a = in;
  a.create_date = s_.clock.Now();
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("INSERT INTO accounts(id, name, aws_owned, region, "
                                                "create_date) VALUES (?1, ?2, ?3, ?4, ?5)"));
    q->Bind(1, a.id).Bind(2, a.name).Bind(3, a.aws_owned ? 1 : 0).Bind(4, a.region);
    q->Bind(5, ToUnix(a.create_date));
    Status st = q->Run();
    if (st.code() == core::ErrorCode::kAlreadyExists) {
      return AlreadyExists("Account " + a.id + " already exists.");
    }
    return st;
  }));
  return a;
}

Result<Account> AccountRepository::Get(std::string_view id) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT id, name, aws_owned, region, create_date "
                                              "FROM accounts WHERE id = ?1"));
  q->Bind(1, id);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NotFound("Account " + std::string(id) + " does not exist.");
  return Row(*q);
}

bool AccountRepository::Exists(std::string_view id) { return Get(id).ok(); }

Result<Page<Account>> AccountRepository::List(const PageRequest& page) {
  CPA_RETURN_IF_ERROR(CheckMaxItems(page.max_items));
  CPA_ASSIGN_OR_RETURN(Cursor c, DecodeMarker(page.marker));
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT id, name, aws_owned, region, create_date "
                                              "FROM accounts WHERE ?1 IS NULL OR id > ?1 "
                                              "ORDER BY id LIMIT ?2"));
  if (c.start) {
    q->BindNull(1);
  } else {
    q->Bind(1, c.key);
  }
  q->Bind(2, page.max_items + 1);
  Page<Account> out;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (static_cast<int>(out.items.size()) == page.max_items) {
      out.is_truncated = true;
      out.marker = EncodeMarker(out.items.back().id, 0);
      break;
    }
    out.items.push_back(Row(*q));
  }
  return out;
}

}  // namespace cpa::server::store
