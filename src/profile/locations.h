#pragma once
// Where the shared config and credentials files are looked for.
//
//  - config:      $AWS_CONFIG_FILE, else ~/.aws/config
//  - credentials: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
//  - the home directory: $HOME; on Windows then $USERPROFILE, then $HOMEDRIVE$HOMEPATH; then the
//    platform's own answer (getpwuid on POSIX), passed in as `fallback_home`.
//  - a leading "~" (alone, or followed by the separator) in an override is the home directory.
//
// Pure: the environment and the fallback home are inputs; nothing touches the filesystem.
// Thread safety: free functions over values.

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "profile/environment.h"

namespace cpa::profile {

enum class Platform { kPosix, kWindows };

// The platform this binary was built for.
Platform NativePlatform();

struct FileLocations {
  std::string config;
  std::string credentials;
};

// kNotFound when no home directory can be determined.
core::Result<std::string> ResolveHomeDirectory(const Environment& env, Platform platform,
                                               const std::optional<std::string>& fallback_home);

// Replaces a leading "~" with the home directory; other paths are returned unchanged (and need
// no home directory). "~user" forms are not expanded, as in the SDKs.
core::Result<std::string> ExpandHome(std::string_view path, const Environment& env,
                                     Platform platform,
                                     const std::optional<std::string>& fallback_home);

core::Result<FileLocations> ResolveFileLocations(const Environment& env, Platform platform,
                                                 const std::optional<std::string>& fallback_home);

}  // namespace cpa::profile
