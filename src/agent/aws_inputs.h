#pragma once
// Where the agent's AWS settings come from, in EKS Anywhere's precedence.
//
// Sources, first match wins:
//   1. --config FILE: an AWS shared-config file (the spec's step-6 file);
//   2. --secret-dir DIR: the `aws-secret` Secret mounted as files (keys below);
//   3. EKSA_AWS_CONFIG_FILE: a shared-config file, as `eksctl anywhere` reads it;
//   4. EKSA_AWS_ACCESS_KEY_ID + EKSA_AWS_SECRET_ACCESS_KEY (+ EKSA_AWS_SESSION_TOKEN).
// Within a Secret (a directory, or its data map from the Kubernetes API), a non-empty `config`
// overrides AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as the controller and
// the credential-provider package do; without it the keys become a generated `[default]`
// profile. Values of the key fields have surrounding single quotes (and whitespace) removed, as
// upstream's strings.Trim(value, "'") does; `config` is used verbatim.
//
// Region, first match wins (ChooseRegion): --region; the selected profile's `region` in the
// config; the Secret's REGION; EKSA_AWS_REGION.
//
// Everything but LoadSettings' reads is pure. Errors name the source, the key or file and, for
// a malformed config, the line, and never quote a value (it may hold a secret).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/file_system.h"
#include "core/status.h"
#include "profile/config_file.h"
#include "profile/environment.h"

namespace cpa::agent {

// The data keys of eksa-packages/aws-secret.
inline constexpr std::string_view kSecretConfigKey = "config";
inline constexpr std::string_view kSecretAccessKeyIdKey = "AWS_ACCESS_KEY_ID";
inline constexpr std::string_view kSecretSecretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";
inline constexpr std::string_view kSecretSessionTokenKey = "AWS_SESSION_TOKEN";
inline constexpr std::string_view kSecretRegionKey = "REGION";

// A Secret's data: key -> bytes (already base64-decoded).
using SecretData = std::map<std::string, std::string, std::less<>>;

enum class SettingsForm {
  kConfig,  // a shared-config file (given, or a Secret's `config`)
  kKeys,    // static keys, turned into a generated `[default]` profile
};

struct AwsSettings {
  SettingsForm form = SettingsForm::kConfig;
  // Where the settings came from, for the log: "--config /etc/aws/config",
  // "--secret-dir /secrets/aws-creds", "Secret eksa-packages/aws-secret", ...
  std::string origin;
  // The name the config is known by in messages (a path, or "<origin> key `config`").
  std::string config_name;
  // Shared-config text: the given file, or generated from the keys. Holds secrets: never log.
  std::string config_text;
  profile::ConfigFile files;  // config_text, parsed
  // The Secret's REGION (quotes removed), "" when absent or empty.
  std::string secret_region;
  // Facts worth logging (ignored keys, parser warnings). Never secrets.
  std::vector<std::string> notes;
};

// Removes surrounding ASCII whitespace, then every leading and trailing single quote.
std::string TrimSecretValue(std::string_view value);

// A Secret's data map (or a directory's files) as settings. `origin` names the Secret for
// messages; `config_name` is what a malformed `config` is reported as (default:
// "<origin> key `config`").
core::Result<AwsSettings> SettingsFromSecretData(const SecretData& data, std::string_view origin,
                                                 std::string config_name = "");

// A shared-config file's text as settings; `path` names it in messages.
core::Result<AwsSettings> SettingsFromConfigText(std::string text, std::string_view origin,
                                                 std::string path);

// The five aws-secret keys present as files in `dir` (a missing file is an absent key).
// kNotFound when none of them exists.
core::Result<SecretData> ReadSecretDir(FileSystem& fs, const std::string& dir);

struct InputFlags {
  std::string config_file;  // --config
  std::string secret_dir;   // --secret-dir
};

// Applies the precedence above; reads files through `fs`.
core::Result<AwsSettings> LoadSettings(FileSystem& fs, const InputFlags& flags,
                                       const profile::Environment& env);

struct RegionChoice {
  std::string region;
  std::string source;  // "--region", "profile `default` in <config>", "REGION of <origin>", ...
};

// The region for `profile_name` (see the header comment). kInvalidArgument when none is set.
core::Result<RegionChoice> ChooseRegion(const AwsSettings& settings, std::string_view profile_name,
                                        std::string_view region_flag,
                                        const profile::Environment& env);

}  // namespace cpa::agent
