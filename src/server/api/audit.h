#pragma once
// The audit log (`cpa serve --audit FILE`): one JSON object per line for every authorization
// decision: time, request id, principal, account, action, resource, decision and the deciding
// statement. Never secrets, tokens or signatures.
//
// Thread safety: Write may be called from many threads (lines never interleave).
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace cpa::server::api {

struct AuditRecord {
  core::TimePoint time{};
  std::string request_id;
  std::string principal;  // caller ARN
  std::string account;    // caller account
  std::string source_ip;
  std::string action;
  std::string resource;
  std::string decision;   // "allowed", "explicitDeny", "implicitDeny"
  std::string statement;  // "<policy>/<statement>" that decided, or empty
};

std::string AuditLine(const AuditRecord& record);  // JSON, no newline

class AuditLog {
 public:
  // Appends to `path` (created 0600 if missing).
  static core::Result<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  void Write(const AuditRecord& record);

 private:
  explicit AuditLog(std::FILE* f) : file_(f) {}
  std::mutex mu_;
  std::FILE* file_;
};

}  // namespace cpa::server::api
