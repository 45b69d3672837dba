#include "profile/locations.h"

namespace cpa::profile {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

char Separator(Platform platform) { return platform == Platform::kWindows ? '\\' : '/'; }

bool IsSeparator(char c, Platform platform) {
  return c == '/' || (platform == Platform::kWindows && c == '\\');
}

Result<std::string> DefaultPath(std::string_view file, const Environment& env, Platform platform,
                                const std::optional<std::string>& fallback_home) {
  CPA_ASSIGN_OR_RETURN(std::string home, ResolveHomeDirectory(env, platform, fallback_home));
  const char sep = Separator(platform);
  if (!home.empty() && IsSeparator(home.back(), platform)) home.pop_back();
  return home + sep + ".aws" + sep + std::string(file);
}

}  // namespace

Platform NativePlatform() {
#ifdef _WIN32
  return Platform::kWindows;
#else
  return Platform::kPosix;
#endif
}

Result<std::string> ResolveHomeDirectory(const Environment& env, Platform platform,
                                         const std::optional<std::string>& fallback_home) {
  if (auto home = env.GetNonEmpty("HOME")) return *home;
  if (platform == Platform::kWindows) {
    if (auto profile = env.GetNonEmpty("USERPROFILE")) return *profile;
    auto drive = env.GetNonEmpty("HOMEDRIVE");
    auto path = env.GetNonEmpty("HOMEPATH");
    if (drive && path) return *drive + *path;
  }
  if (fallback_home && !fallback_home->empty()) return *fallback_home;
  return Status(ErrorCode::kNotFound,
                platform == Platform::kWindows
                    ? "cannot find the home directory: HOME, USERPROFILE and HOMEDRIVE/HOMEPATH "
                      "are unset"
                    : "cannot find the home directory: HOME is unset and the user has no "
                      "home directory entry");
}

Result<std::string> ExpandHome(std::string_view path, const Environment& env, Platform platform,
                               const std::optional<std::string>& fallback_home) {
  if (path.empty() || path.front() != '~') return std::string(path);
  if (path.size() > 1 && !IsSeparator(path[1], platform)) return std::string(path);
  CPA_ASSIGN_OR_RETURN(std::string home, ResolveHomeDirectory(env, platform, fallback_home));
  if (path.size() > 1 && !home.empty() && IsSeparator(home.back(), platform)) home.pop_back();
  return home + std::string(path.substr(1));
}

Result<FileLocations> ResolveFileLocations(const Environment& env, Platform platform,
                                           const std::optional<std::string>& fallback_home) {
  FileLocations out;
  if (auto config = env.GetNonEmpty("AWS_CONFIG_FILE")) {
    CPA_ASSIGN_OR_RETURN(out.config, ExpandHome(*config, env, platform, fallback_home));
  } else {
    CPA_ASSIGN_OR_RETURN(out.config, DefaultPath("config", env, platform, fallback_home));
  }
  if (auto credentials = env.GetNonEmpty("AWS_SHARED_CREDENTIALS_FILE")) {
    CPA_ASSIGN_OR_RETURN(out.credentials, ExpandHome(*credentials, env, platform, fallback_home));
  } else {
    CPA_ASSIGN_OR_RETURN(out.credentials, DefaultPath("credentials", env, platform, fallback_home));
  }
  return out;
}

}  // namespace cpa::profile
