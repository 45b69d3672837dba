#include "awsapi/client.h"

#include <thread>

#include "awsapi/curl_transport.h"
#include "sigv4/signer.h"

namespace cpa::awsapi {

using core::ErrorCode;
using core::Status;

struct ServiceClient::State {
  Service service;
  core::Protocol protocol;
  ClientConfig config;
  ResolvedEndpoint endpoint;
  Url base;
  RetryQuota quota;
};

std::shared_ptr<HttpTransport> DefaultTransport() {
  static const std::shared_ptr<HttpTransport> transport = std::make_shared<CurlTransport>();
  return transport;
}

namespace {

core::Protocol ProtocolOf(Service service) {
  switch (service) {
    case Service::kIam:
    case Service::kSts:
      return core::Protocol::kQuery;
    case Service::kEcr:
      return core::Protocol::kJson;
    case Service::kEks:
      return core::Protocol::kRestJson;
  }
  return core::Protocol::kQuery;
}

std::string JoinPath(std::string_view base, std::string_view path) {
  if (path.empty() || path == "/") return base.empty() ? "/" : std::string(base);
  if (base.ends_with('/') && path.starts_with('/')) base.remove_suffix(1);
  return std::string(base) + std::string(path);
}

}  // namespace

core::Result<ServiceClient> ServiceClient::Create(Service service, ClientConfig config) {
  CPA_ASSIGN_OR_RETURN(ResolvedEndpoint endpoint,
                       ResolveEndpoint(service, config.region, config.endpoints));
  CPA_ASSIGN_OR_RETURN(Url base, Url::Parse(endpoint.url));
  if (!config.transport) config.transport = DefaultTransport();
  if (config.clock == nullptr) config.clock = &core::DefaultClock();
  if (config.random == nullptr) config.random = &core::DefaultRandom();
  if (!config.sleep) {
    config.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  config.retry.max_attempts = std::max(1, config.retry.max_attempts);
  auto state = std::make_shared<State>();
  state->service = service;
  state->protocol = ProtocolOf(service);
  state->config = std::move(config);
  state->endpoint = std::move(endpoint);
  state->base = std::move(base);
  return ServiceClient(std::move(state));
}

Service ServiceClient::service() const { return state_->service; }
core::Protocol ServiceClient::protocol() const { return state_->protocol; }
const ResolvedEndpoint& ServiceClient::endpoint() const { return state_->endpoint; }
const ClientConfig& ServiceClient::config() const { return state_->config; }
core::Random& ServiceClient::random() const { return *state_->config.random; }
int ServiceClient::RetryQuotaAvailableForTest() const { return state_->quota.available(); }

Outcome<HttpResponse> ServiceClient::Send(std::string_view operation,
                                          const OperationRequest& request) const {
  const State& s = *state_;
  const ClientConfig& config = s.config;
  std::string op_name = s.endpoint.signing_name + ":" + std::string(operation);
  std::string path = JoinPath(s.base.path, request.path);
  int retry_cost = 0;

  for (int attempt = 1;; ++attempt) {
    sigv4::HttpRequest wire;
    wire.method = request.method;
    wire.path = path;
    wire.query = request.query;
    wire.headers.emplace_back("Host", s.base.Authority());
    if (!config.user_agent.empty()) wire.headers.emplace_back("User-Agent", config.user_agent);
    for (const auto& h : request.headers) wire.headers.push_back(h);
    wire.body = request.body;

    if (request.sign) {
      if (!config.credentials) {
        return Status(ErrorCode::kMissingAuthenticationToken,
                      op_name + ": no credentials configured to sign the request");
      }
      auto credentials = config.credentials->Get();
      if (!credentials.ok()) {
        return Status(credentials.status().code(),
                      op_name + ": cannot get credentials: " + credentials.status().message());
      }
      sigv4::SigningConfig signing;
      signing.credentials = std::move(credentials).value();
      signing.region = s.endpoint.signing_region;
      signing.service = s.endpoint.signing_name;
      signing.time = config.clock->Now();
      auto signed_request = sigv4::SignRequest(wire, signing);
      if (!signed_request.ok()) {
        return Status(signed_request.status().code(),
                      op_name + ": cannot sign the request: " + signed_request.status().message());
      }
    }

    HttpRequest http{wire.method, s.base.Origin() + wire.Target(), std::move(wire.headers),
                     std::move(wire.body)};
    auto response = config.transport->Send(http);

    RetryKind kind;
    int cost;
    std::optional<Outcome<HttpResponse>> failure;
    if (!response.ok()) {
      kind = ClassifyTransportError(response.status());
      cost = RetryQuota::kTransportErrorCost;
      std::string message = op_name + ": " + response.status().message();
      if (attempt > 1) message += " (after " + std::to_string(attempt) + " attempts)";
      failure.emplace(Status(response.status().code(), std::move(message)));
    } else if (response->status >= 200 && response->status < 300) {
      if (config.retry.use_quota) state_->quota.OnSuccess(retry_cost);
      return std::move(response).value();
    } else {
      AwsErrorInfo info = ParseAwsError(s.protocol, *response);
      kind = ClassifyAwsError(info);
      cost = RetryQuota::kRetryCost;
      failure.emplace(AwsErrorStatus(op_name, info), std::move(info));
    }

    if (kind == RetryKind::kNone || attempt >= config.retry.max_attempts)
      return *std::move(failure);
    if (config.retry.use_quota && !state_->quota.TryAcquire(cost)) return *std::move(failure);
    retry_cost += cost;
    config.sleep(BackoffDelay(attempt, config.retry, *config.random));
  }
}

}  // namespace cpa::awsapi
