#pragma once
// The files `cpa share` writes (DIR/config, DIR/aws-secret.yaml), behind an interface so that the
// procedure's tests use an in-memory store. LocalFiles (share/local_files.h) is the real one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::share {

struct FileContent {
  std::string data;
  uint32_t mode = 0;  // permission bits, e.g. 0600
};

class FileStore {
 public:
  virtual ~FileStore() = default;
  // nullopt when the file does not exist.
  virtual core::Result<std::optional<FileContent>> Read(const std::string& path) = 0;
  // Replaces the file at once: a temporary file in the same directory, written with `mode` and
  // flushed, then renamed over `path`. On failure `path` is untouched.
  virtual core::Status WriteAtomic(const std::string& path, std::string_view data,
                                   uint32_t mode) = 0;
  virtual core::Status SetMode(const std::string& path, uint32_t mode) = 0;
  virtual core::Status Remove(const std::string& path) = 0;
  // Creates the directory (and its parents) with mode 0700 when missing.
  virtual core::Status EnsureDirectory(const std::string& path) = 0;
};

// "dir/name" (no doubled slash).
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace cpa::share
