#pragma once
// Executing a ProviderChain: the base provider first, then each AssumeRole step with the previous
// step's credentials. The calls that need the network (STS) or the system (files, processes) are
// injected, so this stays pure and the awsapi client plugs in without a dependency cycle.
//
// Thread safety: ExecuteChain is reentrant; it is as thread-safe as the injected functions.

#include <functional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "profile/chain.h"
#include "profile/credential_process.h"
#include "profile/credentials.h"
#include "profile/environment.h"

namespace cpa::profile {

struct ChainExecutor {
  // STS AssumeRole with `source` credentials. step.role_session_name is always set on the call.
  std::function<core::Result<Credentials>(const Credentials& source, const AssumeRoleStep& step)>
      assume_role;
  // STS AssumeRoleWithWebIdentity with the token file's contents (role_session_name set).
  std::function<core::Result<Credentials>(const WebIdentityToken& provider,
                                          const std::string& token)>
      assume_role_with_web_identity;
  // Reads the web identity token file (files.h: ReadTextFile).
  std::function<core::Result<std::string>(const std::string& path)> read_file;
  // Runs credential_process commands (files.h: RunShellCommand).
  ProcessRunner run_process;
  // For credential_source = Environment.
  Environment env;
  // For default session names ("cpa-<unix seconds>"); the system clock when null.
  const core::Clock* clock = nullptr;
};

// The session name used when a profile sets none.
std::string DefaultRoleSessionName(core::TimePoint now);

// Runs the chain. Unsupported providers (instance metadata, containers, SSO) fail with
// kInvalidArgument naming the profile; a missing injected function is kInternal.
core::Result<Credentials> ExecuteChain(const ProviderChain& chain, const ChainExecutor& executor);

}  // namespace cpa::profile
