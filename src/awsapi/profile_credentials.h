#pragma once
// Credentials from the AWS shared config files, as the AWS SDKs resolve them: the profile
// library plans the chain (static keys, source_profile / credential_source role chains,
// web_identity_token_file, credential_process, IAM Identity Center roles), this file executes it
// against STS (and the SSO portal) through the awsapi clients, and caches the result with
// profile::RefreshingCredentialsCache.
//
//   auto env = profile::ProcessEnvironment();
//   auto shared = awsapi::LoadSharedConfig(env);                       // both files, parsed
//   auto provider = awsapi::ProfileCredentialsProvider::Create(*shared, env, {.profile = "ci"});
//   awsapi::ClientConfig config;
//   config.region = (*provider)->region();
//   config.credentials = *provider;
//   config.endpoints = awsapi::EndpointOverridesFor(shared->files, env,
//   (*provider)->profile_name());
//
// The role assumptions' STS calls are signed with the previous link's credentials, go to the
// region of the selected profile (--region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
// `region`; us-east-1 when none), and honour AWS_ENDPOINT_URL(_STS), the profile's `endpoint_url`
// and `[services]` section, and use_fips_endpoint / use_dualstack_endpoint, as the SDKs do. An
// explicit endpoint URL given for the command's own service (--endpoint-url) is not used for them,
// as in the AWS CLI.
//
// Nothing here prints or returns in a message a secret key, session token or bearer token.
// Thread safety: ProfileCredentialsProvider::Get may be called from any thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsapi/client.h"
#include "awsapi/credentials_provider.h"
#include "awsapi/endpoints.h"
#include "awsapi/http.h"
#include "core/clock.h"
#include "core/status.h"
#include "profile/chain.h"
#include "profile/config_file.h"
#include "profile/credential_process.h"
#include "profile/credentials.h"
#include "profile/environment.h"
#include "profile/locations.h"
#include "profile/refresh.h"

namespace cpa::awsapi {

// Reads a whole file; kNotFound when it does not exist.
using FileReader = std::function<core::Result<std::string>(const std::string& path)>;

// The shared config and credentials files of one invocation.
struct SharedConfig {
  profile::FileLocations locations;
  bool config_found = false;
  bool credentials_found = false;
  profile::ConfigFile files;        // merged (the credentials file wins)
  profile::ConfigFile credentials;  // the credentials file alone, to tell where keys came from
  std::optional<std::string> home;  // the home directory, when one is known (~/.aws/sso/cache)
};

// Resolves the file locations from `env` (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, HOME...),
// reads them with `read` (null: profile::ReadTextFile; a missing file counts as empty), parses and
// merges them. `fallback_home` is used when the environment names no home directory.
// Errors name the file (and for parse errors the line), never its contents.
core::Result<SharedConfig> LoadSharedConfig(
    const profile::Environment& env, const FileReader& read = nullptr,
    const std::optional<std::string>& fallback_home = std::nullopt);

// An EnvLookup over an injected environment.
EnvLookup EnvLookupOf(const profile::Environment& env);

// Fills overrides->profile_url (`endpoint_url`), profile_service_urls (the `[services NAME]`
// section named by the profile's `services`: `sts =` / `  endpoint_url = URL` gives "sts" -> URL),
// profile_ignore_configured (`ignore_configured_endpoint_urls`) and use_fips / use_dualstack
// (`use_fips_endpoint`, `use_dualstack_endpoint`) from the profile. An absent profile changes
// nothing.
void ApplyProfileEndpoints(const profile::ConfigFile& files, std::string_view profile_name,
                           EndpointOverrides* overrides);

// The overrides a client for `profile_name` uses: the environment's (AWS_ENDPOINT_URL*,
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT; these
// win over the profile's settings) and the profile's. explicit_url is left empty.
EndpointOverrides EndpointOverridesFor(const profile::ConfigFile& files,
                                       const profile::Environment& env,
                                       std::string_view profile_name);

struct ProfileProviderOptions {
  // An explicit profile (--profile): only its chain is used. Unset: the SDKs' default chain
  // (environment keys, AWS_PROFILE or `default`, web identity from the environment).
  std::optional<std::string> profile;
  // The SDKs' *profile* provider alone: the selected profile's chain (AWS_PROFILE or `default`),
  // ignoring credentials in environment variables. Used by the conformance replay.
  bool profile_only = false;
  // The region (--region). Empty: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`.
  std::string region;
  // Injected for tests; null means the real thing.
  std::shared_ptr<HttpTransport> transport;  // DefaultTransport()
  const core::Clock* clock = nullptr;        // the system clock
  core::Random* random = nullptr;            // core::DefaultRandom()
  SleepFunction sleep;                       // a real sleep
  FileReader read_file;                      // profile::ReadTextFile (token files, SSO cache)
  profile::ProcessRunner run_process;        // profile::RunShellCommand (credential_process)
  RetryOptions retry;                        // for the STS calls
  profile::RefreshOptions refresh;
};

// One link of the resolved chain, in execution order, for `cpa whoami`. No secrets.
struct CredentialOrigin {
  std::string kind;         // "static", "environment", "assume-role", "web-identity",
                            // "credential-process", "sso", "unsupported"
  std::string profile;      // the profile that configured it; "" for the environment
  std::string description;  // e.g. "static keys from profile `u` in /home/me/.aws/credentials"
};

class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  // Plans the chain (failing on configuration errors: unknown profile, cycle, missing keys...,
  // naming the profile) and resolves the region and the STS endpoint of the role assumptions.
  // Nothing is fetched yet.
  static core::Result<std::shared_ptr<ProfileCredentialsProvider>> Create(
      const SharedConfig& config, const profile::Environment& env,
      ProfileProviderOptions options = {});

  ~ProfileCredentialsProvider() override;

  // Signing credentials; fetched on first use, then cached and refreshed ahead of expiry.
  core::Result<sigv4::Credentials> Get() override;
  // The full set: with expiration, account id and source.
  core::Result<profile::Credentials> GetCredentials();

  // The selected profile: --profile, AWS_PROFILE or "default" (even when environment keys won).
  const std::string& profile_name() const;
  // The region for clients of this profile ("" when none is configured) and where it came from.
  const std::string& region() const;
  const std::string& region_source() const;
  const profile::ProviderChain& chain() const;
  // The STS endpoint role assumptions use (meaningful when the chain assumes a role).
  const ResolvedEndpoint& sts_endpoint() const;
  // The chain, base first, one entry per link.
  std::vector<CredentialOrigin> Origins() const;

  struct State;

 private:
  explicit ProfileCredentialsProvider(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// "123456789012" from "arn:aws:sts::123456789012:assumed-role/r/s"; "" when not an ARN.
std::string AccountFromArn(std::string_view arn);

}  // namespace cpa::awsapi
