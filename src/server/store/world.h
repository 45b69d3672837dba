#pragma once
// The world `cpa serve` starts in: the AWS-owned curated packages accounts (one per region,
// packages_accounts.h), and the customer accounts — by default 111111111111 and 999999999999
// as in the spec, or those of a bootstrap file (bootstrap.h) — each with root access keys,
// written as an AWS shared credentials file DIR/root-credentials (profiles account-<id>,
// mode 0600).
//
// EnsureWorld is idempotent: on restart it finds everything in place and rewrites the same
// root-credentials file (same keys).

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/store/access_key.h"

namespace cpa::server::store {

class Store;

inline constexpr std::string_view kSubscriptionAccountId = "111111111111";
inline constexpr std::string_view kReceivingAccountId = "999999999999";

struct WorldOptions {
  std::string bootstrap_file;  // empty: the default customer accounts
};

struct World {
  std::vector<std::string> customer_accounts;  // ids, ordered
  int packages_accounts = 0;
  std::string root_credentials_path;
  std::vector<AccessKey> created_keys;  // keys created by this call (secrets included)
};

core::Result<World> EnsureWorld(Store& store, const WorldOptions& options = {});

// The root-credentials text for the given (account, key id, secret) triples.
struct RootCredential {
  std::string account_id, access_key_id, secret_access_key;
};
std::string FormatRootCredentials(const std::vector<RootCredential>& credentials);

}  // namespace cpa::server::store
