#pragma once
// The files the agent reads (a config file, a mounted Secret's keys, an existing docker config)
// and writes (the docker config), as an injected dependency so that the logic above it is tested
// without a disk and write failures can be simulated.
//
// Thread safety: LocalFileSystem is stateless; its methods may be called from any thread.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::agent {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The whole file. kNotFound when it does not exist; kInternal naming the path and the OS error
  // otherwise. Never quotes the contents.
  virtual core::Result<std::string> ReadFile(const std::string& path) = 0;

  // Replaces `path` with `data`, all or nothing: a temporary file in the same directory is
  // written, fsynced and renamed over `path` (which then has `mode`), and the directory is
  // fsynced. On any failure `path` keeps its previous contents, the temporary file is removed,
  // and the Status (kInternal) names the path, the step and the OS error.
  virtual core::Status WriteFileAtomically(const std::string& path, std::string_view data,
                                           mode_t mode) = 0;
};

// The real filesystem (POSIX).
class LocalFileSystem final : public FileSystem {
 public:
  core::Result<std::string> ReadFile(const std::string& path) override;
  core::Status WriteFileAtomically(const std::string& path, std::string_view data,
                                   mode_t mode) override;
};

}  // namespace cpa::agent
