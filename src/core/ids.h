#pragma once
// AWS identifier generation: access key ids, secret keys, unique ids, session tokens and UUIDs.
//
// Access key ids carry their account: characters 5-12 encode it in the layout that real AWS keys
// use (see AccountFromAccessKeyId), so a server can route a key to its account without a table
// scan. Randomness is injected.

#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"

namespace cpa::core {

// The unique-id and key prefixes AWS uses.
namespace id_prefix {
inline constexpr std::string_view kAccessKey = "AKIA";     // long-term user key
inline constexpr std::string_view kTemporaryKey = "ASIA";  // STS-issued key
inline constexpr std::string_view kUser = "AIDA";
inline constexpr std::string_view kRole = "AROA";
inline constexpr std::string_view kManagedPolicy = "ANPA";
inline constexpr std::string_view kGroup = "AGPA";
inline constexpr std::string_view kInstanceProfile = "AIPA";
inline constexpr std::string_view kPolicyVersion = "ANVA";
}  // namespace id_prefix

// The base32 alphabet of AWS identifiers (no 0, 1, 8, 9).
inline constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

class IdGenerator {
 public:
  explicit IdGenerator(Random& random) : random_(random) {}

  // prefix (4 characters, e.g. "AKIA") + 16 base32 characters encoding `account` (12 digits).
  std::string AccessKeyId(std::string_view prefix, std::string_view account);
  // 40 characters of [A-Za-z0-9+/].
  std::string SecretAccessKey();
  // prefix + 17 base32 characters (21 in all), e.g. "AIDA..." for a user.
  std::string UniqueId(std::string_view prefix);
  // An opaque, unguessable base64 token of the given number of random bytes.
  std::string SessionToken(size_t random_bytes = 96);
  // A random (version 4) UUID in lowercase 8-4-4-4-12 form.
  std::string Uuid();

 private:
  Random& random_;
};

// The 12-digit account encoded in an access key id, or nullopt when the id does not have the
// 20-character base32 shape.
std::optional<std::string> AccountFromAccessKeyId(std::string_view access_key_id);

}  // namespace cpa::core
