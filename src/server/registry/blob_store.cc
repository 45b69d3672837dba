#include "server/registry/blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "core/crypto.h"
#include "core/encoding.h"
#include "server/registry/manifest.h"

namespace cpa::server::registry {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

constexpr size_t kChunk = 1 << 20;

Status Errno(const std::string& what, const std::string& path) {
  return Status(ErrorCode::kInternal,
                "registry: " + what + " " + path + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::Ok();
    return Status(ErrorCode::kInternal, "registry: " + path + " is not a directory");
  }
  return Errno("cannot create directory", path);
}

Status SyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) return Errno("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return Errno("cannot fsync directory", dir);
  return Status::Ok();
}

Status PwriteAll(int fd, const char* p, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return Status::Ok();
}

std::string DirOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Removes every entry of `dir` (files only; the registry creates no subdirectories there).
void EmptyDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  for (const std::string& n : names) ::unlink((dir + "/" + n).c_str());
}

}  // namespace

Result<std::unique_ptr<BlobStore>> BlobStore::Open(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  CPA_RETURN_IF_ERROR(MakeDir(root));
  CPA_RETURN_IF_ERROR(MakeDir(root + "/blobs"));
  CPA_RETURN_IF_ERROR(MakeDir(root + "/blobs/sha256"));
  CPA_RETURN_IF_ERROR(MakeDir(root + "/uploads"));
  CPA_RETURN_IF_ERROR(MakeDir(root + "/tmp"));
  EmptyDir(root + "/tmp");
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(root)));
}

std::string BlobStore::BlobPath(std::string_view digest) const {
  std::string_view hex = digest.substr(7);
  std::string path = root_ + "/blobs/sha256/";
  path += hex.substr(0, 2);
  path += '/';
  path += hex;
  return path;
}

std::string BlobStore::UploadPath(std::string_view upload_id) const {
  return root_ + "/uploads/" + std::string(upload_id);
}

std::string BlobStore::TempPath() {
  static std::atomic<uint64_t> counter{0};
  uint8_t nonce[8];
  core::DefaultRandom().Fill(nonce, sizeof nonce);
  return root_ + "/tmp/" + std::to_string(counter.fetch_add(1)) + "-" +
         core::HexEncode(std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce));
}

bool BlobStore::IsUploadId(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Result<uint64_t> BlobStore::BlobSize(std::string_view digest) const {
  if (!IsSha256Digest(digest)) {
    return Status(ErrorCode::kInvalidArgument, "invalid digest '" + std::string(digest) + "'");
  }
  struct stat st {};
  std::string path = BlobPath(digest);
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status(ErrorCode::kNotFound, "no blob " + std::string(digest));
    return Errno("cannot stat", path);
  }
  return static_cast<uint64_t>(st.st_size);
}

Status BlobStore::Install(const std::string& tmp, std::string_view digest) {
  std::string path = BlobPath(digest);
  std::string dir = DirOf(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    ::unlink(tmp.c_str());  // same content already in place
    return Status::Ok();
  }
  if (::stat(dir.c_str(), &st) != 0) {
    CPA_RETURN_IF_ERROR(MakeDir(dir));
    CPA_RETURN_IF_ERROR(SyncDir(DirOf(dir)));
  }
  {
    Fd fd(::open(tmp.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.ok()) return Errno("cannot open", tmp);
    if (::fsync(fd.get()) != 0) return Errno("cannot fsync", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("cannot rename to", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return SyncDir(dir);
}

Result<std::string> BlobStore::PutBytes(std::string_view bytes) {
  std::string digest = Sha256DigestOf(bytes);
  struct stat st {};
  if (::stat(BlobPath(digest).c_str(), &st) == 0) return digest;
  std::string tmp = TempPath();
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.ok()) return Errno("cannot create", tmp);
    Status s = PwriteAll(fd.get(), bytes.data(), bytes.size(), 0, tmp);
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
  }
  CPA_RETURN_IF_ERROR(Install(tmp, digest));
  return digest;
}

Result<std::vector<std::string>> BlobStore::PutBatch(const std::vector<std::string_view>& blobs) {
  std::vector<std::string> digests;
  digests.reserve(blobs.size());
  if (blobs.empty()) return digests;
  // Opened before anything is written, so that syncfs(2) on it reports any writeback error the
  // file system had meanwhile.
  Fd fs(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fs.ok()) return Errno("cannot open directory", root_);
  auto sync = [&]() -> Status {
    if (::syncfs(fs.get()) != 0) return Errno("cannot sync the file system of", root_);
    return Status::Ok();
  };

  struct Pending {
    std::string tmp;
    std::string path;
  };
  std::vector<Pending> pending;
  size_t installed = 0;  // pending[0, installed) are in place
  // Temporary files that did not make it into place are removed on every error path.
  struct Cleanup {
    std::vector<Pending>& pending;
    size_t& installed;
    ~Cleanup() {
      for (size_t i = installed; i < pending.size(); ++i) ::unlink(pending[i].tmp.c_str());
    }
  } cleanup{pending, installed};

  // 1. Every new blob into its temporary file.
  std::set<std::string> seen;
  for (std::string_view bytes : blobs) {
    std::string digest = Sha256DigestOf(bytes);
    digests.push_back(digest);
    if (!seen.insert(digest).second) continue;
    std::string path = BlobPath(digest);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) continue;
    pending.push_back({TempPath(), std::move(path)});
    const std::string& tmp = pending.back().tmp;
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.ok()) {
      Status s = Errno("cannot create", tmp);
      pending.pop_back();
      return s;
    }
    CPA_RETURN_IF_ERROR(PwriteAll(fd.get(), bytes.data(), bytes.size(), 0, tmp));
  }

  // 2. Their bytes durable, all at once: one sync of the file system costs about what one fsync
  // does, where an fsync per file (and per directory) costs one journal commit each.
  if (!pending.empty()) CPA_RETURN_IF_ERROR(sync());

  // 3. Into place.
  std::set<std::string> dirs;
  for (; installed < pending.size(); ++installed) {
    const Pending& p = pending[installed];
    std::string dir = DirOf(p.path);
    if (dirs.insert(dir).second) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0) CPA_RETURN_IF_ERROR(MakeDir(dir));
    }
    if (::rename(p.tmp.c_str(), p.path.c_str()) != 0) return Errno("cannot rename to", p.path);
  }

  // 4. The names durable, including those of files found in place (a crash may have come
  // between another writer's rename and its directory sync).
  CPA_RETURN_IF_ERROR(sync());
  return digests;
}

Status BlobStore::CreateUpload(std::string_view upload_id) {
  if (!IsUploadId(upload_id)) return Status(ErrorCode::kUploadNotFound, "invalid upload id");
  std::string path = UploadPath(upload_id);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.ok()) return Errno("cannot create", path);
  return Status::Ok();
}

Status BlobStore::WriteUpload(std::string_view upload_id, uint64_t offset, std::string_view bytes) {
  if (!IsUploadId(upload_id)) return Status(ErrorCode::kUploadNotFound, "invalid upload id");
  std::string path = UploadPath(upload_id);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.ok()) return Errno("cannot open", path);
  CPA_RETURN_IF_ERROR(PwriteAll(fd.get(), bytes.data(), bytes.size(), offset, path));
  if (::ftruncate(fd.get(), static_cast<off_t>(offset + bytes.size())) != 0) {
    return Errno("cannot truncate", path);
  }
  if (::fdatasync(fd.get()) != 0) return Errno("cannot fsync", path);
  return Status::Ok();
}

Result<uint64_t> BlobStore::AppendUploadFile(std::string_view upload_id, uint64_t offset,
                                             const std::string& spooled) {
  if (!IsUploadId(upload_id)) return Status(ErrorCode::kUploadNotFound, "invalid upload id");
  std::string path = UploadPath(upload_id);
  struct stat st {};
  if (::stat(spooled.c_str(), &st) != 0) return Errno("cannot stat", spooled);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (offset == 0 && ::rename(spooled.c_str(), path.c_str()) == 0) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.ok()) return Errno("cannot open", path);
    if (::fsync(fd.get()) != 0) return Errno("cannot fsync", path);
    return size;
  }
  // Another file system, or bytes already there: copy.
  Fd in(::open(spooled.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.ok()) return Errno("cannot open", spooled);
  Fd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!out.ok()) return Errno("cannot open", path);
  std::vector<char> buf(kChunk);
  uint64_t at = offset;
  for (;;) {
    ssize_t r = ::read(in.get(), buf.data(), buf.size());
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", spooled);
    }
    if (r == 0) break;
    CPA_RETURN_IF_ERROR(PwriteAll(out.get(), buf.data(), static_cast<size_t>(r), at, path));
    at += static_cast<uint64_t>(r);
  }
  if (::ftruncate(out.get(), static_cast<off_t>(at)) != 0) return Errno("cannot truncate", path);
  if (::fdatasync(out.get()) != 0) return Errno("cannot fsync", path);
  ::unlink(spooled.c_str());
  return at - offset;
}

Result<std::string> BlobStore::HashFile(const std::string& path, uint64_t size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return Errno("cannot open", path);
  core::Sha256Hasher hasher;
  std::vector<char> buf(kChunk);
  uint64_t left = size;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    ssize_t r = ::read(fd.get(), buf.data(), want);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", path);
    }
    if (r == 0) break;
    hasher.Update(std::string_view(buf.data(), static_cast<size_t>(r)));
    left -= static_cast<uint64_t>(r);
  }
  if (size != UINT64_MAX && left != 0) {
    return Status(ErrorCode::kInternal, "registry: " + path + " is shorter than recorded");
  }
  core::Sha256Digest d = hasher.Finish();
  return "sha256:" + core::HexEncode(core::DigestView(d));
}

Status BlobStore::CommitUpload(std::string_view upload_id, uint64_t size, std::string_view digest) {
  if (!IsUploadId(upload_id)) return Status(ErrorCode::kUploadNotFound, "invalid upload id");
  std::string path = UploadPath(upload_id);
  CPA_ASSIGN_OR_RETURN(std::string actual, HashFile(path, size));
  if (actual != digest) {
    return Status(ErrorCode::kDigestMismatch, "the uploaded content has digest " + actual +
                                                  ", not the " + std::string(digest) + " given");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) != size) {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return Errno("cannot truncate", path);
    }
  }
  return Install(path, digest);
}

Status BlobStore::RemoveUpload(std::string_view upload_id) {
  if (!IsUploadId(upload_id)) return Status::Ok();
  std::string path = UploadPath(upload_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", path);
  return Status::Ok();
}

}  // namespace cpa::server::registry
