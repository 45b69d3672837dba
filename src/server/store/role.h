#pragma once
// IAM roles: name (unique per account, case-insensitively), path, unique id AROA..., the trust
// (assume-role) policy document, description and maximum session duration.
//
// Documents are stored as given; the IAM service layer validates them before calling the store.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "server/store/pagination.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

inline constexpr int kDefaultMaxSessionDuration = 3600;

struct Role {
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string role_id;  // AROA + 17
  std::string arn;      // arn:aws:iam::<account>:role<path><name>
  std::string trust_policy;
  std::string description;
  int max_session_duration = kDefaultMaxSessionDuration;  // seconds, 3600..43200
  core::TimePoint create_date{};
};

struct NewRole {
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string trust_policy;
  std::string description;
  int max_session_duration = kDefaultMaxSessionDuration;
  std::string role_id;  // empty: generated
};

struct ListRolesRequest {
  std::string account_id;
  std::string path_prefix = "/";
  PageRequest page;
};

// UpdateRole / UpdateAssumeRolePolicy: the fields that are set change.
struct RoleUpdate {
  std::optional<std::string> trust_policy;
  std::optional<std::string> description;
  std::optional<int> max_session_duration;
};

class RoleRepository {
 public:
  explicit RoleRepository(internal::StoreState& s) : s_(s) {}

  // EntityAlreadyExists ("Role with name X already exists."), NoSuchEntity (account),
  // InvalidInput (name, path, MaxSessionDuration outside 3600..43200).
  core::Result<Role> Create(const NewRole& role);
  // NoSuchEntity "The role with name X cannot be found."
  core::Result<Role> Get(std::string_view account_id, std::string_view name);
  core::Result<Page<Role>> List(const ListRolesRequest& request);
  core::Result<Role> Update(std::string_view account_id, std::string_view name,
                            const RoleUpdate& update);
  // DeleteConflict while managed policies are attached or inline policies exist.
  core::Status Delete(std::string_view account_id, std::string_view name);

 private:
  internal::StoreState& s_;
};

namespace internal {
struct RoleRow {
  int64_t pk = 0;
  Role role;
};
core::Result<RoleRow> FindRole(StoreState& s, std::string_view account_id, std::string_view name);
}  // namespace internal

}  // namespace cpa::server::store
