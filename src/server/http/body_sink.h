#pragma once
// Where a request body goes while it arrives: memory, or — on spool routes, once it is larger
// than the route's threshold — a new file in the spool directory, so that multi-GiB registry
// uploads never sit in memory. Optionally hashes the body (SHA-256) as it arrives, so that a
// registry learns a blob's digest without reading the file again.
//
//   BodySink sink({.spool_dir = dir, .spool_threshold = 64 << 10, .sha256 = true});
//   CPA_RETURN_IF_ERROR(sink.Begin(content_length));   // nullopt: chunked, size unknown
//   CPA_RETURN_IF_ERROR(sink.Append(bytes));             // as often as bytes arrive
//   CPA_RETURN_IF_ERROR(sink.Finish());                  // closes the file, computes the digest
//   sink.spooled() ? sink.path() : sink.memory();
//
// Spool files are created with O_EXCL and mode 0600 under an unguessable name
// ("upload-<32 hex>.part"). The sink owns its file: the destructor unlinks it (whatever is still
// at the path; a consumer that renamed it away keeps it).
//
// Errors: kInternal naming the directory and the OS error (no space, no directory, ...).
// Thread safety: none; one sink per request.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/status.h"

namespace cpa::server::http {

struct BodySinkOptions {
  std::string spool_dir = {};            // empty: always in memory
  uint64_t spool_threshold = 64 * 1024;  // bodies larger than this go to a file
  bool sha256 = false;                   // compute sha256_hex()
};

class BodySink {
 public:
  BodySink() = default;  // memory only, no digest
  explicit BodySink(BodySinkOptions options);
  ~BodySink();
  BodySink(BodySink&& other) noexcept;
  BodySink& operator=(BodySink&& other) noexcept;
  BodySink(const BodySink&) = delete;
  BodySink& operator=(const BodySink&) = delete;

  // The body starts. A declared `length` over the threshold opens the spool file at once; an
  // unknown length (chunked) starts in memory and moves to a file when it passes the threshold.
  core::Status Begin(std::optional<uint64_t> length);
  core::Status Append(std::string_view data);
  // The body is complete: closes the file and computes the digest. Idempotent.
  core::Status Finish();

  bool spooled() const { return !path_.empty(); }
  const std::string& path() const { return path_; }  // "" when in memory
  std::string& memory() { return memory_; }          // the body when not spooled
  uint64_t size() const { return size_; }
  const std::string& sha256_hex() const { return sha256_hex_; }  // after Finish, if enabled
  bool failed() const { return failed_; }  // an I/O error happened (the body is lost)

 private:
  core::Status OpenFile();
  core::Status WriteFile(std::string_view data);
  core::Status Fail(std::string message, int err);
  void Release();

  BodySinkOptions options_;
  std::string memory_;
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::unique_ptr<core::Sha256Hasher> hasher_;
  std::string sha256_hex_;
  bool failed_ = false;
  bool finished_ = false;
};

}  // namespace cpa::server::http
