#include "server/registry/artifacts/tar.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace cpa::server::registry::artifacts {
namespace {

using core::ErrorCode;

constexpr size_t kBlock = 512;
constexpr size_t kNameLen = 100;
constexpr size_t kPrefixLen = 155;

// Field offsets and widths of the ustar header.
constexpr size_t kName = 0, kMode = 100, kUid = 108, kGid = 116, kSize = 124, kMtime = 136,
                 kChksum = 148, kTypeflag = 156, kMagic = 257, kVersion = 263, kDevMajor = 329,
                 kDevMinor = 337, kPrefix = 345;

core::Status BadPath(std::string_view path, std::string_view why) {
  return core::Error(ErrorCode::kInvalidArgument,
                     "tar entry path '" + std::string(path) + "' " + std::string(why));
}

core::Status ValidatePath(std::string_view path) {
  if (path.empty()) return BadPath(path, "is empty");
  if (path.front() == '/') return BadPath(path, "is absolute");
  if (path.find('\0') != std::string_view::npos) return BadPath(path, "contains a NUL byte");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return BadPath(path, "has an empty component");
    if (part == "." || part == "..") return BadPath(path, "has a '.' or '..' component");
    start = end + 1;
  }
  return core::Status::Ok();
}

// Writes `value` as zero-padded octal in a field of `width` bytes, NUL-terminated.
bool PutOctal(char* field, size_t width, uint64_t value) {
  size_t digits = width - 1;
  for (size_t i = digits; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[digits] = '\0';
  return value == 0;
}

uint32_t HeaderSum(const char* header) {
  uint32_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    bool in_chksum = i >= kChksum && i < kChksum + 8;
    sum += in_chksum ? static_cast<uint32_t>(' ') : static_cast<unsigned char>(header[i]);
  }
  return sum;
}

core::Result<uint64_t> ParseOctal(std::string_view field, std::string_view what) {
  size_t i = 0;
  while (i < field.size() && (field[i] == ' ' || field[i] == '\0')) ++i;
  uint64_t value = 0;
  size_t digits = 0;
  for (; i < field.size() && field[i] != '\0' && field[i] != ' '; ++i, ++digits) {
    char c = field[i];
    if (c < '0' || c > '7' || digits >= 21) {
      return core::Error(ErrorCode::kInvalidArgument,
                         "tar header field " + std::string(what) + " is not an octal number");
    }
    value = (value << 3) | static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::string CString(std::string_view field) {
  size_t n = field.find('\0');
  return std::string(field.substr(0, n == std::string_view::npos ? field.size() : n));
}

}  // namespace

core::Status TarWriter::AddFile(std::string_view path, std::string_view content, uint32_t mode) {
  CPA_RETURN_IF_ERROR(ValidatePath(path));
  return AddEntry(path, '0', content, mode);
}

core::Status TarWriter::AddDirectory(std::string_view path, uint32_t mode) {
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  CPA_RETURN_IF_ERROR(ValidatePath(path));
  return AddEntry(std::string(path) + "/", '5', {}, mode);
}

core::Status TarWriter::AddEntry(std::string_view path, char type, std::string_view content,
                                 uint32_t mode) {
  std::string_view name = path, prefix;
  if (path.size() > kNameLen) {
    // Split at the first '/' that leaves a name of at most 100 bytes; a directory's trailing '/'
    // stays in the name.
    size_t split = std::string_view::npos;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      if (path[i] == '/' && path.size() - i - 1 <= kNameLen) {
        split = i;
        break;
      }
    }
    if (split == std::string_view::npos || split > kPrefixLen) {
      return BadPath(path,
                     "is too long for a ustar header (at most 155 + 100 bytes, split at '/')");
    }
    prefix = path.substr(0, split);
    name = path.substr(split + 1);
  }
  if (mode > 07777) return BadPath(path, "has a mode beyond 07777");

  std::array<char, kBlock> h{};
  std::memcpy(&h[kName], name.data(), name.size());
  bool fits = PutOctal(&h[kMode], 8, mode) && PutOctal(&h[kUid], 8, 0) &&
              PutOctal(&h[kGid], 8, 0) && PutOctal(&h[kSize], 12, content.size()) &&
              PutOctal(&h[kMtime], 12, static_cast<uint64_t>(kFixedMtime));
  if (!fits) return BadPath(path, "has content larger than a ustar header can describe");
  h[kTypeflag] = type;
  std::memcpy(&h[kMagic], "ustar", 6);  // with its NUL
  std::memcpy(&h[kVersion], "00", 2);
  PutOctal(&h[kDevMajor], 8, 0);
  PutOctal(&h[kDevMinor], 8, 0);
  if (!prefix.empty()) std::memcpy(&h[kPrefix], prefix.data(), prefix.size());
  // Checksum: six octal digits, NUL, space (the historical layout every reader accepts).
  PutOctal(&h[kChksum], 7, HeaderSum(h.data()));
  h[kChksum + 7] = ' ';

  data_.append(h.data(), h.size());
  data_.append(content);
  data_.append((kBlock - content.size() % kBlock) % kBlock, '\0');
  return core::Status::Ok();
}

std::string TarWriter::Finish() const {
  std::string out = data_;
  out.append(2 * kBlock, '\0');
  return out;
}

core::Result<std::vector<TarEntry>> ReadTar(std::string_view archive) {
  std::vector<TarEntry> entries;
  size_t pos = 0;
  while (pos + kBlock <= archive.size()) {
    std::string_view h = archive.substr(pos, kBlock);
    if (std::all_of(h.begin(), h.end(), [](char c) { return c == '\0'; })) return entries;
    pos += kBlock;

    CPA_ASSIGN_OR_RETURN(uint64_t stored_sum, ParseOctal(h.substr(kChksum, 8), "chksum"));
    if (stored_sum != HeaderSum(h.data())) {
      return core::Error(ErrorCode::kInvalidArgument,
                         "tar header checksum mismatch at offset " + std::to_string(pos - kBlock));
    }
    TarEntry e;
    CPA_ASSIGN_OR_RETURN(uint64_t mode, ParseOctal(h.substr(kMode, 8), "mode"));
    CPA_ASSIGN_OR_RETURN(uint64_t uid, ParseOctal(h.substr(kUid, 8), "uid"));
    CPA_ASSIGN_OR_RETURN(uint64_t gid, ParseOctal(h.substr(kGid, 8), "gid"));
    CPA_ASSIGN_OR_RETURN(uint64_t size, ParseOctal(h.substr(kSize, 12), "size"));
    CPA_ASSIGN_OR_RETURN(uint64_t mtime, ParseOctal(h.substr(kMtime, 12), "mtime"));
    e.mode = static_cast<uint32_t>(mode & 07777);
    e.uid = static_cast<uint32_t>(uid);
    e.gid = static_cast<uint32_t>(gid);
    e.mtime = static_cast<int64_t>(mtime);
    e.type_flag = h[kTypeflag];

    std::string name = CString(h.substr(kName, kNameLen));
    bool posix_ustar = h.substr(kMagic, 6) == std::string_view("ustar\0", 6);
    std::string prefix = posix_ustar ? CString(h.substr(kPrefix, kPrefixLen)) : std::string();
    e.path = prefix.empty() ? name : prefix + "/" + name;

    if (e.type_flag == '5' ||
        ((e.type_flag == '0' || e.type_flag == '\0') && !e.path.empty() && e.path.back() == '/')) {
      e.type = TarEntry::Type::kDirectory;
    } else if (e.type_flag == '0' || e.type_flag == '\0') {
      e.type = TarEntry::Type::kFile;
    } else {
      e.type = TarEntry::Type::kOther;
    }

    uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
    if (size > archive.size() || padded > archive.size() - pos) {
      return core::Error(
          ErrorCode::kInvalidArgument,
          "tar entry '" + e.path + "' is truncated (" + std::to_string(size) + " bytes declared)");
    }
    if (e.type == TarEntry::Type::kFile) e.content = std::string(archive.substr(pos, size));
    pos += padded;
    entries.push_back(std::move(e));
  }
  if (pos != archive.size()) {
    return core::Error(ErrorCode::kInvalidArgument, "tar archive ends inside a header block");
  }
  // No end-of-archive marker; accept, as GNU tar does (with a warning there).
  return entries;
}

}  // namespace cpa::server::registry::artifacts
