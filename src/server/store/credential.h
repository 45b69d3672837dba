#pragma once
// What SigV4 verification needs about an access key id, and the in-memory cache that serves it.
//
// Store::LookupCredential(id) answers from the cache without touching SQLite or the store's
// mutex; a miss reads the database (decrypting the secret) and fills the cache. Every write that
// changes a key (status, deletion) or a session erases its entry before the write is
// acknowledged, so a deleted or deactivated key stops working at once.
//
// Thread safety: CredentialCache is safe from any number of threads.

#include <cstddef>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace cpa::server::store {

enum class PrincipalKind {
  kRoot,         // an account's root key (AKIA...)
  kUser,         // an IAM user's key (AKIA...)
  kAssumedRole,  // an STS session (ASIA...)
};

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;  // decrypted; never log it
  std::string account_id;
  PrincipalKind kind = PrincipalKind::kRoot;
  std::string principal_arn;  // root, user or assumed-role ARN
  std::string principal_id;   // aws:userid: account id, AIDA..., or AROA...:session
  bool active = true;         // long-term keys: Status Active

  // Users.
  std::string user_name;
  // Sessions.
  std::string session_token_sha256;  // 32 raw bytes
  std::optional<core::TimePoint> expiration;
  std::string role_arn, role_id, role_name, session_name;
  std::optional<std::string> source_identity;
  std::string source_arn;  // who called AssumeRole
  std::optional<std::string> session_policy;
  std::vector<std::string> session_policy_arns;
  bool role_chained = false;

  bool is_session() const { return kind == PrincipalKind::kAssumedRole; }
  // Constant-time comparison of SHA-256(token) with the stored hash; false for long-term keys.
  bool MatchesSessionToken(std::string_view token) const;
  bool ExpiredAt(core::TimePoint now) const { return expiration && now >= *expiration; }
};

class CredentialCache {
 public:
  explicit CredentialCache(size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const Credential> Find(std::string_view access_key_id) const;
  void Insert(std::shared_ptr<const Credential> credential);
  void Erase(std::string_view access_key_id);
  void Clear();
  size_t size() const;

 private:
  size_t capacity_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Credential>> map_;
};

}  // namespace cpa::server::store
