#pragma once
// The AWS calls of `cpa share`, behind interfaces so that the procedure runs against fakes in
// tests and against awsapi clients (share/aws_backend.h) in the CLI.
//
// AccountApi is one account seen through one principal (the --source-profile or --target-profile
// credentials): STS identity, the IAM entities of the procedure, and the EKS subscription
// lookups. ChainProbe makes the calls of the shared chain with explicit credentials (the user's
// key, then the role's session), to prove the written config file works.
//
// Errors are core::Status with the service's message (awsapi's "<service>:<Op>: <Code>: ...");
// a missing entity is reported as nullopt / false, not as an error.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace cpa::share {

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

struct PolicyInfo {
  std::string arn;
  std::string default_version_id;
};

struct PolicyVersionInfo {
  std::string version_id;
  bool is_default = false;
  std::optional<core::TimePoint> create_date;
};

struct AccessKeyInfo {
  std::string access_key_id;
  std::string status;  // Active | Inactive
  std::optional<core::TimePoint> create_date;
};

// A new key; the secret must never be logged.
struct NewAccessKey {
  std::string access_key_id;
  std::string secret_access_key;
};

struct SubscriptionInfo {
  std::string id;
  std::string status;
  std::string package_registry;  // may be empty
};

class AccountApi {
 public:
  virtual ~AccountApi() = default;

  virtual core::Result<CallerIdentity> GetCallerIdentity() = 0;

  // Managed policies.
  virtual core::Result<std::optional<PolicyInfo>> GetPolicy(const std::string& arn) = 0;
  virtual core::Result<std::string> GetPolicyVersionDocument(const std::string& arn,
                                                             const std::string& version_id) = 0;
  virtual core::Result<std::vector<PolicyVersionInfo>> ListPolicyVersions(
      const std::string& arn) = 0;
  virtual core::Result<PolicyInfo> CreatePolicy(const std::string& name,
                                                const std::string& document,
                                                const std::string& description) = 0;
  // Creates a version and makes it the default; returns its id.
  virtual core::Result<std::string> CreatePolicyVersion(const std::string& arn,
                                                        const std::string& document) = 0;
  virtual core::Status DeletePolicyVersion(const std::string& arn,
                                           const std::string& version_id) = 0;

  // Roles.
  struct Role {
    std::string arn;
    std::string trust_document;  // decoded JSON
  };
  virtual core::Result<std::optional<Role>> GetRole(const std::string& name) = 0;
  virtual core::Result<Role> CreateRole(const std::string& name, const std::string& trust_document,
                                        const std::string& description) = 0;
  virtual core::Status UpdateAssumeRolePolicy(const std::string& name,
                                              const std::string& document) = 0;
  // Every attached managed policy's ARN (all pages).
  virtual core::Result<std::vector<std::string>> ListAttachedRolePolicies(
      const std::string& name) = 0;
  virtual core::Status AttachRolePolicy(const std::string& name, const std::string& arn) = 0;

  // Users and their keys.
  virtual core::Result<std::optional<std::string>> GetUserArn(const std::string& name) = 0;
  virtual core::Result<std::string> CreateUser(const std::string& name) = 0;  // the user's ARN
  virtual core::Result<std::vector<std::string>> ListAttachedUserPolicies(
      const std::string& name) = 0;
  virtual core::Status AttachUserPolicy(const std::string& name, const std::string& arn) = 0;
  virtual core::Result<std::vector<AccessKeyInfo>> ListAccessKeys(const std::string& user) = 0;
  virtual core::Result<NewAccessKey> CreateAccessKey(const std::string& user) = 0;
  virtual core::Status UpdateAccessKey(const std::string& user, const std::string& key_id,
                                       const std::string& status) = 0;
  virtual core::Status DeleteAccessKey(const std::string& user, const std::string& key_id) = 0;

  // EKS Anywhere subscriptions of the account in the API's region.
  virtual core::Result<SubscriptionInfo> DescribeSubscription(const std::string& id) = 0;
  virtual core::Result<std::vector<SubscriptionInfo>> ListSubscriptions() = 0;
};

struct KeyCredentials {
  std::string access_key_id;
  std::string secret_access_key;  // secret
  std::string session_token;      // secret
};

struct AssumedRole {
  KeyCredentials credentials;
  std::string arn;  // arn:aws:sts::<acct>:assumed-role/<role>/<session>
};

struct EcrLogin {
  bool unsupported = false;    // the endpoint does not serve ECR (UnknownOperationException)
  std::string proxy_endpoint;  // https://<acct>.dkr.ecr.<region>.amazonaws.com
  std::string detail;          // why it is unsupported
};

class ChainProbe {
 public:
  virtual ~ChainProbe() = default;
  virtual core::Result<CallerIdentity> GetCallerIdentity(const KeyCredentials& credentials) = 0;
  virtual core::Result<AssumedRole> AssumeRole(const KeyCredentials& credentials,
                                               const std::string& role_arn,
                                               const std::string& session_name) = 0;
  // ecr:GetAuthorizationToken; the token itself is not returned (it is a secret).
  virtual core::Result<EcrLogin> GetAuthorizationToken(const KeyCredentials& credentials) = 0;
};

}  // namespace cpa::share
