#pragma once
// `credential_process`: the output format of the external command and how its result becomes
// Credentials. Running the command is injected (ProcessRunner); files.h has the real runner.
//
// Output (stdout), per the AWS CLI's documented contract:
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//    "SessionToken": "...", "Expiration": "2022-05-02T18:36:00Z", "AccountId": "..."}
// Version must be 1; AccessKeyId and SecretAccessKey are required; without Expiration the
// credentials never expire. A missing AccountId falls back to the profile's aws_account_id.
//
// Messages never quote the output (it holds secrets). Thread safety: free functions.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "profile/chain.h"
#include "profile/credentials.h"

namespace cpa::profile {

core::Result<Credentials> ParseCredentialProcessOutput(
    std::string_view output, const std::optional<std::string>& fallback_account_id = std::nullopt);

struct ProcessOutput {
  int exit_code = 0;
  std::string stdout_text;
};

// Runs a command line through the platform shell and captures its stdout.
using ProcessRunner = std::function<core::Result<ProcessOutput>(std::string_view command)>;

// Runs the provider's command with `run` and parses its output. Errors start with the SDKs'
// wording ("Error retrieving credentials...") and end with the profile's name.
core::Result<Credentials> RunCredentialProcess(const CredentialProcess& provider,
                                               const ProcessRunner& run);

}  // namespace cpa::profile
