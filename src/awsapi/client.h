#pragma once
// The protocol-neutral engine under every service client: endpoint, signing, transport, retries.
//
// Typed clients (StsClient, IamClient, EcrClient, EksClient) are thin layers over a ServiceClient;
// callers normally use those. A ServiceClient is a cheap-to-copy handle; copies share their state.
//
// Thread safety: Send may be called concurrently (given a thread-safe transport and credentials
// provider, as their interfaces require).

#include <memory>
#include <string>
#include <string_view>

#include "awsapi/credentials_provider.h"
#include "awsapi/endpoints.h"
#include "awsapi/error.h"
#include "awsapi/http.h"
#include "awsapi/retry.h"
#include "core/aws_error.h"
#include "core/clock.h"
#include "core/crypto.h"

namespace cpa::awsapi {

struct ClientConfig {
  // The client's region: the endpoint's region and, with an endpoint override, the signing region.
  // IAM without an override needs none.
  std::string region;
  EndpointOverrides endpoints;
  // Signs every signed operation; may be null for clients that only call unsigned operations
  // (AssumeRoleWithWebIdentity).
  CredentialsProviderPtr credentials;
  // Null: the process-wide CurlTransport (see DefaultTransport()).
  std::shared_ptr<HttpTransport> transport;
  RetryOptions retry;
  const core::Clock* clock = nullptr;  // null: the system clock
  core::Random* random = nullptr;      // null: core::DefaultRandom() (jitter, idempotency tokens)
  SleepFunction sleep;                 // null: std::this_thread::sleep_for
  std::string user_agent = "cpa-awsapi/0.1";
};

// A process-wide CurlTransport with default options, created on first use.
std::shared_ptr<HttpTransport> DefaultTransport();

struct OperationRequest {
  std::string method = "POST";
  std::string path = "/";  // percent-encoded; appended to the endpoint URL's path
  std::string query;       // percent-encoded, without '?'
  HttpHeaders headers;     // e.g. Content-Type, X-Amz-Target
  std::string body;
  bool sign = true;  // false for operations AWS serves without authentication
};

class ServiceClient {
 public:
  // Resolves the endpoint; fails as ResolveEndpoint does.
  static core::Result<ServiceClient> Create(Service service, ClientConfig config);

  // Sends `request` (signing each attempt afresh) and retries as configured. Returns the 2xx
  // response, or the failure: an AWS error (with aws_error()), a transport failure, or a
  // credentials failure. `operation` is the bare operation name ("GetRole"); messages use
  // "<signing name>:<operation>".
  Outcome<HttpResponse> Send(std::string_view operation, const OperationRequest& request) const;

  Service service() const;
  core::Protocol protocol() const;
  const ResolvedEndpoint& endpoint() const;
  const ClientConfig& config() const;
  core::Random& random() const;
  // Retry tokens left (for tests and diagnostics).
  int RetryQuotaAvailableForTest() const;

 private:
  struct State;
  explicit ServiceClient(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace cpa::awsapi
