#pragma once
// IAM users: name (unique per account, case-insensitively), path, unique id AIDA..., ARN.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "server/store/pagination.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

struct User {
  std::string account_id;
  std::string name;  // as created (lookups ignore case)
  std::string path = "/";
  std::string user_id;  // AIDA + 17
  std::string arn;      // arn:aws:iam::<account>:user<path><name>
  core::TimePoint create_date{};
};

struct NewUser {
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string user_id;  // empty: generated
};

struct ListUsersRequest {
  std::string account_id;
  std::string path_prefix = "/";
  PageRequest page;
};

class UserRepository {
 public:
  explicit UserRepository(internal::StoreState& s) : s_(s) {}

  // EntityAlreadyExists ("User with name X already exists."), NoSuchEntity (account),
  // InvalidInput (name, path).
  core::Result<User> Create(const NewUser& user);
  // NoSuchEntity "The user with name X cannot be found."
  core::Result<User> Get(std::string_view account_id, std::string_view name);
  // Ordered by name, case-insensitively.
  core::Result<Page<User>> List(const ListUsersRequest& request);
  // DeleteConflict while the user has access keys, attached or inline policies.
  core::Status Delete(std::string_view account_id, std::string_view name);

 private:
  internal::StoreState& s_;
};

namespace internal {
struct UserRow {
  int64_t pk = 0;
  User user;
};
// Under s.mu. NoSuchEntity with IAM's message when absent.
core::Result<UserRow> FindUser(StoreState& s, std::string_view account_id, std::string_view name);
}  // namespace internal

}  // namespace cpa::server::store
