#pragma once
// ECR authorization tokens (GetAuthorizationToken) and their verification by the `/v2` registry.
//
// The password is opaque to clients and, like ECR's, is base64 of a JSON object
// {"payload","datakey","version":"2","type":"DATA_KEY","expiration"} — so it starts with "eyJ"
// and never contains ':' (the AWS CLI and the EKS Anywhere token refresher split
// "AWS:<password>" on ':'). `payload` is the AES-256-GCM encryption of the claims under a key
// derived from the store's master key (`datakey` carries the nonce), so a password cannot be
// forged, altered or read by a client, and it needs no database write to issue: it binds the
// calling principal (its access key id, role sessions included) and an expiry.
//
// The authorization token handed to clients is base64("AWS:" + password); Docker-style clients
// send exactly that string as HTTP Basic credentials.
//
// Thread safety: TokenCodec is immutable after construction; Issue and Verify may run on many
// threads at once (Issue needs its own core::Random or a thread-safe one).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/status.h"

namespace cpa::server::registry {

struct TokenClaims {
  std::string access_key_id;  // the key that signed GetAuthorizationToken (AKIA… or ASIA…)
  std::string principal_arn;  // for logs and messages only; authorization looks the key up again
  std::string account_id;
  core::TimePoint issued_at;
  core::TimePoint expires_at;
};

class TokenCodec {
 public:
  // `key`: 32 bytes derived from the store's master key (Store::DeriveKey("ecr-token")).
  explicit TokenCodec(const std::array<uint8_t, 32>& key);

  // The password for `claims`.
  std::string Issue(const TokenClaims& claims, core::Random& random) const;

  // The claims of a password this codec issued. kInvalidClientTokenId for anything else
  // (garbage, tampered, another server's key); kExpiredToken once `now` >= expires_at.
  core::Result<TokenClaims> Verify(std::string_view password, core::TimePoint now) const;

  // base64("AWS:" + password): GetAuthorizationToken's authorizationToken.
  static std::string AuthorizationToken(std::string_view password);

  // The password from an HTTP `Authorization` header value "Basic <base64(AWS:password)>"
  // (scheme case-insensitive). kMissingAuthenticationToken when there is no Basic credential,
  // kInvalidClientTokenId when the user is not "AWS" or the base64 is bad.
  static core::Result<std::string> PasswordFromAuthorization(std::string_view header_value);

 private:
  std::array<uint8_t, 32> key_;
};

}  // namespace cpa::server::registry
