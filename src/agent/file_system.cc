#include "agent/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/crypto.h"
#include "core/encoding.h"

namespace cpa::agent {
namespace {

using core::ErrorCode;
using core::Status;

std::string Errno(int err) { return std::strerror(err); }

Status Fail(std::string_view what, const std::string& path, int err) {
  return Status(ErrorCode::kInternal, std::string(what) + " " + path + ": " + Errno(err));
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Closes `fd` on scope exit unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

core::Result<std::string> LocalFileSystem::ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status(ErrorCode::kNotFound, path + " does not exist");
    return Fail("cannot open", path, err);
  }
  FdGuard guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status(ErrorCode::kInternal, "cannot read " + path + ": it is a directory");
  }
  std::string out;
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail("cannot read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status LocalFileSystem::WriteFileAtomically(const std::string& path, std::string_view data,
                                            mode_t mode) {
  const std::string dir = DirectoryOf(path);
  uint8_t nonce[6];
  core::DefaultRandom().Fill(nonce, sizeof(nonce));
  const std::string temp =
      dir + "/." + BaseName(path) + ".tmp-" + core::HexEncode(core::Bytes(nonce, sizeof(nonce)));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Fail("cannot create a temporary file in", dir, errno);
  FdGuard guard(fd);
  auto abandon = [&](Status s) {
    ::close(guard.release());
    ::unlink(temp.c_str());
    return s;
  };
  // The umask may have narrowed `mode`; the result must be exactly `mode`.
  if (::fchmod(fd, mode) != 0) return abandon(Fail("cannot set the mode of", temp, errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return abandon(Fail("cannot write", temp, errno));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return abandon(Fail("cannot flush", temp, errno));
  if (::close(guard.release()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Fail("cannot close", temp, err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Fail("cannot replace", path, err);
  }
  // The rename is durable once the directory is; some filesystems refuse fsync on directories.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace cpa::agent
