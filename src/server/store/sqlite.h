#pragma once
// A thin RAII layer over SQLite 3: a connection, cached prepared statements with typed binding,
// and transactions (with nested savepoints) that roll back unless committed.
//
// Thread safety: none. A Database and its Statements belong to one thread at a time; the Store
// serialises all use of its single connection with a mutex (see store.h).
// No exception escapes; every failure is a Status (kInternal, or kAlreadyExists for a UNIQUE
// constraint violation so that callers can map races on names to EntityAlreadyExists).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cpa::server::store {

class Database;
class Statement;

// A use of a cached statement: resets it (ending its read of the database) when destroyed.
class Query {
 public:
  explicit Query(Statement* s) : s_(s) {}
  Query(Query&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  ~Query();
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;
};

// A prepared statement. Bind parameters are 1-based as in SQLite. A Statement obtained from
// Database::Prepare is cached by its SQL text; it is reset and its bindings cleared on each
// Prepare, so callers never see state left from an earlier use.
class Statement {
 public:
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<std::string>& text);

  // Advances: true with a row available, false when done. A failed step is reported once by
  // Step()'s Result and the statement must not be stepped again.
  core::Result<bool> Step();
  // Steps a statement that returns no rows.
  core::Status Run();

  // Column accessors for the current row (0-based).
  std::string Text(int column) const;
  std::string Blob(int column) const;
  int64_t Int(int column) const;
  bool IsNull(int column) const;
  std::optional<std::string> OptionalText(int column) const;

  void Reset();

 private:
  friend class Database;
  Statement(Database& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Database& db_;
  sqlite3_stmt* stmt_;
  core::Status bind_error_;
};

struct DatabaseOptions {
  bool synchronous_full = false;  // false: synchronous=NORMAL (see README: durability)
  int busy_timeout_ms = 5000;
  bool exclusive = true;  // locking_mode=EXCLUSIVE: no other connection, no per-statement locks
};

class Database {
 public:
  // Opens (creating if needed) the database file with WAL, the chosen synchronous level, foreign
  // keys on and a busy timeout.
  static core::Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                      const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A cached statement for `sql`, with cleared bindings, reset again when the Query ends. Do not
  // hold two Queries of the same SQL at once.
  core::Result<Query> Prepare(std::string_view sql);
  // Executes one or more statements without parameters (DDL, PRAGMA).
  core::Status Exec(std::string_view sql);

  int64_t LastInsertRowId() const;
  int Changes() const;
  bool InTransaction() const { return depth_ > 0; }

  // Begins a transaction (BEGIN IMMEDIATE), or a savepoint inside an open one. Pair each Begin
  // with exactly one Commit or Rollback.
  core::Status Begin();
  core::Status Commit();
  core::Status Rollback();

  // The Status for the connection's last error, with `what` as context.
  core::Status LastError(std::string_view what) const;
  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  int depth_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// Scoped transaction: Begin in the constructor (check status()), Rollback in the destructor
// unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db), status_(db.Begin()) {}
  ~Transaction() {
    if (status_.ok() && !done_) (void)db_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const core::Status& status() const { return status_; }
  core::Status Commit() {
    done_ = true;
    return db_.Commit();
  }

 private:
  Database& db_;
  core::Status status_;
  bool done_ = false;
};

}  // namespace cpa::server::store
