#include "server/api/api_handler.h"

#include "core/aws_error.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "server/api/caller.h"
#include "server/api/iam_service.h"
#include "server/api/query.h"
#include "server/api/request_context.h"
#include "server/api/sts_service.h"
#include "server/api/xml.h"

namespace cpa::server::api {

namespace {

// The service named by the credential scope (`Credential=AKID/date/region/SERVICE/aws4_request`
// in the Authorization header or X-Amz-Credential in the query), before verification: it selects
// the error namespace of an authentication failure.
std::string ScopeServiceHint(const http::Request& request, const QueryParams& params) {
  std::string credential;
  if (auto auth = request.Header("Authorization")) {
    size_t p = auth->find("Credential=");
    if (p != std::string_view::npos) {
      std::string_view rest = auth->substr(p + 11);
      credential = std::string(rest.substr(0, rest.find_first_of(", ")));
    }
  } else if (const std::string* c = params.Find("X-Amz-Credential")) {
    credential = *c;
  }
  std::string_view c = credential;
  for (int i = 0; i < 3; ++i) {
    size_t slash = c.find('/');
    if (slash == std::string_view::npos) return "";
    c.remove_prefix(slash + 1);
  }
  return std::string(c.substr(0, c.find('/')));
}

bool IsFormContentType(std::string_view ct) {
  return core::AsciiLower(ct).find("application/x-www-form-urlencoded") != std::string::npos;
}

}  // namespace

ApiHandler::ApiHandler(store::Store& store, const core::Clock& clock, ApiOptions options)
    : store_(store), clock_(clock), options_(options), authorizer_(store) {
  sigv4::SecretLookup lookup =
      [this](std::string_view id) -> std::shared_ptr<const sigv4::SecretInfo> {
    auto cred = store_.LookupCredential(id);
    if (!cred.ok()) return nullptr;
    auto info = std::make_shared<sigv4::SecretInfo>();
    info->secret_access_key = (*cred)->secret_access_key;
    info->active = (*cred)->active;
    info->expiration = (*cred)->expiration;
    info->session_token_sha256 = (*cred)->session_token_sha256;
    return info;
  };
  sigv4::VerifierOptions vo;
  vo.max_skew = std::chrono::minutes(15);
  verifier_ = std::make_unique<sigv4::Verifier>(clock_, std::move(lookup), vo);
  AddQueryService(std::make_unique<IamService>(store_, authorizer_));
  AddQueryService(std::make_unique<StsService>(store_));
}

ApiHandler::~ApiHandler() = default;

void ApiHandler::AddQueryService(std::unique_ptr<QueryService> service) {
  std::string name(service->signing_name());
  query_services_[name] = std::move(service);
}

void ApiHandler::AddSignedService(std::unique_ptr<SignedService> service) {
  std::string name(service->signing_name());
  signed_services_[name] = std::move(service);
}

http::Response ApiHandler::Error(const QueryService* service, std::string_view operation,
                                 const std::string& request_id, std::string_view code, int status,
                                 std::string_view message) {
  std::string_view ns = service != nullptr ? service->xml_namespace() : kIamNamespace;
  http::Response r(
      status, "text/xml",
      QueryErrorXml(ns, status >= 500 ? "Receiver" : "Sender", code, message, request_id));
  r.SetHeader("x-amzn-RequestId", request_id);
  r.service = service != nullptr ? std::string(service->signing_name()) : "other";
  // Labels come from fixed sets: an operation the service does not know is "other".
  r.operation =
      service != nullptr && service->HasOperation(operation) ? std::string(operation) : "other";
  r.outcome = std::string(code);
  return r;
}

http::Response ApiHandler::Handle(http::Request&& request) {
  core::IdGenerator ids(core::DefaultRandom());
  const std::string request_id = ids.Uuid();

  // 1. Parameters: the query string, then a form body (which wins).
  QueryParams params;
  core::Status decoded = params.AddForm(request.Query());
  if (decoded.ok() && !request.body.empty()) {
    auto ct = request.Header("Content-Type");
    if (!ct || IsFormContentType(*ct)) decoded = params.AddForm(request.body);
  }
  std::string hint = ScopeServiceHint(request, params);
  if (hint.empty()) {
    const std::string version = params.Get("Version");
    for (const auto& [name, s] : query_services_) {
      if (s->api_version() == version) hint = name;
    }
    // An unsigned request to a JSON service still names its operation.
    for (const auto& [name, s] : signed_services_) {
      if (hint.empty() && !s->OperationOf(request).empty()) hint = name;
    }
  }
  auto hinted = query_services_.find(hint);
  const QueryService* hinted_service =
      hinted == query_services_.end() ? nullptr : hinted->second.get();
  auto hinted_signed = signed_services_.find(hint);
  const SignedService* hinted_json =
      hinted_signed == signed_services_.end() ? nullptr : hinted_signed->second.get();
  const std::string action = params.Get("Action");
  // An error before the service runs, in the protocol of the service the request was meant for.
  auto early_error = [&](std::string_view code, int status, std::string_view message) {
    if (hinted_json != nullptr) {
      std::string op = hinted_json->OperationOf(request);
      http::Response r = hinted_json->ErrorResponse(op, code, status, message, request_id);
      r.service = std::string(hinted_json->signing_name());
      r.operation = op.empty() ? "other" : op;
      r.outcome = std::string(code);
      return r;
    }
    return Error(hinted_service, action, request_id, code, status, message);
  };
  if (!decoded.ok() && hinted_json == nullptr) {
    return Error(hinted_service, action, request_id, "MalformedQueryString", 400,
                 decoded.message());
  }

  // 2. SigV4. (An unsigned STS AssumeRoleWithWebIdentity would be let through here.)
  auto verified = verifier_->Verify(http::ToSigV4Request(request));
  if (!verified.ok()) {
    core::AwsError e =
        core::ToAwsError(verified.status().code(),
                         hinted_json != nullptr ? core::Protocol::kJson : core::Protocol::kQuery);
    return early_error(e.code, e.http_status, verified.status().message());
  }

  // 3. Routing: JSON services (ECR, EKS) by their own rules, query services by Action.
  if (auto js = signed_services_.find(verified->service); js != signed_services_.end()) {
    SignedService& service = *js->second;
    hinted_json = &service;
    std::string op = service.OperationOf(request);
    if (op.empty()) {
      return early_error("UnknownOperationException", 400, "");
    }
    auto cred = store_.LookupCredential(verified->access_key_id);
    if (!cred.ok()) {
      return early_error("UnrecognizedClientException", 400,
                         "The security token included in the request is invalid.");
    }
    Caller caller = CallerFromCredential(*cred);
    static const QueryParams kNoParams;
    RequestContext ctx(caller, kNoParams, request_id, verified->region, request.remote_address,
                       clock_.Now(), authorizer_, options_.audit, options_.metrics);
    http::Response r = service.Handle(request, ctx);
    if (!r.Header("x-amzn-RequestId")) r.SetHeader("x-amzn-RequestId", request_id);
    if (r.service.empty()) r.service = std::string(service.signing_name());
    if (r.operation.empty()) r.operation = op;
    return r;
  }
  auto it = query_services_.find(verified->service);
  if (it == query_services_.end()) {
    return Error(nullptr, action, request_id, "InvalidAction", 400,
                 "The service " + verified->service + " is not supported by this endpoint");
  }
  QueryService& service = *it->second;
  if (action.empty()) {
    return Error(&service, "", request_id, "MissingAction", 400,
                 "Could not find operation  for version " + params.Get("Version"));
  }
  if (!service.HasOperation(action)) {
    return Error(&service, "other", request_id, "InvalidAction", 400,
                 "Could not find operation " + action + " for version " +
                     std::string(service.api_version()));
  }

  // 4. The caller.
  auto cred = store_.LookupCredential(verified->access_key_id);
  if (!cred.ok()) {
    return Error(&service, action, request_id, "InvalidClientTokenId", 403,
                 "The security token included in the request is invalid.");
  }
  Caller caller = CallerFromCredential(*cred);

  // 5. The operation.
  RequestContext ctx(caller, params, request_id, verified->region, request.remote_address,
                     clock_.Now(), authorizer_, options_.audit, options_.metrics);
  auto out = service.Call(action, ctx);
  if (!out.ok()) {
    if (ctx.wire_error()) {
      const WireError& w = *ctx.wire_error();
      return Error(&service, action, request_id, w.code, w.http_status, w.message);
    }
    core::AwsError e = core::ToAwsError(out.status().code(), core::Protocol::kQuery);
    return Error(&service, action, request_id, e.code, e.http_status, out.status().message());
  }
  http::Response r(200, "text/xml",
                   QuerySuccessXml(action, service.xml_namespace(), *out, request_id));
  r.SetHeader("x-amzn-RequestId", request_id);
  r.service = std::string(service.signing_name());
  r.operation = action;
  r.outcome = "success";
  return r;
}

}  // namespace cpa::server::api
