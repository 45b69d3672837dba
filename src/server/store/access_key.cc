#include "server/store/access_key.h"

#include "core/ids.h"
#include "server/store/store_state.h"
#include "server/store/user.h"

namespace cpa::server::store {

using namespace internal;  // NOLINT(google-build-using-namespace)
using core::ErrorCode;
using core::Result;
using core::Status;

std::string_view AccessKeyStatusName(AccessKeyStatus status) {
  return status == AccessKeyStatus::kActive ? "Active" : "Inactive";
}

Result<AccessKeyStatus> ParseAccessKeyStatus(std::string_view text) {
  if (text == "Active") return AccessKeyStatus::kActive;
  if (text == "Inactive") return AccessKeyStatus::kInactive;
  return Status(ErrorCode::kInvalidArgument,
                "1 validation error detected: Value '" + std::string(text) +
                    "' at 'status' failed to satisfy constraint: Member must satisfy enum value "
                    "set: [Active, Inactive]");
}

namespace {

Status NoSuchKey(std::string_view id) {
  return NotFound("The Access Key with id " + std::string(id) + " cannot be found.");
}

bool IsKeyIdShape(std::string_view id) {
  if (id.size() < 16 || id.size() > 128) return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsSecretShape(std::string_view secret) {
  if (secret.size() < 16 || secret.size() > 128) return false;
  for (char c : secret) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// The user's pk, or 0 for the root ("" user name).
Result<int64_t> OwnerPk(StoreState& s, std::string_view account_id, std::string_view user_name) {
  if (user_name.empty()) {
    CPA_RETURN_IF_ERROR(RequireAccount(s, account_id));
    return int64_t{0};
  }
  CPA_ASSIGN_OR_RETURN(UserRow u, FindUser(s, account_id, user_name));
  return u.pk;
}

// Binds "user_pk IS ?n" semantics: NULL for the root.
void BindOwner(Statement& q, int index, int64_t pk) {
  if (pk == 0) {
    q.BindNull(index);
  } else {
    q.Bind(index, pk);
  }
}

}  // namespace

Result<AccessKey> AccessKeyRepository::Create(const NewAccessKey& in) {
  if (!in.access_key_id.empty() && !IsKeyIdShape(in.access_key_id)) {
    return Status(ErrorCode::kInvalidArgument,
                  "access key id must be 16 to 128 characters of [A-Z0-9]");
  }
  if (!in.secret_access_key.empty() && !IsSecretShape(in.secret_access_key)) {
    return Status(ErrorCode::kInvalidArgument,
                  "secret access key must be 16 to 128 printable characters without spaces");
  }
  AccessKey k;
  k.account_id = in.account_id;
  k.user_name = in.user_name;
  k.status = in.status;
  k.create_date = s_.clock.Now();
  CPA_RETURN_IF_ERROR(s_.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t owner, OwnerPk(s_, in.account_id, in.user_name));
    {
      CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("SELECT count(*) FROM access_keys WHERE "
                                                  "account_id = ?1 AND user_pk IS ?2"));
      q->Bind(1, in.account_id);
      BindOwner(*q, 2, owner);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row && q->Int(0) >= kMaxAccessKeysPerUser) {
        return Limit("Cannot exceed quota for AccessKeysPerUser: " +
                     std::to_string(kMaxAccessKeysPerUser));
      }
    }
    if (!in.user_name.empty()) {
      CPA_ASSIGN_OR_RETURN(UserRow u, FindUser(s_, in.account_id, in.user_name));
      k.user_name = u.user.name;  // as created
    }
    k.access_key_id = in.access_key_id.empty()
                          ? s_.ids.AccessKeyId(core::id_prefix::kAccessKey, in.account_id)
                          : in.access_key_id;
    k.secret_access_key =
        in.secret_access_key.empty() ? s_.ids.SecretAccessKey() : in.secret_access_key;
    {
      CPA_ASSIGN_OR_RETURN(auto q,
                           s_.db->Prepare("SELECT 1 FROM access_keys WHERE id = ?1 "
                                          "UNION ALL SELECT 1 FROM sessions WHERE id = ?1"));
      q->Bind(1, k.access_key_id);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row) return AlreadyExists("Access key " + k.access_key_id + " already exists.");
    }
    CPA_ASSIGN_OR_RETURN(std::string sealed,
                         s_.box->Seal(k.secret_access_key, k.access_key_id, s_.random));
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("INSERT INTO access_keys(id, account_id, user_pk, secret, "
                                        "active, create_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    q->Bind(1, k.access_key_id).Bind(2, k.account_id);
    BindOwner(*q, 3, owner);
    q->BindBlob(4, sealed).Bind(5, k.status == AccessKeyStatus::kActive ? 1 : 0);
    q->Bind(6, ToUnix(k.create_date));
    CPA_RETURN_IF_ERROR(q->Run());
    s_.cache.Erase(k.access_key_id);
    return Status::Ok();
  }));
  return k;
}

namespace {
constexpr std::string_view kSelect =
    "SELECT k.id, k.account_id, coalesce(u.name, ''), k.active, k.create_date, k.user_pk "
    "FROM access_keys k LEFT JOIN users u ON u.pk = k.user_pk ";

AccessKey Row(const Statement& q) {
  AccessKey k;
  k.access_key_id = q.Text(0);
  k.account_id = q.Text(1);
  k.user_name = q.Text(2);
  k.status = q.Int(3) != 0 ? AccessKeyStatus::kActive : AccessKeyStatus::kInactive;
  k.create_date = FromUnix(q.Int(4));
  return k;
}

// The key, checked to belong to (account, user); NoSuchEntity otherwise.
Result<AccessKey> FindOwnedKey(StoreState& s, std::string_view account_id,
                               std::string_view user_name, std::string_view id) {
  CPA_ASSIGN_OR_RETURN(int64_t owner, OwnerPk(s, account_id, user_name));
  CPA_ASSIGN_OR_RETURN(
      auto q, s.db->Prepare(std::string(kSelect) + "WHERE k.id = ?1 AND k.account_id = ?2 AND "
                                                   "k.user_pk IS ?3"));
  q->Bind(1, id).Bind(2, account_id);
  BindOwner(*q, 3, owner);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NoSuchKey(id);
  return Row(*q);
}
}  // namespace

Result<AccessKey> AccessKeyRepository::Get(std::string_view id) {
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare(std::string(kSelect) + "WHERE k.id = ?1"));
  q->Bind(1, id);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NoSuchKey(id);
  return Row(*q);
}

Result<Page<AccessKey>> AccessKeyRepository::List(std::string_view account_id,
                                                  std::string_view user_name,
                                                  const PageRequest& page) {
  CPA_RETURN_IF_ERROR(CheckMaxItems(page.max_items));
  CPA_ASSIGN_OR_RETURN(Cursor c, DecodeMarker(page.marker));
  std::lock_guard lock(s_.mu);
  CPA_ASSIGN_OR_RETURN(int64_t owner, OwnerPk(s_, account_id, user_name));
  CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare(std::string(kSelect) +
                                              "WHERE k.account_id = ?1 AND k.user_pk IS ?2 AND "
                                              "(?3 IS NULL OR k.id > ?3) ORDER BY k.id LIMIT ?4"));
  q->Bind(1, account_id);
  BindOwner(*q, 2, owner);
  if (c.start) {
    q->BindNull(3);
  } else {
    q->Bind(3, c.key);
  }
  q->Bind(4, page.max_items + 1);
  Page<AccessKey> out;
  while (true) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (static_cast<int>(out.items.size()) == page.max_items) {
      out.is_truncated = true;
      out.marker = EncodeMarker(out.items.back().access_key_id, 0);
      break;
    }
    out.items.push_back(Row(*q));
  }
  return out;
}

Status AccessKeyRepository::UpdateStatus(std::string_view account_id, std::string_view user_name,
                                         std::string_view id, AccessKeyStatus status) {
  return s_.Write([&]() -> Status {
    CPA_RETURN_IF_ERROR(FindOwnedKey(s_, account_id, user_name, id).status());
    CPA_ASSIGN_OR_RETURN(auto q,
                         s_.db->Prepare("UPDATE access_keys SET active = ?2 WHERE id = ?1"));
    q->Bind(1, id).Bind(2, status == AccessKeyStatus::kActive ? 1 : 0);
    CPA_RETURN_IF_ERROR(q->Run());
    s_.cache.Erase(id);
    return Status::Ok();
  });
}

Status AccessKeyRepository::Delete(std::string_view account_id, std::string_view user_name,
                                   std::string_view id) {
  return s_.Write([&]() -> Status {
    CPA_RETURN_IF_ERROR(FindOwnedKey(s_, account_id, user_name, id).status());
    CPA_ASSIGN_OR_RETURN(auto q, s_.db->Prepare("DELETE FROM access_keys WHERE id = ?1"));
    q->Bind(1, id);
    CPA_RETURN_IF_ERROR(q->Run());
    s_.cache.Erase(id);
    return Status::Ok();
  });
}

}  // namespace cpa::server::store
