#include "share/local_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Status;

Status Errno(std::string_view what, const std::string& path, int err) {
  return Status(ErrorCode::kInternal, std::string(what) + " " + path + ": " + std::strerror(err));
}

std::string DirectoryOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

core::Result<std::optional<FileContent>> LocalFiles::Read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<FileContent>();
    return Errno("cannot open", path, errno);
  }
  FileContent out;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Errno("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status(ErrorCode::kInvalidArgument, path + " is not a regular file");
  }
  out.mode = st.st_mode & 07777;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Errno("cannot read", path, err);
    }
    if (n == 0) break;
    out.data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<FileContent>(std::move(out));
}

Status LocalFiles::WriteAtomic(const std::string& path, std::string_view data, uint32_t mode) {
  static std::atomic<int> counter{0};
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
  if (fd < 0) return Errno("cannot create", tmp, errno);
  Status status = WriteAll(fd, data, tmp);
  // The umask may have narrowed the mode; the file's mode is part of what is written.
  if (status.ok() && ::fchmod(fd, mode & 07777) != 0) status = Errno("cannot chmod", tmp, errno);
  if (status.ok() && ::fsync(fd) != 0) status = Errno("cannot sync", tmp, errno);
  if (::close(fd) != 0 && status.ok()) status = Errno("cannot close", tmp, errno);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = Errno("cannot rename into", path, errno);
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  int dir = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // best effort: the rename is done either way
    ::close(dir);
  }
  return Status::Ok();
}

Status LocalFiles::SetMode(const std::string& path, uint32_t mode) {
  if (::chmod(path.c_str(), mode & 07777) != 0) return Errno("cannot chmod", path, errno);
  return Status::Ok();
}

Status LocalFiles::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", path, errno);
  return Status::Ok();
}

Status LocalFiles::EnsureDirectory(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::Ok();
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return Status(ErrorCode::kInternal, "cannot create directory " + path + ": " + ec.message());
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return Status::Ok();
}

}  // namespace cpa::share
