#include "profile/mask.h"

namespace cpa::profile {

std::string MaskSecret(std::string_view secret) { return secret.empty() ? "" : "****"; }

std::string MaskAccessKeyId(std::string_view access_key_id) {
  if (access_key_id.size() <= 4) return std::string(access_key_id.size(), '*');
  std::string out(access_key_id.size() - 4, '*');
  out.append(access_key_id.substr(access_key_id.size() - 4));
  return out;
}

}  // namespace cpa::profile
