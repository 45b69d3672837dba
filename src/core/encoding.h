#pragma once
// Byte/text encodings: base64 (standard and URL alphabets), hex, and the URI encoding that SigV4
// and AWS query/form bodies use. Pure functions; decoding returns a Result with a specific error.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::core {

using Bytes = std::span<const uint8_t>;
inline Bytes AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// RFC 4648 section 4, with '=' padding.
std::string Base64Encode(std::string_view data);
// Accepts padded input; rejects bad characters, bad padding and bad lengths.
Result<std::string> Base64Decode(std::string_view text);

// RFC 4648 section 5 ('-' and '_'), without padding.
std::string Base64UrlEncode(std::string_view data);
// Accepts input with or without '=' padding.
Result<std::string> Base64UrlDecode(std::string_view text);

std::string HexEncode(Bytes data);  // lowercase
inline std::string HexEncode(std::string_view data) { return HexEncode(AsBytes(data)); }
// Accepts upper and lower case; rejects odd lengths and non-hex characters.
Result<std::string> HexDecode(std::string_view text);

// Percent-encodes every byte except the RFC 3986 unreserved set (A-Z a-z 0-9 - _ . ~), with
// uppercase hex digits, as SigV4 requires. With keep_slash, '/' is left as is (for paths).
std::string UriEncode(std::string_view text, bool keep_slash = false);
void UriEncodeAppend(std::string& out, std::string_view text, bool keep_slash = false);

// Decodes %XX escapes. With plus_as_space ('application/x-www-form-urlencoded'), '+' is a space.
// A '%' not followed by two hex digits is an error.
Result<std::string> UriDecode(std::string_view text, bool plus_as_space = false);

// ASCII-only case helpers.
std::string AsciiLower(std::string_view s);
inline char AsciiToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
// Inline: header-name lookups on every request go through it.
inline bool AsciiIEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && AsciiToLower(a[i]) != AsciiToLower(b[i])) return false;
  }
  return true;
}
std::string_view TrimAsciiWhitespace(std::string_view s);

}  // namespace cpa::core
