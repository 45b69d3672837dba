#pragma once
// The thin impure edge of the profile library: the real environment, the real files and the
// real shell. Everything else in profile/ is pure and takes these as inputs.
//
// Thread safety: ProcessEnvironment reads `environ` (do not call while another thread calls
// setenv); the rest is safe to call concurrently.

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "profile/config_file.h"
#include "profile/credential_process.h"
#include "profile/environment.h"
#include "profile/locations.h"

namespace cpa::profile {

// A snapshot of this process's environment.
Environment ProcessEnvironment();

// The current user's home directory from the password database (POSIX); nullopt if none.
std::optional<std::string> PasswdHomeDirectory();

// The whole file. kNotFound when it does not exist, kInternal (naming the path) otherwise.
core::Result<std::string> ReadTextFile(const std::string& path);

struct LoadedConfig {
  FileLocations locations;
  bool config_found = false;
  bool credentials_found = false;
  ConfigFile files;  // merged
};

// Resolves the locations from `env`, reads both files (a missing file counts as empty), parses
// and merges them. Parse errors name the file's path and line.
core::Result<LoadedConfig> LoadConfigFiles(const Environment& env);

// Runs `command` with /bin/sh -c, capturing stdout (stderr passes through). A ProcessRunner.
core::Result<ProcessOutput> RunShellCommand(std::string_view command);

}  // namespace cpa::profile
