#include "server/api/audit.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace cpa::server::api {

std::string AuditLine(const AuditRecord& r) {
  nlohmann::json j = {{"time", core::FormatIso8601(r.time)},
                      {"requestId", r.request_id},
                      {"principal", r.principal},
                      {"account", r.account},
                      {"sourceIp", r.source_ip},
                      {"action", r.action},
                      {"resource", r.resource},
                      {"decision", r.decision},
                      {"statement", r.statement}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::Status(core::ErrorCode::kInternal,
                        "cannot open audit log " + path + ": " + std::strerror(errno));
  }
  std::FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    ::close(fd);
    return core::Status(core::ErrorCode::kInternal, "cannot open audit log " + path);
  }
  return std::unique_ptr<AuditLog>(new AuditLog(f));
}

AuditLog::~AuditLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void AuditLog::Write(const AuditRecord& record) {
  std::string line = AuditLine(record);
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace cpa::server::api
