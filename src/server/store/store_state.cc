#include "server/store/store_state.h"

#include "core/arn.h"

namespace cpa::server::store::internal {

using core::ErrorCode;
using core::Status;

Status StoreState::Write(const std::function<Status()>& fn) {
  std::lock_guard lock(mu);
  const bool outermost = !db->InTransaction();
  Transaction tx(*db);
  CPA_RETURN_IF_ERROR(tx.status());
  Status s = fn();
  if (!s.ok()) return s;  // ~Transaction rolls back
  CPA_RETURN_IF_ERROR(tx.Commit());
  if (outermost) generation.fetch_add(1, std::memory_order_release);
  return Status::Ok();
}

std::string IamArn(std::string_view account, std::string_view type, std::string_view path,
                   std::string_view name) {
  std::string arn = "arn:aws:iam::";
  arn += account;
  arn += ':';
  arn += type;
  arn += path;
  arn += name;
  return arn;
}

Status CheckPath(std::string_view path) {
  Status bad(ErrorCode::kInvalidArgument,
             "The specified value for path is invalid. It must begin and end with / and contain "
             "only alphanumeric characters and/or / characters.");
  if (path.empty() || path.size() > 512 || path.front() != '/' || path.back() != '/') return bad;
  for (char c : path) {
    if (c < 0x21 || c > 0x7e) return bad;
  }
  if (path.find("//") != std::string_view::npos) return bad;
  return Status::Ok();
}

Status CheckName(std::string_view what, std::string_view name, size_t max) {
  bool ok = !name.empty() && name.size() <= max;
  for (char c : name) {
    bool good = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '_' || c == '-';
    ok = ok && good;
  }
  if (ok) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument, "The specified value for " + std::string(what) +
                                                 " is invalid. It must contain 1 to " +
                                                 std::to_string(max) +
                                                 " characters from [\\w+=,.@-].");
}

Status CheckAccountId(std::string_view id) {
  if (core::IsAccountId(id)) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument, "account id must be 12 digits");
}

Status RequireAccount(StoreState& s, std::string_view account_id) {
  CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT 1 FROM accounts WHERE id = ?1"));
  q->Bind(1, account_id);
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return NotFound("Account " + std::string(account_id) + " does not exist.");
  return Status::Ok();
}

Status NotFound(std::string m) { return Status(ErrorCode::kNotFound, std::move(m)); }
Status AlreadyExists(std::string m) { return Status(ErrorCode::kAlreadyExists, std::move(m)); }
Status Conflict(std::string m) { return Status(ErrorCode::kDeleteConflict, std::move(m)); }
Status Limit(std::string m) { return Status(ErrorCode::kLimitExceeded, std::move(m)); }

}  // namespace cpa::server::store::internal
