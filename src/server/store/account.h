#pragma once
// Accounts: 12-digit ids, a name, and whether AWS owns them (the curated packages accounts).

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "server/store/pagination.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

struct Account {
  std::string id;  // 12 digits, leading zeros kept
  std::string name;
  bool aws_owned = false;
  std::string region;  // AWS-owned packages accounts: the region they serve; else empty
  core::TimePoint create_date{};

  std::string RootArn() const { return "arn:aws:iam::" + id + ":root"; }
};

class AccountRepository {
 public:
  explicit AccountRepository(internal::StoreState& s) : s_(s) {}

  // create_date is set from the clock. AlreadyExists, InvalidArgument (id not 12 digits).
  core::Result<Account> Create(const Account& account);
  core::Result<Account> Get(std::string_view id);
  bool Exists(std::string_view id);
  // Ordered by id.
  core::Result<Page<Account>> List(const PageRequest& page = {});

 private:
  internal::StoreState& s_;
};

}  // namespace cpa::server::store
