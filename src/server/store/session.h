#pragma once
// Temporary credentials issued by STS AssumeRole: ASIA... key id (the role's account encoded),
// secret (sealed at rest), session token (kept only as its SHA-256), expiration, and the
// assumed-role identity with its session policies.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

struct NewSession {
  std::string account_id;  // the role's account
  std::string role_arn;
  std::string role_id;  // AROA...
  std::string role_name;
  std::string session_name;
  std::chrono::seconds duration{3600};
  std::optional<std::string> source_identity;
  std::string source_arn;                     // the caller of AssumeRole (audit)
  std::optional<std::string> session_policy;  // the Policy parameter
  std::vector<std::string> session_policy_arns;
  bool role_chained = false;  // the caller was itself an assumed-role session
};

struct Session {
  std::string access_key_id;      // ASIA...
  std::string secret_access_key;  // filled only by Create
  std::string session_token;      // filled only by Create
  std::string account_id;
  std::string role_arn, role_id, role_name, session_name;
  std::string assumed_role_arn;  // arn:aws:sts::<account>:assumed-role/<role>/<session>
  std::string assumed_role_id;   // <role id>:<session>
  std::optional<std::string> source_identity;
  std::string source_arn;
  std::optional<std::string> session_policy;
  std::vector<std::string> session_policy_arns;
  bool role_chained = false;
  core::TimePoint issued{};
  core::TimePoint expiration{};
};

class SessionRepository {
 public:
  explicit SessionRepository(internal::StoreState& s) : s_(s) {}

  // Issues credentials valid for `duration` from the clock's now. NoSuchEntity (account).
  core::Result<Session> Create(const NewSession& session);
  // Metadata (no secret, no token). NoSuchEntity.
  core::Result<Session> Get(std::string_view access_key_id);
  core::Status Delete(std::string_view access_key_id);
  // Deletes sessions that expired before `now` minus `grace`; returns how many.
  core::Result<int> PurgeExpired(std::chrono::seconds grace = std::chrono::seconds(0));

 private:
  internal::StoreState& s_;
};

std::string AssumedRoleArn(std::string_view account_id, std::string_view role_name,
                           std::string_view session_name);

}  // namespace cpa::server::store
