#include "core/encoding.h"

#include <array>

namespace cpa::core {
namespace {

constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";

std::string Base64EncodeWith(std::string_view data, const char* alphabet, bool pad) {
  // Written through a pointer into a buffer of the final size: appending character by character
  // costs a capacity check each (tokens are base64 of base64, several hundred bytes per request).
  const size_t full = data.size() / 3, rest = data.size() % 3;
  std::string out(full * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1), '\0');
  char* o = out.data();
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t k = 0; k < full; ++k, in += 3) {
    uint32_t n = (uint32_t{in[0]} << 16) | (uint32_t{in[1]} << 8) | in[2];
    *o++ = alphabet[(n >> 18) & 63];
    *o++ = alphabet[(n >> 12) & 63];
    *o++ = alphabet[(n >> 6) & 63];
    *o++ = alphabet[n & 63];
  }
  if (rest != 0) {
    uint32_t n = (uint32_t{in[0]} << 16) | (rest == 2 ? uint32_t{in[1]} << 8 : 0);
    *o++ = alphabet[(n >> 18) & 63];
    *o++ = alphabet[(n >> 12) & 63];
    if (rest == 2) *o++ = alphabet[(n >> 6) & 63];
    if (pad) {
      *o++ = '=';
      if (rest == 1) *o++ = '=';
    }
  }
  return out;
}

std::array<int8_t, 256> MakeReverse(const char* alphabet) {
  std::array<int8_t, 256> rev{};
  rev.fill(-1);
  for (int i = 0; i < 64; ++i) rev[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return rev;
}

Result<std::string> Base64DecodeWith(std::string_view text, const std::array<int8_t, 256>& rev,
                                     bool padding_required, std::string_view what) {
  size_t len = text.size();
  size_t pad = 0;
  while (len > 0 && text[len - 1] == '=' && pad < 2) {
    --len;
    ++pad;
  }
  if (pad > 0 && text.size() % 4 != 0) {
    return Status(ErrorCode::kInvalidArgument, std::string(what) + ": bad padding");
  }
  if (padding_required && text.size() % 4 != 0) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(what) + ": length is not a multiple of 4");
  }
  if (len % 4 == 1) {
    return Status(ErrorCode::kInvalidArgument, std::string(what) + ": truncated input");
  }
  std::string out;
  out.reserve(len * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    int8_t v = rev[static_cast<uint8_t>(text[i])];
    if (v < 0) {
      return Status(ErrorCode::kInvalidArgument,
                    std::string(what) + ": invalid character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Status(ErrorCode::kInvalidArgument, std::string(what) + ": non-canonical trailing bits");
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::array<bool, 256> MakeUnreserved() {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  t['-'] = t['_'] = t['.'] = t['~'] = true;
  return t;
}
constexpr std::array<bool, 256> kUnreserved = MakeUnreserved();

}  // namespace

std::string Base64Encode(std::string_view data) {
  return Base64EncodeWith(data, kStdAlphabet, true);
}

Result<std::string> Base64Decode(std::string_view text) {
  static const auto rev = MakeReverse(kStdAlphabet);
  return Base64DecodeWith(text, rev, true, "base64");
}

std::string Base64UrlEncode(std::string_view data) {
  return Base64EncodeWith(data, kUrlAlphabet, false);
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  static const auto rev = MakeReverse(kUrlAlphabet);
  return Base64DecodeWith(text, rev, false, "base64url");
}

std::string HexEncode(Bytes data) {
  std::string out(data.size() * 2, '\0');
  for (size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kHexLower[data[i] >> 4];
    out[2 * i + 1] = kHexLower[data[i] & 15];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return Status(ErrorCode::kInvalidArgument, "hex: odd length");
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(text[2 * i]);
    int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status(ErrorCode::kInvalidArgument, "hex: invalid character at offset " +
                                                     std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

void UriEncodeAppend(std::string& out, std::string_view text, bool keep_slash) {
  for (unsigned char c : text) {
    if (kUnreserved[c] || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 15];
    }
  }
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  UriEncodeAppend(out, text, keep_slash);
  return out;
}

Result<std::string> UriDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return Status(ErrorCode::kInvalidArgument,
                      "incomplete percent-escape at offset " + std::to_string(i));
      }
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return Status(ErrorCode::kInvalidArgument,
                      "invalid percent-escape at offset " + std::to_string(i));
      }
      out += static_cast<char>((hi << 4) | lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiToLower(c);
  return out;
}

std::string_view TrimAsciiWhitespace(std::string_view s) {
  size_t b = 0, e = s.size();
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (b < e && ws(s[b])) ++b;
  while (e > b && ws(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace cpa::core
