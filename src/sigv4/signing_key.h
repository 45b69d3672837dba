#pragma once
// SigV4 signing keys and their cache.
//
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
// Deriving one costs four HMACs; the cache keeps the derived key ready as an HmacSha256Key, so a
// warm verification costs one HMAC plus the canonical-request hash.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/crypto.h"

namespace cpa::sigv4 {

// The raw 32-byte signing key.
core::Sha256Digest DeriveSigningKey(std::string_view secret, std::string_view date,
                                    std::string_view region, std::string_view service);

// A bounded, thread-safe cache of prepared signing keys keyed by (secret, date, region,
// service). When full it is cleared wholesale: keys roll over daily, so old entries are dead
// weight, and a clear costs one derivation per live key.
class SigningKeyCache {
 public:
  explicit SigningKeyCache(size_t capacity = 4096) : capacity_(capacity) {}

  std::shared_ptr<const core::HmacSha256Key> Get(std::string_view secret, std::string_view date,
                                                 std::string_view region, std::string_view service);

  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;
  void Clear();

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const core::HmacSha256Key>> keys_;  // by mu_
  uint64_t hits_ = 0;                                                                 // by mu_
  uint64_t misses_ = 0;                                                               // by mu_
};

}  // namespace cpa::sigv4
