#include "profile/files.h"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace cpa::profile {

using core::ErrorCode;
using core::Result;
using core::Status;

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.Set(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::optional<std::string> PasswdHomeDirectory() {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd pw{};
  passwd* result = nullptr;
  if (getpwuid_r(getuid(), &pw, buffer.data(), buffer.size(), &result) != 0 || result == nullptr ||
      result->pw_dir == nullptr || result->pw_dir[0] == '\0') {
    return std::nullopt;
  }
  return std::string(result->pw_dir);
}

Result<std::string> ReadTextFile(const std::string& path) {
  // An ifstream opens a directory and reads it as empty; report it instead.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status(ErrorCode::kInternal, path + ": cannot read: is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) return Status(ErrorCode::kNotFound, path + ": no such file");
    return Status(ErrorCode::kInternal, path + ": cannot open: " + std::strerror(err));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Status(ErrorCode::kInternal, path + ": read error");
  return out.str();
}

Result<LoadedConfig> LoadConfigFiles(const Environment& env) {
  LoadedConfig loaded;
  CPA_ASSIGN_OR_RETURN(loaded.locations,
                       ResolveFileLocations(env, NativePlatform(), PasswdHomeDirectory()));
  auto read = [](const std::string& path, bool* found) -> Result<std::string> {
    auto text = ReadTextFile(path);
    if (text.ok()) {
      *found = true;
      return text;
    }
    if (text.status().code() == ErrorCode::kNotFound) return std::string();
    return text.status();
  };
  CPA_ASSIGN_OR_RETURN(std::string config, read(loaded.locations.config, &loaded.config_found));
  CPA_ASSIGN_OR_RETURN(std::string credentials,
                       read(loaded.locations.credentials, &loaded.credentials_found));
  CPA_ASSIGN_OR_RETURN(loaded.files, ParseConfigFiles(config, credentials, loaded.locations.config,
                                                      loaded.locations.credentials));
  return loaded;
}

Result<ProcessOutput> RunShellCommand(std::string_view command) {
  std::FILE* pipe = ::popen(std::string(command).c_str(), "r");
  if (pipe == nullptr) {
    return Status(ErrorCode::kInternal,
                  std::string("cannot start the process: ") + std::strerror(errno));
  }
  ProcessOutput out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.stdout_text.append(buffer, n);
  int status = ::pclose(pipe);
  if (status == -1) {
    return Status(ErrorCode::kInternal,
                  std::string("cannot wait for the process: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) {
    out.exit_code = WEXITSTATUS(status);
  } else {
    out.exit_code = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }
  return out;
}

}  // namespace cpa::profile
