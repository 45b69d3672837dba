#include "server/api/caller.h"

namespace cpa::server::api {

Caller CallerFromCredential(std::shared_ptr<const store::Credential> credential) {
  Caller c;
  c.kind = credential->kind;
  c.access_key_id = credential->access_key_id;
  c.account_id = credential->account_id;
  c.arn = credential->principal_arn;
  c.user_id = credential->principal_id;
  c.user_name = credential->user_name;
  c.role_arn = credential->role_arn;
  c.role_name = credential->role_name;
  c.credential = std::move(credential);
  return c;
}

}  // namespace cpa::server::api
