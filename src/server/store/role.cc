#include "server/store/role.h"

#include "server/store/store_state.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::Result;
using core::Status;

namespace {
constexpr std::string_view kColumns =
    "pk, account_id, name, path, unique_id, trust_policy, description, max_session_duration, "
    "create_date";

RoleRow Row(const Statement& q) {
  RoleRow r;
  r.pk = q.Int(0);
  r.role.account_id = q.Text(1);
  r.role.name = q.Text(2);
  r.role.path = q.Text(3);
  r.role.role_id = q.Text(4);
  r.role.trust_policy = q.Text(5);
  r.role.description = q.Text(6);
  r.role.max_session_duration = static_cast<int>(q.Int(7));
  r.role.create_date = FromUnix(q.Int(8));
  r.role.arn = IamArn(r.role.account_id, "role", r.role.path, r.role.name);
  return r;
}

Status CheckMaxSession(int seconds) {
  if (seconds < 3600 || seconds > 43200) {
    return Status(core::ErrorCode::kInvalidArgument,
                  "1 validation error detected: Value '" + std::to_string(seconds) +
                      "' at 'maxSessionDuration' failed to satisfy constraint: Member must have "
                      "value between 3600 and 43200");
  }
  return Status::Ok();
}
}  // namespace

namespace internal {
Result<RoleRow> FindRole(StoreState& s, std::string_view account_id, std::string_view name) {
  CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT " + std::string(kColumns) +
                                             " FROM roles WHERE account_id = ?1 AND name = ?2"));
  q->Bind(1, account_id).Bind(2, name);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NotFound("The role with name " + std::string(name) + " cannot be found.");
  return Row(*q);
}
}  // namespace internal

Result<Role> RoleRepository::Create(const NewRole& in) {
  CPA_RETURN_IF_ERROR(CheckName("roleName", in.name, 64));
  CPA_RETURN_IF_ERROR(CheckPath(in.path));
  CPA_RETURN_IF_ERROR(CheckMaxSession(in.max_session_duration));
  Role r;
  r.account_id = in.account_id;
  r.name = in.name;
  r.path = in.path;
  r.trust_policy = in.trust_policy;
  r.description = in.description;
  r.max_session_duration = in.max_session_duration;
  r.create_date = s_.clock.Now();
  r.arn = IamArn(r.account_id, "role", r.path, r.name);
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_RETURN_IF_ERROR(RequireAccount(s_, in.account_id));
    if (FindRole(s_, in.account_id, in.name).ok()) {
      return AlreadyExists("Role with name " + in.name + " already exists.");
    }
    r.role_id = in.role_id.empty() ? s_.ids.UniqueId(core::id_prefix::kRole) : in.role_id;
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("INSERT INTO roles(account_id, name, path, unique_id, "
                                        "trust_policy, description, max_session_duration, "
                                        "create_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    q->Bind(1, r.account_id).Bind(2, r.name).Bind(3, r.path).Bind(4, r.role_id);
    q->Bind(5, r.trust_policy).Bind(6, r.description).Bind(7, r.max_session_duration);
    q->Bind(8, ToUnix(r.create_date));
    return q->Run();
  }));
  return r;
}

Result<Role> RoleRepository::Get(std::string_view account_id, std::string_view name) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(RoleRow r, FindRole(s_, account_id, name));
  return r.role;
}

Result<Page<Role>> RoleRepository::List(const ListRolesRequest& req) {
  CPA_RETURN_IF_ERROR(CheckMaxItems(req.page.max_items));
  CPA_ASSIGN_OR_RETURN(Cursor c, DecodeMarker(req.page.marker));
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(auto q,
                       s_.db->Prepare("SELECT " + std::string(kColumns) +
                                      " FROM roles WHERE account_id = ?1 "
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
  Page<Role> out;
  int64_t last_pk = 0;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (static_cast<int>(out.items.size()) == req.page.max_items) {
      out.is_truncated = true;
      out.marker = EncodeMarker(out.items.back().name, last_pk);
      break;
    }
    RoleRow r = Row(*q);
    last_pk = r.pk;
    out.items.push_back(std::move(r.role));
  }
  return out;
}

Result<Role> RoleRepository::Update(std::string_view account_id, std::string_view name,
                                    const RoleUpdate& u) {
  if (u.max_session_duration) CPA_RETURN_IF_ERROR(CheckMaxSession(*u.max_session_duration));
  Role out;
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(RoleRow r, FindRole(s_, account_id, name));
    if (u.trust_policy) r.role.trust_policy = *u.trust_policy;
    if (u.description) r.role.description = *u.description;
    if (u.max_session_duration) r.role.max_session_duration = *u.max_session_duration;
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("UPDATE roles SET trust_policy = ?2, description = ?3, "
                                        "max_session_duration = ?4 WHERE pk = ?1"));
    q->Bind(1, r.pk).Bind(2, r.role.trust_policy).Bind(3, r.role.description);
    q->Bind(4, r.role.max_session_duration);
    CPA_RETURN_IF_ERROR(q->Run());
    out = std::move(r.role);
    return Status::Ok();
  }));
  return out;
}

Status RoleRepository::Delete(std::string_view account_id, std::string_view name) {
  return s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(RoleRow r, FindRole(s_, account_id, name));
    struct Dependent {
      const char* sql;
      const char* message;
    };
    static constexpr Dependent kDependents[] = {
        {"SELECT 1 FROM role_policy_attachments WHERE role_pk = ?1 LIMIT 1",
         "Cannot delete entity, must detach all policies first."},
        {"SELECT 1 FROM role_inline_policies WHERE role_pk = ?1 LIMIT 1",
         "Cannot delete entity, must delete policies first."},
    };
    for (const Dependent& d : kDependents) {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare(d.sql));
      q->Bind(1, r.pk);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row) return Conflict(d.message);
    }
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM roles WHERE pk = ?1"));
    q->Bind(1, r.pk);
    return q->Run();
  });
}

}  // namespace cpa::server::store
