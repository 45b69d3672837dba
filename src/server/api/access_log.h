#pragma once
// The HTTP access log (`cpa serve --access-log FILE`, "-" for stderr): one JSON object per answered
// request with time, method, path (never the query: presigned URLs carry credentials there),
// status, latency_us, bytes_in, bytes_out, remote, service and operation. Never header values or
// bodies.
//
// Thread safety: Write may be called from many threads (lines never interleave).
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "server/http/server.h"

namespace cpa::server::api {

// The JSON line (no newline) for `entry`, answered at `time`.
std::string AccessLogLine(const http::AccessLogEntry& entry, core::TimePoint time);

class AccessLog {
 public:
  // Appends to `path` (created 0600 if missing), or writes to stderr for "-". `clock` stamps the
  // lines (the server's clock, as the audit log uses) and must outlive the log.
  static core::Result<std::unique_ptr<AccessLog>> Open(const std::string& path,
                                                       const core::Clock& clock);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void Write(const http::AccessLogEntry& entry);

 private:
  AccessLog(std::FILE* f, bool owned, const core::Clock& clock)
      : file_(f), owned_(owned), clock_(clock) {}
  std::mutex mu_;
  std::FILE* file_;
  bool owned_;
  const core::Clock& clock_;
};

}  // namespace cpa::server::api
