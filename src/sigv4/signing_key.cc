#include "sigv4/signing_key.h"

#include <openssl/crypto.h>

#include "sigv4/canonical.h"

namespace cpa::sigv4 {

core::Sha256Digest DeriveSigningKey(std::string_view secret, std::string_view date,
                                    std::string_view region, std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret += secret;
  core::Sha256Digest k_date = core::HmacSha256(k_secret, date);
  OPENSSL_cleanse(k_secret.data(), k_secret.size());
  core::Sha256Digest k_region = core::HmacSha256(core::DigestView(k_date), region);
  core::Sha256Digest k_service = core::HmacSha256(core::DigestView(k_region), service);
  return core::HmacSha256(core::DigestView(k_service), kScopeTerminator);
}

std::shared_ptr<const core::HmacSha256Key> SigningKeyCache::Get(std::string_view secret,
                                                                std::string_view date,
                                                                std::string_view region,
                                                                std::string_view service) {
  // '\n' cannot occur in a scope date, region or service that parsed, so the key is unambiguous.
  thread_local std::string key;  // reused: a warm lookup allocates nothing
  key.clear();
  key += date;
  key += '\n';
  key += region;
  key += '\n';
  key += service;
  key += '\n';
  key += secret;
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(key);
    if (it != keys_.end()) {
      ++hits_;
      return it->second;
    }
    ++misses_;
  }
  core::Sha256Digest raw = DeriveSigningKey(secret, date, region, service);
  auto prepared = std::make_shared<const core::HmacSha256Key>(core::DigestView(raw));
  OPENSSL_cleanse(raw.data(), raw.size());
  std::lock_guard lock(mu_);
  if (keys_.size() >= capacity_) keys_.clear();
  keys_.emplace(key, prepared);
  return prepared;
}

size_t SigningKeyCache::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}
uint64_t SigningKeyCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}
uint64_t SigningKeyCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}
void SigningKeyCache::Clear() {
  std::lock_guard lock(mu_);
  keys_.clear();
}

}  // namespace cpa::sigv4
