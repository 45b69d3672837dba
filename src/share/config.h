#pragma once
// The AWS config file of spec step 6 and the `aws-secret` manifest of step 7.
//
// The config file has exactly the spec's shape: a `[default]` profile assuming the role with the
// user's profile as its source, and `[profile <user>]` holding the user's access key:
//
//   [default]
//   source_profile=curated-packages-user
//   role_arn=arn:aws:iam::111111111111:role/curated-packages-role
//   region=us-west-2
//
//   [profile curated-packages-user]
//   aws_access_key_id=AKIA...
//   aws_secret_access_key=...
//
// The manifest is the spec's `aws-secret` Secret in namespace eksa-packages: `config` is the
// base64 of the file (one line), the other keys as the spec shows them (empty), REGION
// optionally base64 of a region.
//
// Pure. Errors never quote a secret.

#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::share {

struct ShareConfig {
  std::string source_profile;  // the user's profile, e.g. "curated-packages-user"
  std::string role_arn;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;  // secret
};

// The file's text, ending in a newline.
std::string RenderConfig(const ShareConfig& config);

// Reads a file in the spec's shape: `[default]` with role_arn and source_profile, and that
// profile's static keys (region may be absent). `file_name` is used in messages.
core::Result<ShareConfig> ParseShareConfig(std::string_view text, std::string_view file_name);

// The `aws-secret` manifest for a config file's text. `region` fills REGION (base64) when set.
std::string RenderAwsSecret(std::string_view config_text, std::string_view region = "");

// The config file's text with the secret access key replaced by "****" (for plans and logs).
std::string MaskConfigSecret(const ShareConfig& config);

}  // namespace cpa::share
