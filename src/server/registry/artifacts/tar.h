#pragma once
// A POSIX ustar archive writer and reader, for chart packages and image layers.
//
// The writer is deterministic: every entry gets the same mtime (kFixedMtime), uid/gid 0, empty
// user and group names, and the mode given (0644 files, 0755 directories by default), so the same
// entries in the same order always give the same bytes. It writes no pax or GNU extension
// headers: a path longer than 100 bytes is split into the ustar prefix (≤ 155) and name (≤ 100)
// fields at a '/', and a path that cannot be split that way is rejected. The archive ends with
// two zero blocks and is not padded to a 10 KiB record (Go's archive/tar does the same; Python
// and GNU tar read it).
//
// The reader understands what the writer writes (regular files, directories) plus the GNU
// "ustar  " magic; other entry types are returned with their type flag so callers can skip them.
// It verifies header checksums and never reads past the input.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::server::registry::artifacts {

// The mtime of every entry written (the Unix epoch, as SOURCE_DATE_EPOCH=0 would give).
inline constexpr int64_t kFixedMtime = 0;

class TarWriter {
 public:
  // Adds a regular file. `path` is relative ("dir/file"), without "." or ".." components.
  core::Status AddFile(std::string_view path, std::string_view content, uint32_t mode = 0644);
  // Adds a directory entry (written as "path/").
  core::Status AddDirectory(std::string_view path, uint32_t mode = 0755);

  // The archive: the entries added so far and the end-of-archive marker. The writer can be reused.
  std::string Finish() const;

 private:
  core::Status AddEntry(std::string_view path, char type, std::string_view content, uint32_t mode);

  std::string data_;
};

struct TarEntry {
  enum class Type { kFile, kDirectory, kOther };
  Type type = Type::kFile;
  char type_flag = '0';
  std::string path;  // prefix + "/" + name; directories keep their trailing '/'
  uint32_t mode = 0;
  int64_t mtime = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string content;  // files only
};

// Parses a ustar archive. kInvalidArgument on a bad checksum, a truncated entry or a field that
// does not parse.
core::Result<std::vector<TarEntry>> ReadTar(std::string_view archive);

}  // namespace cpa::server::registry::artifacts
