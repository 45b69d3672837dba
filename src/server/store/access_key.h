#pragma once
// Long-term access keys (AKIA...) of IAM users and account roots. The id encodes its account
// (core/ids.h). The secret is stored sealed (secret_box.h) and returned only by Create; SigV4
// verification reads it through Store::LookupCredential.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "server/store/pagination.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

// IAM's quota of access keys per user (also applied to an account's root).
inline constexpr int kMaxAccessKeysPerUser = 2;

enum class AccessKeyStatus { kActive, kInactive };
std::string_view AccessKeyStatusName(AccessKeyStatus status);  // "Active" / "Inactive"
// "Active" / "Inactive" (as IAM spells them); InvalidArgument otherwise.
core::Result<AccessKeyStatus> ParseAccessKeyStatus(std::string_view text);

struct AccessKey {
  std::string access_key_id;
  std::string account_id;
  std::string user_name;  // empty: a root key of the account
  AccessKeyStatus status = AccessKeyStatus::kActive;
  core::TimePoint create_date{};
  std::string secret_access_key;  // filled only by Create
};

struct NewAccessKey {
  std::string account_id;
  std::string user_name;  // empty: a root key
  // Fixed values (bootstrap files, tests). Empty: generated (AKIA + the account encoded; a
  // 40-character secret).
  std::string access_key_id;
  std::string secret_access_key;
  AccessKeyStatus status = AccessKeyStatus::kActive;
};

class AccessKeyRepository {
 public:
  explicit AccessKeyRepository(internal::StoreState& s) : s_(s) {}

  // NoSuchEntity (user or account), LimitExceeded ("Cannot exceed quota for
  // AccessKeysPerUser: 2"), EntityAlreadyExists for a fixed id in use, InvalidInput for a fixed
  // id or secret of the wrong shape.
  core::Result<AccessKey> Create(const NewAccessKey& key);
  // Metadata (no secret). NoSuchEntity "The Access Key with id X cannot be found."
  core::Result<AccessKey> Get(std::string_view access_key_id);
  // Keys of a user (or of the root when user_name is empty), ordered by id.
  core::Result<Page<AccessKey>> List(std::string_view account_id, std::string_view user_name,
                                     const PageRequest& page = {});
  // The key must belong to that user (or root). Takes effect for SigV4 at once.
  core::Status UpdateStatus(std::string_view account_id, std::string_view user_name,
                            std::string_view access_key_id, AccessKeyStatus status);
  core::Status Delete(std::string_view account_id, std::string_view user_name,
                      std::string_view access_key_id);

 private:
  internal::StoreState& s_;
};

}  // namespace cpa::server::store
