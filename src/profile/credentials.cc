#include "profile/credentials.h"

#include "profile/mask.h"

namespace cpa::profile {

std::string Credentials::ToString() const {
  std::string out = "AccessKeyId=" + MaskAccessKeyId(access_key_id) +
                    " SecretAccessKey=" + MaskSecret(secret_access_key);
  if (!session_token.empty()) out += " SessionToken=" + MaskSecret(session_token);
  if (expiration) out += " Expiration=" + core::FormatIso8601(*expiration);
  if (!account_id.empty()) out += " Account=" + account_id;
  if (!source.empty()) out += " Source=" + source;
  return out;
}

}  // namespace cpa::profile
