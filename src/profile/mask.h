#pragma once
// How secrets and key ids are shown in messages, ToString output and CLI listings.

#include <string>
#include <string_view>

namespace cpa::profile {

// A secret (secret access key, session token, process output) as printed: a fixed "****" so that
// not even its length leaks; "" stays "" so that "absent" remains visible.
std::string MaskSecret(std::string_view secret);

// An access key id as the AWS CLI lists it: all but the last four characters replaced by '*'.
std::string MaskAccessKeyId(std::string_view access_key_id);

}  // namespace cpa::profile
