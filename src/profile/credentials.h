#pragma once
// A set of AWS credentials as the profile library hands them out: keys, optional session token,
// optional expiration and the account they belong to.
//
// ToString masks the secret key and the session token; nothing in this library prints them.
// Thread safety: a value.

#include <optional>
#include <string>

#include "core/clock.h"

namespace cpa::profile {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;                  // empty for long-term keys
  std::optional<core::TimePoint> expiration;  // nullopt: does not expire
  std::string account_id;                     // empty when unknown
  // Where the credentials came from, for diagnostics (e.g. "profile `ci` (static keys)").
  std::string source;

  bool expires() const { return expiration.has_value(); }
  // "AccessKeyId=****MPLE SecretAccessKey=**** SessionToken=**** Expiration=... Account=..."
  std::string ToString() const;

  friend bool operator==(const Credentials&, const Credentials&) = default;
};

}  // namespace cpa::profile
