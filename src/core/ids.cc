#include "core/ids.h"

#include <cstdio>

#include "core/encoding.h"

namespace cpa::core {
namespace {

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

}  // namespace

std::string IdGenerator::AccessKeyId(std::string_view prefix, std::string_view account) {
  // 16 base32 characters = 80 bits. The top 48 bits hold: bit 47 set, the account in bits 7..46
  // and random low bits; the remaining 32 bits are random. Decoding is (top48 >> 7) & (2^40-1).
  uint64_t acct = 0;
  for (char c : account) acct = acct * 10 + static_cast<uint64_t>(c - '0');
  uint8_t rnd[5];
  random_.Fill(rnd, sizeof rnd);
  uint64_t top48 =
      (uint64_t{1} << 47) | ((acct & ((uint64_t{1} << 40) - 1)) << 7) | (rnd[0] & 0x7f);
  uint32_t low32 =
      (uint32_t{rnd[1]} << 24) | (uint32_t{rnd[2]} << 16) | (uint32_t{rnd[3]} << 8) | rnd[4];
  std::string out(prefix);
  // 80 bits = top48 then low32; emit 5 bits at a time from the most significant end.
  for (int i = 0; i < 16; ++i) {
    int bit = 79 - 5 * i;  // index of the highest bit of this character
    uint32_t v = 0;
    for (int b = 0; b < 5; ++b) {
      int k = bit - b;
      uint32_t bitval = k >= 32 ? static_cast<uint32_t>((top48 >> (k - 32)) & 1)
                                : static_cast<uint32_t>((low32 >> k) & 1);
      v = (v << 1) | bitval;
    }
    out += kBase32Alphabet[v];
  }
  return out;
}

std::optional<std::string> AccountFromAccessKeyId(std::string_view id) {
  if (id.size() != 20) return std::nullopt;
  uint64_t top48 = 0;
  // The first 48 bits come from the first 9.6 characters: take 10 characters (50 bits).
  uint64_t acc = 0;
  for (size_t i = 4; i < 14; ++i) {
    int v = Base32Value(id[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 5) | static_cast<uint64_t>(v);
  }
  for (size_t i = 14; i < 20; ++i) {
    if (Base32Value(id[i]) < 0) return std::nullopt;
  }
  top48 = acc >> 2;
  uint64_t account = (top48 >> 7) & ((uint64_t{1} << 40) - 1);
  if (account > 999999999999ULL) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%012llu", static_cast<unsigned long long>(account));
  return std::string(buf);
}

std::string IdGenerator::SecretAccessKey() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(40);
  for (int i = 0; i < 40; ++i) out += kAlphabet[random_.Uniform(kAlphabet.size())];
  return out;
}

std::string IdGenerator::UniqueId(std::string_view prefix) {
  std::string out(prefix);
  for (int i = 0; i < 17; ++i) out += kBase32Alphabet[random_.Uniform(kBase32Alphabet.size())];
  return out;
}

std::string IdGenerator::SessionToken(size_t random_bytes) {
  std::string raw(random_bytes, '\0');
  random_.Fill(reinterpret_cast<uint8_t*>(raw.data()), raw.size());
  return Base64Encode(raw);
}

std::string IdGenerator::Uuid() {
  uint8_t b[16];
  random_.Fill(b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  std::string hex = HexEncode(Bytes(b, sizeof b));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace cpa::core
