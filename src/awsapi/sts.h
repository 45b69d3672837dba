#pragma once
// AWS Security Token Service (awsQuery, version 2011-06-15).
//
//   auto sts = StsClient::Create({.region = "us-west-2", .credentials = provider});
//   auto who = sts->GetCallerIdentity();
//   if (!who.ok()) { ...who.status(), who.aws_error()->code... }
//
// AssumeRoleWithWebIdentity is sent unsigned, as AWS expects; the client needs no credentials for
// it.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "awsapi/client.h"
#include "core/clock.h"

namespace cpa::awsapi {

using Tag = std::pair<std::string, std::string>;  // Key, Value

// Temporary credentials returned by STS. The secret and token must never be logged.
struct StsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  core::TimePoint expiration{};

  sigv4::Credentials ToSigningCredentials() const {
    return {access_key_id, secret_access_key, session_token};
  }
};

struct AssumedRoleUser {
  std::string assumed_role_id;  // "AROA...:session"
  std::string arn;              // arn:aws:sts::<acct>:assumed-role/<role>/<session>
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::optional<int64_t> duration_seconds;
  std::string external_id;
  std::string policy;                    // inline session policy (JSON)
  std::vector<std::string> policy_arns;  // managed session policies
  std::vector<Tag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::string serial_number;
  std::string token_code;
  std::string source_identity;
};

struct AssumeRoleResponse {
  StsCredentials credentials;
  AssumedRoleUser assumed_role_user;
  std::optional<int64_t> packed_policy_size;
  std::string source_identity;
  std::string request_id;
};

struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  // secret: never logged
  std::string provider_id;
  std::string policy;
  std::vector<std::string> policy_arns;
  std::optional<int64_t> duration_seconds;
};

struct AssumeRoleWithWebIdentityResponse {
  StsCredentials credentials;
  std::string subject_from_web_identity_token;
  AssumedRoleUser assumed_role_user;
  std::optional<int64_t> packed_policy_size;
  std::string provider;
  std::string audience;
  std::string source_identity;
  std::string request_id;
};

struct GetCallerIdentityResponse {
  std::string user_id;
  std::string account;
  std::string arn;
  std::string request_id;
};

class StsClient {
 public:
  static core::Result<StsClient> Create(ClientConfig config);

  Outcome<AssumeRoleResponse> AssumeRole(const AssumeRoleRequest& request) const;
  Outcome<AssumeRoleWithWebIdentityResponse> AssumeRoleWithWebIdentity(
      const AssumeRoleWithWebIdentityRequest& request) const;
  Outcome<GetCallerIdentityResponse> GetCallerIdentity() const;

  const ServiceClient& service_client() const { return client_; }

 private:
  explicit StsClient(ServiceClient client) : client_(std::move(client)) {}
  ServiceClient client_;
};

}  // namespace cpa::awsapi
