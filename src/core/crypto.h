#pragma once
// Hashes, MACs, randomness and comparisons from OpenSSL 3.
//
// SHA-256 and HMAC use OpenSSL's SHA-256 block functions directly (SHA256_Init/Update/Final)
// rather than EVP: on short inputs EVP's provider dispatch and context copies cost more than the
// hashing itself, and SigV4 hashes many short strings. The digest state is a plain struct, so
// HmacSha256Key keeps the inner and outer pad states of a key and copies them per MAC at no cost.
// All functions are thread-safe.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::core {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);

// Incremental SHA-256 (e.g. for request bodies and registry blobs).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher() = default;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  Sha256Digest Finish();  // the hasher is reset afterwards

 private:
  alignas(8) unsigned char state_[112];  // SHA256_CTX
};

Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// A key prepared for repeated HMAC-SHA256: the inner and outer pads are hashed once.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  Sha256Digest Mac(std::string_view data) const;

 private:
  alignas(8) unsigned char inner_[112];  // SHA256_CTX after the inner pad
  alignas(8) unsigned char outer_[112];  // SHA256_CTX after the outer pad
};

// Compares in time that depends only on the lengths, never on the contents.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

inline std::string_view DigestView(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// Randomness as a dependency, so that tests can be deterministic.
class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(uint8_t* out, size_t n) = 0;
  uint64_t Uniform(uint64_t bound);  // uniform in [0, bound), bound > 0
};

// Cryptographically secure bytes from OpenSSL's RAND_bytes. Aborts if the generator fails,
// since continuing would hand out predictable secrets.
class SecureRandom final : public Random {
 public:
  void Fill(uint8_t* out, size_t n) override;
};

// A deterministic generator for tests (splitmix64). Never for secrets.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(uint8_t* out, size_t n) override;

 private:
  uint64_t state_;
};

// The process-wide secure generator.
Random& DefaultRandom();

}  // namespace cpa::core
