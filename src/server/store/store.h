#pragma once
// The state store of `cpa serve`: IAM and STS entities in SQLite under a data directory.
//
//   DIR/cpa.db (+ -wal, -shm)  the database (WAL, foreign keys, schema migrations)
//   DIR/master.key             32-byte AES-256-GCM key for secrets at rest, mode 0600
//   DIR/lock                   flock'ed while a Store is open: one process per directory
//
// Usage:
//   StoreOptions o;
//   o.data_dir = "/var/lib/cpa";
//   CPA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(o));
//   CPA_ASSIGN_OR_RETURN(User u, store->users().Create({.account_id = "111111111111",
//                                                        .name = "alice"}));
//   auto cred = store->LookupCredential(access_key_id);  // SigV4: secret + principal
//
// Every write is one transaction (all or nothing). Store::Transaction groups several repository
// calls into one transaction; a failure inside rolls back all of them.
//
// Thread safety: a Store may be used from any number of threads. One SQLite connection is
// serialised by a mutex (held for the duration of a Transaction); LookupCredential answers from
// an in-memory cache without taking it. Writes that affect a key erase its cache entry before
// they are acknowledged.
//
// Durability: synchronous=NORMAL by default: with WAL a committed transaction is in the WAL file
// (the OS page cache) before Commit returns, so killing the process (kill -9) loses nothing
// acknowledged; only an OS crash or power loss can lose the last transactions (never corrupt the
// database). StoreOptions::synchronous_full fsyncs the WAL on every commit and survives those too.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/status.h"
#include "server/store/access_key.h"
#include "server/store/account.h"
#include "server/store/attachment.h"
#include "server/store/credential.h"
#include "server/store/inline_policy.h"
#include "server/store/managed_policy.h"
#include "server/store/role.h"
#include "server/store/session.h"
#include "server/store/subscription.h"
#include "server/store/user.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

struct StoreOptions {
  std::string data_dir;                // created (mode 0700) if missing
  const core::Clock* clock = nullptr;  // nullptr: core::DefaultClock()
  core::Random* random = nullptr;      // nullptr: core::DefaultRandom()
  bool synchronous_full = false;       // see "Durability" above
  int busy_timeout_ms = 5000;
  size_t credential_cache_capacity = 100000;
};

class Store {
 public:
  // Opens or creates the store in options.data_dir: takes the directory lock, opens the
  // database, applies migrations, loads (or on first start creates) the master key and checks
  // that it is the key the database was written with.
  static core::Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  AccountRepository& accounts() { return accounts_; }
  UserRepository& users() { return users_; }
  RoleRepository& roles() { return roles_; }
  PolicyRepository& policies() { return policies_; }
  AttachmentRepository& attachments() { return attachments_; }
  InlinePolicyRepository& inline_policies() { return inline_policies_; }
  AccessKeyRepository& access_keys() { return access_keys_; }
  SessionRepository& sessions() { return sessions_; }
  SubscriptionRepository& subscriptions() { return subscriptions_; }

  // Runs fn as one transaction: every repository write inside commits together, or none does
  // when fn (or a write) fails. Blocks other threads' store use while it runs.
  core::Status Transaction(const std::function<core::Status()>& fn);

  // SigV4: the secret and principal of a long-term (AKIA) or temporary (ASIA) key id.
  // NotFound for an unknown id. Inactive keys and expired sessions are returned as they are
  // (Credential::active, ExpiredAt) so that the caller reports the right AWS error.
  core::Result<std::shared_ptr<const Credential>> LookupCredential(std::string_view access_key_id);

  // Increases on every committed write; lets callers cache derived data (compiled policies).
  uint64_t generation() const;
  const std::string& data_dir() const { return data_dir_; }
  std::string database_path() const { return data_dir_ + "/cpa.db"; }
  std::string master_key_path() const { return data_dir_ + "/master.key"; }
  const core::Clock& clock() const;
  core::Random& random();
  size_t credential_cache_size() const;

  // A 32-byte key for `label` derived from the master key (HMAC-SHA256), e.g. "ecr-token" for
  // the registry's authorization tokens. Stable for the life of the data directory.
  std::array<uint8_t, 32> DeriveKey(std::string_view label) const;

  // For modules that keep their own tables in this database (server/registry): the connection,
  // its mutex and the clock (store_state.h). Not for services; they use the repositories.
  internal::StoreState& internal_state() { return *state_; }

 private:
  Store(std::string data_dir, std::unique_ptr<internal::StoreState> state);
  core::Result<std::shared_ptr<Credential>> LoadKey(std::string_view id);
  core::Result<std::shared_ptr<Credential>> LoadSession(std::string_view id);

  std::string data_dir_;
  int lock_fd_ = -1;
  std::unique_ptr<internal::StoreState> state_;
  AccountRepository accounts_;
  UserRepository users_;
  RoleRepository roles_;
  PolicyRepository policies_;
  AttachmentRepository attachments_;
  InlinePolicyRepository inline_policies_;
  AccessKeyRepository access_keys_;
  SessionRepository sessions_;
  SubscriptionRepository subscriptions_;
};

}  // namespace cpa::server::store
