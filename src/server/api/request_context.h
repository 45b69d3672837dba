#pragma once
// What an API operation sees of its request: the caller, the decoded parameters, the request id
// and region, and Authorize(), which evaluates one action on one resource with the policy engine,
// records the decision (audit log, metrics) and turns a denial into AWS's AccessDenied.
//
// Thread safety: one RequestContext per request, used by one thread.
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "policy/compiled.h"
#include "policy/context.h"
#include "server/api/audit.h"
#include "server/api/authorizer.h"
#include "server/api/caller.h"
#include "server/api/query.h"
#include "server/http/server.h"

namespace cpa::server::api {

// An AWS error whose code has no core::ErrorCode (InvalidAction, PackedPolicyTooLarge, ...).
struct WireError {
  std::string code;
  int http_status = 400;
  std::string message;
};

class RequestContext {
 public:
  RequestContext(const Caller& caller, const QueryParams& params, std::string request_id,
                 std::string region, std::string source_ip, core::TimePoint now,
                 Authorizer& authorizer, AuditLog* audit, http::ServerMetrics* metrics);

  const Caller& caller() const { return caller_; }
  const QueryParams& params() const { return params_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& region() const { return region_; }
  core::TimePoint now() const { return now_; }

  // Ok when allowed; AccessDenied with AWS's message otherwise. `extra` adds context keys
  // (sts:ExternalId, ...) to the request's global ones (aws:SourceIp, aws:CurrentTime, ...).
  core::Status Authorize(std::string_view action, std::string_view resource,
                         const policy::CompiledPolicy* resource_policy = nullptr,
                         const policy::ContextKeys* extra = nullptr);

  // Returns an error Status that the pipeline answers with `code` instead of the Status' own.
  core::Status Fail(std::string code, int http_status, std::string message);
  const std::optional<WireError>& wire_error() const { return wire_error_; }

 private:
  const Caller& caller_;
  const QueryParams& params_;
  std::string request_id_, region_, source_ip_;
  core::TimePoint now_;
  Authorizer& authorizer_;
  AuditLog* audit_;
  http::ServerMetrics* metrics_;
  std::optional<WireError> wire_error_;
};

}  // namespace cpa::server::api
