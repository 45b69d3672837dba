#include "server/store/sqlite.h"

#include <sqlite3.h>

namespace cpa::server::store {

using core::ErrorCode;
using core::Result;
using core::Status;

Statement::~Statement() { sqlite3_finalize(stmt_); }

Query::~Query() {
  if (s_ != nullptr) s_->Reset();
}

namespace {
Status BindResult(sqlite3* db, int rc, int index) {
  if (rc == SQLITE_OK) return Status::Ok();
  return Status(ErrorCode::kInternal,
                "sqlite: binding parameter " + std::to_string(index) + ": " + sqlite3_errmsg(db));
}
}  // namespace

Statement& Statement::Bind(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (bind_error_.ok()) bind_error_ = BindResult(db_.handle(), rc, index);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_error_.ok()) bind_error_ = BindResult(db_.handle(), rc, index);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                             SQLITE_TRANSIENT);
  if (bind_error_.ok()) bind_error_ = BindResult(db_.handle(), rc, index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (bind_error_.ok()) bind_error_ = BindResult(db_.handle(), rc, index);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Result<bool> Statement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  int extended = sqlite3_extended_errcode(db_.handle());
  if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status(ErrorCode::kAlreadyExists,
                  std::string("sqlite: ") + sqlite3_errmsg(db_.handle()));
  }
  return db_.LastError("step");
}

Status Statement::Run() {
  auto r = Step();
  if (!r.ok()) return r.status();
  Reset();
  return Status::Ok();
}

std::string Statement::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (p == nullptr) return {};
  return std::string(static_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = Status::Ok();
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw));
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return Status(ErrorCode::kInternal, "sqlite: cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // Exclusive locking (set before WAL is first used): the connection keeps its lock and the WAL
  // index in heap memory instead of taking file locks on every statement, which makes a point
  // read several times faster. Only this process can then open the database.
  if (options.exclusive) CPA_RETURN_IF_ERROR(db->Exec("PRAGMA locking_mode=EXCLUSIVE"));
  // journal_mode answers with the mode in effect; anything but "wal" is an error (e.g. a file
  // system without shared memory support).
  std::string mode;
  {
    auto st = db->Prepare("PRAGMA journal_mode=WAL");
    if (!st.ok()) return st.status();
    auto row = (*st)->Step();
    if (!row.ok()) return row.status();
    if (*row) mode = (*st)->Text(0);
  }
  if (mode != "wal") {
    return Status(ErrorCode::kInternal,
                  "sqlite: cannot enable WAL on " + path + " (mode " + mode + ")");
  }
  CPA_RETURN_IF_ERROR(
      db->Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  CPA_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  return db;
}

Database::~Database() {
  statements_.clear();  // finalize before closing
  if (db_ != nullptr) sqlite3_close(db_);
}

Result<Query> Database::Prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it != statements_.end()) {
    it->second->Reset();
    return Query(it->second.get());
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return LastError("prepare");
  auto owned = std::unique_ptr<Statement>(new Statement(*this, stmt));
  Statement* p = owned.get();
  statements_.emplace(std::string(sql), std::move(owned));
  return Query(p);
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return Status(ErrorCode::kInternal, "sqlite: " + msg);
  }
  return Status::Ok();
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Status Database::Begin() {
  Status s = depth_ == 0 ? Exec("BEGIN IMMEDIATE") : Exec("SAVEPOINT sp" + std::to_string(depth_));
  if (s.ok()) ++depth_;
  return s;
}

Status Database::Commit() {
  if (depth_ == 0) return Status(ErrorCode::kInternal, "sqlite: commit without a transaction");
  if (depth_ == 1) {
    Status s = Exec("COMMIT");
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      depth_ = 0;
      return s;
    }
    depth_ = 0;
    return s;
  }
  --depth_;
  return Exec("RELEASE sp" + std::to_string(depth_));
}

Status Database::Rollback() {
  if (depth_ == 0) return Status(ErrorCode::kInternal, "sqlite: rollback without a transaction");
  if (depth_ == 1) {
    depth_ = 0;
    return Exec("ROLLBACK");
  }
  --depth_;
  std::string sp = "sp" + std::to_string(depth_);
  Status s = Exec("ROLLBACK TO " + sp);
  Status r = Exec("RELEASE " + sp);
  return s.ok() ? r : s;
}

Status Database::LastError(std::string_view what) const {
  return Status(ErrorCode::kInternal, "sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace cpa::server::store
