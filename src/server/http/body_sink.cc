#include "server/http/body_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/encoding.h"

namespace cpa::server::http {

namespace {

constexpr int kCreateAttempts = 4;

}  // namespace

BodySink::BodySink(BodySinkOptions options) : options_(std::move(options)) {
  if (options_.sha256) hasher_ = std::make_unique<core::Sha256Hasher>();
}

BodySink::~BodySink() { Release(); }

BodySink::BodySink(BodySink&& other) noexcept
    : options_(std::move(other.options_)),
      memory_(std::move(other.memory_)),
      path_(std::exchange(other.path_, {})),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      hasher_(std::move(other.hasher_)),
      sha256_hex_(std::move(other.sha256_hex_)),
      failed_(other.failed_),
      finished_(other.finished_) {}

BodySink& BodySink::operator=(BodySink&& other) noexcept {
  if (this != &other) {
    Release();
    options_ = std::move(other.options_);
    memory_ = std::move(other.memory_);
    path_ = std::exchange(other.path_, {});
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    hasher_ = std::move(other.hasher_);
    sha256_hex_ = std::move(other.sha256_hex_);
    failed_ = other.failed_;
    finished_ = other.finished_;
  }
  return *this;
}

void BodySink::Release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  // Whatever is still here is ours: a consumer that kept the file renamed it away.
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

core::Status BodySink::Fail(std::string message, int err) {
  failed_ = true;
  return core::Error(core::ErrorCode::kInternal, message + ": " + std::strerror(err));
}

core::Status BodySink::Begin(std::optional<uint64_t> length) {
  if (length && *length > options_.spool_threshold && !options_.spool_dir.empty()) {
    return OpenFile();
  }
  if (length) memory_.reserve(static_cast<size_t>(*length));
  return core::Status::Ok();
}

core::Status BodySink::Append(std::string_view data) {
  if (failed_ || finished_) {
    return core::Error(core::ErrorCode::kInternal, "request body sink is closed");
  }
  if (hasher_) hasher_->Update(data);
  size_ += data.size();
  if (fd_ < 0 && !options_.spool_dir.empty() && size_ > options_.spool_threshold) {
    // A body of unknown length outgrew memory: what is held so far goes first.
    CPA_RETURN_IF_ERROR(OpenFile());
    std::string held = std::exchange(memory_, {});
    CPA_RETURN_IF_ERROR(WriteFile(held));
  }
  if (fd_ >= 0) return WriteFile(data);
  memory_.append(data);
  return core::Status::Ok();
}

core::Status BodySink::Finish() {
  if (failed_) return core::Error(core::ErrorCode::kInternal, "request body sink failed");
  if (finished_) return core::Status::Ok();
  finished_ = true;
  if (fd_ >= 0) {
    int fd = std::exchange(fd_, -1);
    // close() reports delayed write errors on some filesystems (NFS); a lost body must not pass.
    if (::close(fd) != 0) return Fail("cannot close spool file in " + options_.spool_dir, errno);
  }
  if (hasher_) {
    core::Sha256Digest digest = hasher_->Finish();
    sha256_hex_ = core::HexEncode(core::DigestView(digest));
  }
  return core::Status::Ok();
}

core::Status BodySink::OpenFile() {
  std::string dir = options_.spool_dir;
  if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  int err = 0;
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    uint8_t random[16];
    core::DefaultRandom().Fill(random, sizeof(random));
    std::string path = dir + "/upload-" +
                       core::HexEncode(std::string_view(reinterpret_cast<char*>(random), 16)) +
                       ".part";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      fd_ = fd;
      path_ = std::move(path);
      return core::Status::Ok();
    }
    err = errno;
    if (err != EEXIST && err != EINTR) break;
  }
  return Fail("cannot create spool file in " + options_.spool_dir, err);
}

core::Status BodySink::WriteFile(std::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Fail("cannot write spool file in " + options_.spool_dir, errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return core::Status::Ok();
}

}  // namespace cpa::server::http
