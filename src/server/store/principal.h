#pragma once
// Which IAM identity an attachment or inline policy belongs to.

#include <string>

namespace cpa::server::store {

enum class PrincipalType { kUser, kRole };

struct PrincipalRef {
  PrincipalType type = PrincipalType::kUser;
  std::string account_id;
  std::string name;  // user or role name (case-insensitive)

  static PrincipalRef User(std::string account, std::string name) {
    return {PrincipalType::kUser, std::move(account), std::move(name)};
  }
  static PrincipalRef Role(std::string account, std::string name) {
    return {PrincipalType::kRole, std::move(account), std::move(name)};
  }
};

}  // namespace cpa::server::store
