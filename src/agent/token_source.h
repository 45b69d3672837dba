#pragma once
// Registry tokens: one ECR GetAuthorizationToken call for a (profile, region), and why a call
// failed, in a small fixed set of causes (the `cause` label of the agent's failure metric).
//
// AwsTokenSource runs the call with awsapi: credentials from the profile's chain in the given
// shared config (awsapi::ProfileCredentialsProvider: static keys, source_profile + role_arn
// through STS AssumeRole, ...), the ECR client of the region, and the endpoint overrides of the
// environment and the profile (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS / _ECR, endpoint_url), so
// the same code talks to AWS or to `cpa serve`. Providers are kept per (profile, region), so
// assumed-role credentials are cached and refreshed across calls.
//
// Nothing here logs; tokens and passwords appear only in RegistryToken, never in a Status.
// Thread safety: Fetch may be called from one thread at a time.

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsapi/http.h"
#include "awsapi/profile_credentials.h"
#include "awsapi/retry.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/status.h"
#include "profile/environment.h"

namespace cpa::agent {

struct AwsSettings;

// A registry login, as GetAuthorizationToken returns it.
struct RegistryToken {
  std::string username;  // "AWS"
  std::string password;  // secret
  core::TimePoint expires_at;
  std::string proxy_endpoint;  // "https://<account>.dkr.ecr.<region>.<domain>[:port]"
};

struct TokenRequest {
  // The config profile whose credentials sign the call; nullopt: the SDKs' default chain
  // (environment keys, AWS_PROFILE or `default`, web identity), as the kubelet plugin uses.
  std::optional<std::string> profile;
  std::string region;
  std::vector<std::string> registry_ids;  // proxy endpoints only; never narrows the token
};

enum class FailureCause {
  kAccessDenied,        // AccessDenied from STS or ECR (a policy, a trust statement)
  kInvalidCredentials,  // unknown or expired keys, bad signature, expired session
  kNetwork,             // no HTTP answer: DNS, connection refused, timeout, TLS
  kConfig,              // the settings: unknown profile, bad role_arn, missing region...
  kService,             // the service failed (5xx, throttling, a malformed or expired token)
  kOutput,              // the credentials could not be written
};
inline constexpr FailureCause kAllFailureCauses[] = {
    FailureCause::kAccessDenied, FailureCause::kInvalidCredentials,
    FailureCause::kNetwork,      FailureCause::kConfig,
    FailureCause::kService,      FailureCause::kOutput,
};
// "access_denied", "invalid_credentials", "network", "config", "service", "output".
std::string_view FailureCauseName(FailureCause cause);

// The cause of a failed call. `no_http_answer`: the last exchange got no HTTP response.
FailureCause ClassifyFailure(const core::Status& status, bool no_http_answer);

// One failure of a refresh (a token, the settings, an output), as reported and counted.
struct RefreshFailure {
  FailureCause cause;
  std::string message;  // "profile `default` in us-west-2: ..."; no secrets
};

struct FetchOutcome {
  std::optional<RegistryToken> token;
  FailureCause cause = FailureCause::kService;  // when !token
  core::Status status;                          // when !token
  bool ok() const { return token.has_value(); }
};

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual FetchOutcome Fetch(const TokenRequest& request) = 0;
};

struct AwsTokenSourceOptions {
  std::shared_ptr<awsapi::HttpTransport> transport;  // null: awsapi::DefaultTransport()
  const core::Clock* clock = nullptr;                // null: the system clock
  core::Random* random = nullptr;                    // null: core::DefaultRandom()
  awsapi::SleepFunction sleep;                       // null: a real sleep (retry backoff)
  std::string user_agent = "cpa-agent";
};

class AwsTokenSource final : public TokenSource {
 public:
  // `shared`: the config the profiles come from; `env`: what endpoint overrides and the default
  // chain read (AWS_ENDPOINT_URL*, AWS_PROFILE, ...).
  AwsTokenSource(awsapi::SharedConfig shared, profile::Environment env,
                 AwsTokenSourceOptions options = {});
  ~AwsTokenSource() override;

  FetchOutcome Fetch(const TokenRequest& request) override;

 private:
  class ProbeTransport;
  core::Result<std::shared_ptr<awsapi::ProfileCredentialsProvider>> ProviderFor(
      const TokenRequest& request);

  awsapi::SharedConfig shared_;
  profile::Environment env_;
  AwsTokenSourceOptions options_;
  std::shared_ptr<ProbeTransport> probe_;
  std::map<std::pair<std::string, std::string>,
           std::shared_ptr<awsapi::ProfileCredentialsProvider>>
      providers_;  // by (profile or "", region)
};

// The shared config of `settings` alone: AWS_CONFIG_FILE names it (read from memory) and no
// credentials file is read, whatever the environment says. Returns it with the environment the
// token source should use (`env` with AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE replaced).
core::Result<std::pair<awsapi::SharedConfig, profile::Environment>> SharedConfigFor(
    const AwsSettings& settings, profile::Environment env);

}  // namespace cpa::agent
