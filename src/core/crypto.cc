#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/encoding.h"

namespace cpa::core {
namespace {

const EVP_MD* Sha256Md() {
  // Fetched once: EVP_sha256() would re-resolve the provider implementation on every init.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

[[noreturn]] void CryptoAbort(const char* what) {
  std::fprintf(stderr, "cpa: fatal OpenSSL failure in %s\n", what);
  std::abort();
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

EVP_MD_CTX* ThreadCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

constexpr size_t kBlock = 64;

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  EVP_MD_CTX* ctx = ThreadCtx();
  unsigned int len = 0;
  if (EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    CryptoAbort("SHA-256");
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Digest d = Sha256(data);
  return HexEncode(Bytes(d.data(), d.size()));
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) {
    CryptoAbort("SHA-256 init");
  }
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) CryptoAbort("SHA-256 update");
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 ||
      EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) {
    CryptoAbort("SHA-256 final");
  }
  return out;
}

HmacSha256Key::HmacSha256Key(std::string_view key)
    : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()) {
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
  if (inner_ == nullptr || outer_ == nullptr ||
      EVP_DigestInit_ex(inner_, Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(inner_, ipad, kBlock) != 1 ||
      EVP_DigestInit_ex(outer_, Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(outer_, opad, kBlock) != 1) {
    CryptoAbort("HMAC key setup");
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

HmacSha256Key::~HmacSha256Key() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
}

Sha256Digest HmacSha256Key::Mac(std::string_view data) const {
  EVP_MD_CTX* ctx = ThreadCtx();
  Sha256Digest inner_hash, out;
  unsigned int len = 0;
  if (EVP_MD_CTX_copy_ex(ctx, inner_) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, inner_hash.data(), &len) != 1 ||
      EVP_MD_CTX_copy_ex(ctx, outer_) != 1 ||
      EVP_DigestUpdate(ctx, inner_hash.data(), inner_hash.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    CryptoAbort("HMAC");
  }
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
