#include "server/api/request_context.h"

namespace cpa::server::api {

RequestContext::RequestContext(const Caller& caller, const QueryParams& params,
                               std::string request_id, std::string region, std::string source_ip,
                               core::TimePoint now, Authorizer& authorizer, AuditLog* audit,
                               http::ServerMetrics* metrics)
    : caller_(caller),
      params_(params),
      request_id_(std::move(request_id)),
      region_(std::move(region)),
      source_ip_(std::move(source_ip)),
      now_(now),
      authorizer_(authorizer),
      audit_(audit),
      metrics_(metrics) {}

core::Status RequestContext::Authorize(std::string_view action, std::string_view resource,
                                       const policy::CompiledPolicy* resource_policy,
                                       const policy::ContextKeys* extra) {
  policy::ContextKeys keys;
  if (extra != nullptr) keys = *extra;
  keys.Set("aws:SourceIp", source_ip_);
  keys.Set("aws:CurrentTime", core::FormatIso8601(now_));
  keys.Set("aws:EpochTime", std::to_string(now_.time_since_epoch().count()));
  keys.Set("aws:SecureTransport", "false");
  if (!region_.empty()) keys.Set("aws:RequestedRegion", region_);
  AuthzRequest r;
  r.action = action;
  r.resource = resource;
  r.resource_policy = resource_policy;
  r.context = &keys;
  auto decision = authorizer_.Evaluate(caller_, r);
  if (!decision.ok()) return decision.status();
  std::string_view kind = policy::DecisionKindName(decision->kind);
  if (metrics_ != nullptr) {
    std::string label = decision->allowed()                                     ? "allow"
                        : decision->kind == policy::DecisionKind::kExplicitDeny ? "explicit_deny"
                                                                                : "implicit_deny";
    metrics_->decisions.WithLabels({label}).Inc();
  }
  if (audit_ != nullptr) {
    AuditRecord a;
    a.time = now_;
    a.request_id = request_id_;
    a.principal = caller_.arn;
    a.account = caller_.account_id;
    a.source_ip = source_ip_;
    a.action = std::string(action);
    a.resource = std::string(resource);
    a.decision = std::string(kind);
    a.statement = DecidingStatement(*decision);
    audit_->Write(a);
  }
  if (decision->allowed()) return core::Status::Ok();
  return core::Status(core::ErrorCode::kAccessDenied,
                      AccessDeniedMessage(caller_.arn, action, resource, *decision));
}

core::Status RequestContext::Fail(std::string code, int http_status, std::string message) {
  wire_error_ = WireError{std::move(code), http_status, message};
  return core::Status(core::ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace cpa::server::api
