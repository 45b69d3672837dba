#include "server/store/user.h"

#include "server/store/store_state.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::Result;
using core::Status;

namespace {
constexpr std::string_view kColumns = "pk, account_id, name, path, unique_id, create_date";

UserRow Row(const Statement& q) {
  UserRow r;
  r.pk = q.Int(0);
  r.user.account_id = q.Text(1);
  r.user.name = q.Text(2);
  r.user.path = q.Text(3);
  r.user.user_id = q.Text(4);
  r.user.create_date = FromUnix(q.Int(5));
  r.user.arn = IamArn(r.user.account_id, "user", r.user.path, r.user.name);
  return r;
}

}  // namespace

namespace internal {
Result<UserRow> FindUser(StoreState& s, std::string_view account_id, std::string_view name) {
  CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT " + std::string(kColumns) +
                                             " FROM users WHERE account_id = ?1 AND name = ?2"));
  q->Bind(1, account_id).Bind(2, name);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NotFound("The user with name " + std::string(name) + " cannot be found.");
  return Row(*q);
}
}  // namespace internal

Result<User> UserRepository::Create(const NewUser& in) {
  CPA_RETURN_IF_ERROR(CheckName("userName", in.name, 64));
  CPA_RETURN_IF_ERROR(CheckPath(in.path));
  User u;
  u.account_id = in.account_id;
  u.name = in.name;
  u.path = in.path;
  u.create_date = s_.clock.Now();
  u.arn = IamArn(u.account_id, "user", u.path, u.name);
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_RETURN_IF_ERROR(RequireAccount(s_, in.account_id));
    if (FindUser(s_, in.account_id, in.name).ok()) {
      return AlreadyExists("User with name " + in.name + " already exists.");
    }
    u.user_id = in.user_id.empty() ? s_.ids.UniqueId(core::id_prefix::kUser) : in.user_id;
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("INSERT INTO users(account_id, name, path, unique_id, "
                                        "create_date) VALUES (?1, ?2, ?3, ?4, ?5)"));
    q->Bind(1, u.account_id).Bind(2, u.name).Bind(3, u.path).Bind(4, u.user_id);
    q->Bind(5, ToUnix(u.create_date));
    return q->Run();
  }));
  return u;
}

Result<User> UserRepository::Get(std::string_view account_id, std::string_view name) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(UserRow r, FindUser(s_, account_id, name));
  return r.user;
}

Result<Page<User>> UserRepository::List(const ListUsersRequest& req) {
  CPA_RETURN_IF_ERROR(CheckMaxItems(req.page.max_items));
  CPA_ASSIGN_OR_RETURN(Cursor c, DecodeMarker(req.page.marker));
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(auto q,
                       s_.db->Prepare("SELECT " + std::string(kColumns) +
                                      " FROM users WHERE account_id = ?1 "
                                      "AND substr(path, 1, length(?2)) = ?2 "
                                      "AND (?3 IS NULL OR name > ?3 OR (name = ?3 AND pk > ?4)) "
                                      "ORDER BY name, pk LIMIT ?5"));
  q->Bind(1, req.account_id).Bind(2, req.path_prefix);
  if (c.start) {
    q->BindNull(3);
  } else {
    q->Bind(3, c.key);
  }
  q->Bind(4, c.row).Bind(5, req.page.max_items + 1);
  Page<User> out;
  int64_t last_pk = 0;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (static_cast<int>(out.items.size()) == req.page.max_items) {
      out.is_truncated = true;
      out.marker = EncodeMarker(out.items.back().name, last_pk);
      break;
    }
    UserRow r = Row(*q);
    last_pk = r.pk;
    out.items.push_back(std::move(r.user));
  }
  return out;
}

Status UserRepository::Delete(std::string_view account_id, std::string_view name) {
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(UserRow r, FindUser(s_, account_id, name));
    struct Dependent {
      const char* sql;
      const char* message;
    };
    static constexpr Dependent kDependents[] = {
        {"SELECT 1 FROM access_keys WHERE user_pk = ?1 LIMIT 1",
         "Cannot delete entity, must delete access keys first."},
        {"SELECT 1 FROM user_policy_attachments WHERE user_pk = ?1 LIMIT 1",
         "Cannot delete entity, must detach all policies first."},
        {"SELECT 1 FROM user_inline_policies WHERE user_pk = ?1 LIMIT 1",
         "Cannot delete entity, must delete policies first."},
    };
    for (const Dependent& d : kDependents) {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare(d.sql));
      q->Bind(1, r.pk);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row) return Conflict(d.message);
    }
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM users WHERE pk = ?1"));
    q->Bind(1, r.pk);
    return q->Run();
  });
}

}  // namespace cpa::server::store
