#pragma once
// The real FileStore: POSIX files. The impure edge of the share library.

#include "share/files.h"

namespace cpa::share {

class LocalFiles final : public FileStore {
 public:
  core::Result<std::optional<FileContent>> Read(const std::string& path) override;
  // Writes "<path>.tmp-<pid>-<n>" with O_EXCL and `mode`, fsyncs it, renames it over `path` and
  // fsyncs the directory; the temporary file is removed on failure.
  core::Status WriteAtomic(const std::string& path, std::string_view data, uint32_t mode) override;
  core::Status SetMode(const std::string& path, uint32_t mode) override;
  core::Status Remove(const std::string& path) override;
  core::Status EnsureDirectory(const std::string& path) override;
};

}  // namespace cpa::share
