#include "server/store/credential.h"

#include <mutex>

#include "core/crypto.h"

namespace cpa::server::store {

bool Credential::MatchesSessionToken(std::string_view token) const {
  if (!is_session() || session_token_sha256.size() != 32) return false;
  core::Sha256Digest d = core::Sha256(token);
  return core::ConstantTimeEquals(core::DigestView(d), session_token_sha256);
}

std::shared_ptr<const Credential> CredentialCache::Find(std::string_view id) const {
  std::shared_lock lock(mu_);
  auto it = map_.find(std::string(id));
  return it == map_.end() ? nullptr : it->second;
}

void CredentialCache::Insert(std::shared_ptr<const Credential> c) {
  std::unique_lock lock(mu_);
  // A crude bound: the working set of keys is small, so starting over is cheaper than an LRU.
  if (map_.size() >= capacity_) map_.clear();
  std::string id = c->access_key_id;
  map_[std::move(id)] = std::move(c);
}

void CredentialCache::Erase(std::string_view id) {
  std::unique_lock lock(mu_);
  map_.erase(std::string(id));
}

void CredentialCache::Clear() {
  std::unique_lock lock(mu_);
  map_.clear();
}

size_t CredentialCache::size() const {
  std::shared_lock lock(mu_);
  return map_.size();
}

}  // namespace cpa::server::store
