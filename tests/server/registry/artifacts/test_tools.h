#pragma once
// Helpers for tests that hand artifacts to external readers (python3 tarfile, gzip, skopeo).
#include <string>

namespace cpa::server::registry::artifacts::test {

// A fresh directory under the GoogleTest temp dir, removed when the object goes away.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `data` to path()/name (creating parent directories) and returns the full path.
  std::string Write(const std::string& name, const std::string& data) const;

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout only
};
// Runs `command` through /bin/sh.
CommandResult Run(const std::string& command);
bool HaveCommand(const std::string& name);

// Single-quotes `s` for /bin/sh.
std::string ShellQuote(const std::string& s);

}  // namespace cpa::server::registry::artifacts::test
