#pragma once
// Api over HTTP: /api/v1/namespaces/{ns}/secrets[/{name}] and .../configmaps[/{name}].
//
// - JSON in and out; `Authorization: Bearer <token>` when the connection has a token (its value
//   is never put in a message); the x509 client certificate when it has one.
// - No retries here: a failure is returned as is (apply_secret.h retries conflicts).
// - Messages name the operation, the object and the server origin, e.g.
//   "get secret eksa-packages/aws-secret at https://10.96.0.1: NotFound: secrets "aws-secret"
//   not found (HTTP 404)".
//
// Thread safety: calls may run concurrently.

#include <chrono>
#include <memory>
#include <string>

#include "awsapi/http.h"
#include "core/clock.h"
#include "kube/api.h"
#include "kube/bearer_token.h"
#include "kube/connection.h"

namespace cpa::kube {

struct ClientOptions {
  // Null: a CurlTransport with the connection's TLS settings and `timeout`.
  std::shared_ptr<awsapi::HttpTransport> transport;
  FileReader read_file;                // the token file; null: the real filesystem
  const core::Clock* clock = nullptr;  // token file refresh; null: the system clock
  std::string user_agent = "cpa";
  std::string field_manager = "cpa";  // ?fieldManager= on writes (server-side field ownership)
  std::chrono::milliseconds timeout{30'000};
};

class Client final : public Api {
 public:
  // Validates the connection; reads nothing yet (the token file is read on the first call).
  static core::Result<std::unique_ptr<Client>> Create(Connection connection,
                                                      ClientOptions options = {});

  ApiResult<Secret> GetSecret(std::string_view namespace_name, std::string_view name) override;
  ApiResult<Secret> CreateSecret(const Secret& secret) override;
  ApiResult<Secret> ReplaceSecret(const Secret& secret) override;
  ApiResult<ConfigMap> GetConfigMap(std::string_view namespace_name,
                                    std::string_view name) override;
  ApiResult<ConfigMap> CreateConfigMap(const ConfigMap& config_map) override;
  ApiResult<ConfigMap> ReplaceConfigMap(const ConfigMap& config_map) override;

  const Connection& connection() const { return connection_; }

 private:
  Client(Connection connection, ClientOptions options, BearerToken token);

  struct Call;
  ApiResult<std::string> Send(const Call& call);

  Connection connection_;
  ClientOptions options_;
  BearerToken token_;
  std::string origin_;  // scheme://host[:port], for messages
};

}  // namespace cpa::kube
