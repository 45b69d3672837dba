#pragma once
// The authenticated caller of a request: an account root, an IAM user or an assumed-role
// session, resolved from the access key id that signed the request.
//
// Thread safety: a plain value (the credential is shared and immutable).
#include <memory>
#include <string>

#include "server/store/credential.h"

namespace cpa::server::api {

struct Caller {
  std::shared_ptr<const store::Credential> credential;
  store::PrincipalKind kind = store::PrincipalKind::kRoot;
  std::string access_key_id;
  std::string account_id;
  std::string arn;        // arn:aws:iam::<acct>:root | :user/<path><name> | arn:aws:sts::...
  std::string user_id;    // aws:userid: the account id, AIDA..., or AROA...:<session>
  std::string user_name;  // IAM users
  std::string role_arn, role_name;  // sessions
  bool is_root() const { return kind == store::PrincipalKind::kRoot; }
  bool is_user() const { return kind == store::PrincipalKind::kUser; }
  bool is_session() const { return kind == store::PrincipalKind::kAssumedRole; }
};

Caller CallerFromCredential(std::shared_ptr<const store::Credential> credential);

}  // namespace cpa::server::api
