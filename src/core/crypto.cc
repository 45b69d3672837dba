#include "core/crypto.h"

// The SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, but remain supported; they
// are used on purpose (see crypto.h).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/encoding.h"

namespace cpa::core {
namespace {

static_assert(sizeof(SHA256_CTX) <= 112 && alignof(SHA256_CTX) <= 8);

SHA256_CTX* Ctx(unsigned char* storage) { return reinterpret_cast<SHA256_CTX*>(storage); }
const SHA256_CTX* Ctx(const unsigned char* storage) {
  return reinterpret_cast<const SHA256_CTX*>(storage);
}

constexpr size_t kBlock = 64;

[[noreturn]] void CryptoAbort(const char* what) {
  std::fprintf(stderr, "cpa: fatal OpenSSL failure in %s\n", what);
  std::abort();
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  // Not the one-shot SHA256(): in OpenSSL 3 it fetches the algorithm on every call.
  Sha256Digest out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Digest d = Sha256(data);
  return HexEncode(Bytes(d.data(), d.size()));
}

Sha256Hasher::Sha256Hasher() { SHA256_Init(Ctx(state_)); }

void Sha256Hasher::Update(std::string_view data) {
  SHA256_Update(Ctx(state_), data.data(), data.size());
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out;
  SHA256_Final(out.data(), Ctx(state_));
  SHA256_Init(Ctx(state_));
  return out;
}

HmacSha256Key::HmacSha256Key(std::string_view key) {
  uint8_t block[kBlock] = {};
  if (key.size() > kBlock) {
    Sha256Digest d = Sha256(key);
    std::memcpy(block, d.data(), d.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t ipad[kBlock], opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  SHA256_Init(Ctx(inner_));
  SHA256_Update(Ctx(inner_), ipad, kBlock);
  SHA256_Init(Ctx(outer_));
  SHA256_Update(Ctx(outer_), opad, kBlock);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

HmacSha256Key::~HmacSha256Key() {
  OPENSSL_cleanse(inner_, sizeof inner_);
  OPENSSL_cleanse(outer_, sizeof outer_);
}

Sha256Digest HmacSha256Key::Mac(std::string_view data) const {
  SHA256_CTX ctx = *Ctx(inner_);
  Sha256Digest inner_hash, out;
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(inner_hash.data(), &ctx);
  ctx = *Ctx(outer_);
  SHA256_Update(&ctx, inner_hash.data(), inner_hash.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  return HmacSha256Key(key).Mac(data);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

uint64_t Random::Uniform(uint64_t bound) {
  // Rejection sampling avoids modulo bias.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  for (;;) {
    uint64_t v;
    Fill(reinterpret_cast<uint8_t*>(&v), sizeof v);
    if (v < limit) return v % bound;
  }
}

void SecureRandom::Fill(uint8_t* out, size_t n) {
  while (n > 0) {
    int chunk = n > (1u << 30) ? (1 << 30) : static_cast<int>(n);
    if (RAND_bytes(out, chunk) != 1) CryptoAbort("RAND_bytes");
    out += chunk;
    n -= static_cast<size_t>(chunk);
  }
}

void SeededRandom::Fill(uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    size_t take = n - i < 8 ? n - i : 8;
    std::memcpy(out + i, &z, take);
  }
}

Random& DefaultRandom() {
  static SecureRandom random;
  return random;
}

}  // namespace cpa::core
