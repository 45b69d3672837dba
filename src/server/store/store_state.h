#pragma once
// Internal to the store: the shared state every repository works on, and helpers. Not part of
// the public API (include store.h and the entity headers instead).

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/status.h"
#include "server/store/credential.h"
#include "server/store/secret_box.h"
#include "server/store/sqlite.h"

namespace cpa::server::store::internal {

struct StoreState {
  StoreState(const core::Clock& c, core::Random& r, size_t cache_capacity)
      : clock(c), random(r), ids(r), cache(cache_capacity) {}

  // Guards db and ids. Recursive so that a Store::Transaction can call repository methods,
  // which lock again and nest as savepoints.
  std::recursive_mutex mu;
  std::unique_ptr<Database> db;
  std::optional<SecretBox> box;
  const core::Clock& clock;
  core::Random& random;
  core::IdGenerator ids;
  CredentialCache cache;
  std::atomic<uint64_t> generation{0};

  // Runs fn atomically under the lock: a transaction, or a savepoint inside an open one. Rolls
  // back when fn fails. Bumps the generation on each outermost commit.
  core::Status Write(const std::function<core::Status()>& fn);

  // Creates the cache entry on a miss only outside a transaction (never from uncommitted rows).
  bool CanFillCache() const { return !db->InTransaction(); }
};

inline int64_t ToUnix(core::TimePoint t) { return t.time_since_epoch().count(); }
inline core::TimePoint FromUnix(int64_t s) { return core::TimePoint(std::chrono::seconds(s)); }

// "arn:aws:iam::<account>:<type><path><name>"
std::string IamArn(std::string_view account, std::string_view type, std::string_view path,
                   std::string_view name);
// InvalidArgument unless the path is "/" or "/.../" with IAM's characters.
core::Status CheckPath(std::string_view path);
// InvalidArgument unless 1..max characters of [A-Za-z0-9+=,.@_-].
core::Status CheckName(std::string_view what, std::string_view name, size_t max);
core::Status CheckAccountId(std::string_view id);
// Under s.mu: NoSuchEntity unless the account exists.
core::Status RequireAccount(StoreState& s, std::string_view account_id);

core::Status NotFound(std::string message);
core::Status AlreadyExists(std::string message);
core::Status Conflict(std::string message);
core::Status Limit(std::string message);

}  // namespace cpa::server::store::internal
