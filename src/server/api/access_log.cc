#include "server/api/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace cpa::server::api {

std::string AccessLogLine(const http::AccessLogEntry& e, core::TimePoint time) {
  // Invalid UTF-8 in a path is replaced rather than thrown on.
  nlohmann::json j = {
      {"time", core::FormatIso8601(time)}, {"method", std::string(e.method)},
      {"path", std::string(e.path)},       {"status", e.status},
      {"latency_us", e.latency.count()},   {"bytes_in", e.bytes_in},
      {"bytes_out", e.bytes_out},          {"remote", std::string(e.remote_address)},
      {"service", std::string(e.service)}, {"operation", std::string(e.operation)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path,
                                                         const core::Clock& clock) {
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(stderr, false, clock));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::Status(core::ErrorCode::kInternal,
                        "cannot open access log " + path + ": " + std::strerror(errno));
  }
  std::FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    ::close(fd);
    return core::Status(core::ErrorCode::kInternal, "cannot open access log " + path);
  }
  return std::unique_ptr<AccessLog>(new AccessLog(f, true, clock));
}

AccessLog::~AccessLog() {
  if (owned_ && file_ != nullptr) std::fclose(file_);
}

void AccessLog::Write(const http::AccessLogEntry& entry) {
  std::string line = AccessLogLine(entry, clock_.Now());
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace cpa::server::api
