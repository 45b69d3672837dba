#pragma once
// Credential chain planning: which providers, in which order, turn a profile (and the environment)
// into credentials. Pure: nothing here contacts STS, runs a process or reads a file; executing a
// ProviderChain is the caller's job (base provider first, then each AssumeRole step with the
// previous step's credentials).
//
// Profile rules (as the SDKs' shared suite defines them; see README.md):
//  - a profile with role_arn (and no web_identity_token_file) is an AssumeRole step whose source
//    is `source_profile` (another profile, followed recursively) or `credential_source`
//    (Environment, Ec2InstanceMetadata, EcsContainer); exactly one of the two must be set.
//  - after the first profile, a source profile with static keys ends the chain: its role_arn
//    and source_profile are not followed.
//  - a profile naming itself as source_profile uses its own static keys as the base.
//  - any other revisit of a profile is an infinite loop.
//  - base providers in order of precedence: credential_source, web_identity_token_file (needs
//    role_arn), sso_* (recognised; cpa cannot execute them), credential_process, static keys.
//
// Thread safety: free functions over values.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"
#include "profile/config_file.h"
#include "profile/credentials.h"
#include "profile/environment.h"

namespace cpa::profile {

// Long-term or session keys from a profile (profile non-empty) or the environment (profile "").
struct StaticKeys {
  std::string profile;
  Credentials credentials;
};

enum class CredentialSource { kEnvironment, kEc2InstanceMetadata, kEcsContainer };
std::string_view CredentialSourceName(CredentialSource source);

// `credential_source` in a profile, or a container detected from the environment (profile "").
struct NamedSource {
  std::string profile;
  CredentialSource source;
};

// AssumeRoleWithWebIdentity with a token read from a file.
struct WebIdentityToken {
  std::string profile;
  std::string role_arn;
  std::string web_identity_token_file;
  std::optional<std::string> role_session_name;
  std::optional<int> duration_seconds;
};

// `credential_process`: run the command, parse its JSON (see credential_process.h).
struct CredentialProcess {
  std::string profile;
  std::string command;
  std::optional<std::string> account_id;  // the profile's aws_account_id, used when the output
                                          // has no AccountId
};

// IAM Identity Center settings. Recognised so that errors are precise; cpa cannot execute them.
struct SsoConfig {
  std::string profile;
  std::optional<std::string> sso_session;
  std::optional<std::string> sso_account_id;
  std::optional<std::string> sso_region;
  std::optional<std::string> sso_role_name;
  std::optional<std::string> sso_start_url;
  // Only sso_session: the profile yields a bearer token, not AWS credentials.
  bool token_only() const { return !sso_account_id && !sso_role_name; }
};

using BaseProvider =
    std::variant<StaticKeys, NamedSource, WebIdentityToken, CredentialProcess, SsoConfig>;

struct AssumeRoleStep {
  std::string profile;  // the profile that holds role_arn
  std::string role_arn;
  std::optional<std::string> external_id;
  std::optional<std::string> role_session_name;
  std::optional<int> duration_seconds;
};

struct ProviderChain {
  BaseProvider base;
  std::vector<AssumeRoleStep> roles;  // in execution order: roles[0] uses the base's credentials

  // One line per provider, secrets masked: for `cpa whoami` and errors.
  std::string ToString() const;
};

// The profile's chain only (no environment), as the SDKs' profile provider computes it.
// Errors (kInvalidArgument for bad configuration, kNotFound for missing profiles) name the profile.
core::Result<ProviderChain> ResolveProfileChain(const ConfigFile& files,
                                                std::string_view profile_name);

struct ChainOptions {
  // An explicit profile (e.g. --profile). It bypasses the environment variable credentials.
  std::optional<std::string> profile;
};

// The selected profile name: the explicit one, else AWS_PROFILE, else "default".
std::string SelectedProfileName(const Environment& env, const ChainOptions& options = {});

// The default chain, in the SDKs' order:
//  1. options.profile set: that profile's chain, nothing else.
//  2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN, AWS_ACCOUNT_ID).
//  3. The selected profile (AWS_PROFILE or "default"). An absent default profile, or a root
//     profile without credentials, falls through; an absent AWS_PROFILE profile is an error.
//  4. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME).
//  5. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI: NamedSource kEcsContainer.
// Instance metadata is not tried: kNotFound listing what was looked at.
core::Result<ProviderChain> PlanCredentialChain(const ConfigFile& files, const Environment& env,
                                                const ChainOptions& options = {});

// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN /
// AWS_ACCOUNT_ID (for `credential_source = Environment` and step 2 above). kNotFound when
// neither key is set, kInvalidArgument when only one is.
core::Result<Credentials> EnvironmentCredentials(const Environment& env);

struct RegionSetting {
  std::string region;
  std::string source;  // "AWS_REGION", "AWS_DEFAULT_REGION" or "profile `NAME`"
};

// AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region`; nullopt when none is set.
std::optional<RegionSetting> ResolveRegion(const ConfigFile& files, const Environment& env,
                                           std::string_view profile_name);

}  // namespace cpa::profile
