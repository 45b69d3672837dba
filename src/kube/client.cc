#include "kube/client.h"

#include <algorithm>

#include "awsapi/curl_transport.h"
#include "core/encoding.h"
#include "kube/names.h"

namespace cpa::kube {

using core::ErrorCode;
using core::Status;

struct Client::Call {
  const char* verb;      // "get", "create", "replace": for messages
  const char* method;    // HTTP method
  const char* resource;  // "secrets", "configmaps"
  const char* noun;      // "secret", "configmap": for messages
  std::string_view namespace_name;
  std::string_view name;
  bool collection = false;  // POST goes to the collection URL
  std::string body;
};

Client::Client(Connection connection, ClientOptions options, BearerToken token)
    : connection_(std::move(connection)), options_(std::move(options)), token_(std::move(token)) {
  auto url = awsapi::Url::Parse(connection_.server);
  origin_ = url.ok() ? url->Origin() : connection_.server;
}

core::Result<std::unique_ptr<Client>> Client::Create(Connection connection, ClientOptions options) {
  CPA_RETURN_IF_ERROR(ValidateConnection(connection));
  while (connection.server.size() > 1 && connection.server.back() == '/') {
    connection.server.pop_back();
  }
  if (!options.read_file) options.read_file = RealFileReader();
  if (options.clock == nullptr) options.clock = &core::DefaultClock();
  BearerToken token;
  if (!connection.token_file.empty()) {
    token = BearerToken::FromFile(connection.token_file, options.read_file, options.clock);
  } else if (!connection.token.empty()) {
    CPA_ASSIGN_OR_RETURN(token, BearerToken::Fixed(connection.token));
  }
  if (!options.transport) {
    awsapi::CurlTransportOptions curl;
    curl.total_timeout = options.timeout;
    curl.connect_timeout = std::min(options.timeout, curl.connect_timeout);
    curl.ca_pem = connection.ca_pem;
    curl.client_cert_pem = connection.client_cert_pem;
    curl.client_key_pem = connection.client_key_pem;
    curl.insecure_skip_verify = connection.insecure_skip_tls_verify;
    options.transport = std::make_shared<awsapi::CurlTransport>(std::move(curl));
  }
  return std::unique_ptr<Client>(
      new Client(std::move(connection), std::move(options), std::move(token)));
}

ApiResult<std::string> Client::Send(const Call& call) {
  std::string operation = std::string(call.verb) + " " + call.noun + " " +
                          std::string(call.namespace_name) + "/" + std::string(call.name) + " at " +
                          origin_;
  if (Status s = ValidateNamespaceName(call.namespace_name); !s.ok()) {
    return Status(s.code(), operation + ": " + s.message());
  }
  if (Status s = ValidateObjectName(call.name); !s.ok()) {
    return Status(s.code(), operation + ": " + s.message());
  }
  awsapi::HttpRequest request;
  request.method = call.method;
  request.url = connection_.server + "/api/v1/namespaces/" + std::string(call.namespace_name) +
                "/" + call.resource;
  if (!call.collection) request.url += "/" + std::string(call.name);
  if (!call.body.empty() && !options_.field_manager.empty()) {
    request.url += "?fieldManager=" + core::UriEncode(options_.field_manager);
  }
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("User-Agent", options_.user_agent);
  if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  auto token = token_.Get();
  if (!token.ok())
    return Status(token.status().code(), operation + ": " + token.status().message());
  if (!token->empty()) request.headers.emplace_back("Authorization", "Bearer " + *token);
  request.body = call.body;

  auto response = options_.transport->Send(request);
  if (!response.ok()) {
    return Status(response.status().code(), operation + ": " + response.status().message());
  }
  if (response->status >= 200 && response->status < 300) return std::move(response->body);
  ApiError error = ParseApiError(response->status, response->body);
  Status status = ApiErrorStatus(operation, error);  // before `error` is moved
  return ApiResult<std::string>(std::move(status), std::move(error));
}

namespace {

// Decodes a 2xx body into T, or passes the failure on.
template <typename T, typename Decode>
ApiResult<T> Finish(ApiResult<std::string> body, Decode decode, std::string_view what) {
  if (!body.ok()) return ApiResult<T>::FailureOf(body);
  auto object = decode(*body);
  if (!object.ok()) {
    return Status(object.status().code(), std::string(what) + ": " + object.status().message());
  }
  return std::move(*object);
}

std::string What(const char* verb, const char* noun, const ObjectMeta& m) {
  return std::string(verb) + " " + noun + " " + m.namespace_name + "/" + m.name;
}

}  // namespace

ApiResult<Secret> Client::GetSecret(std::string_view ns, std::string_view name) {
  return Finish<Secret>(Send({"get", "GET", "secrets", "secret", ns, name, false, {}}),
                        DecodeSecret, "get secret " + std::string(ns) + "/" + std::string(name));
}

ApiResult<Secret> Client::CreateSecret(const Secret& s) {
  const ObjectMeta& m = s.metadata;
  return Finish<Secret>(Send({"create", "POST", "secrets", "secret", m.namespace_name, m.name, true,
                              EncodeSecretForCreate(s)}),
                        DecodeSecret, What("create", "secret", m));
}

ApiResult<Secret> Client::ReplaceSecret(const Secret& s) {
  const ObjectMeta& m = s.metadata;
  return Finish<Secret>(Send({"replace", "PUT", "secrets", "secret", m.namespace_name, m.name,
                              false, EncodeSecretForReplace(s)}),
                        DecodeSecret, What("replace", "secret", m));
}

ApiResult<ConfigMap> Client::GetConfigMap(std::string_view ns, std::string_view name) {
  return Finish<ConfigMap>(Send({"get", "GET", "configmaps", "configmap", ns, name, false, {}}),
                           DecodeConfigMap,
                           "get configmap " + std::string(ns) + "/" + std::string(name));
}

ApiResult<ConfigMap> Client::CreateConfigMap(const ConfigMap& c) {
  const ObjectMeta& m = c.metadata;
  return Finish<ConfigMap>(Send({"create", "POST", "configmaps", "configmap", m.namespace_name,
                                 m.name, true, EncodeConfigMapForCreate(c)}),
                           DecodeConfigMap, What("create", "configmap", m));
}

ApiResult<ConfigMap> Client::ReplaceConfigMap(const ConfigMap& c) {
  const ObjectMeta& m = c.metadata;
  return Finish<ConfigMap>(Send({"replace", "PUT", "configmaps", "configmap", m.namespace_name,
                                 m.name, false, EncodeConfigMapForReplace(c)}),
                           DecodeConfigMap, What("replace", "configmap", m));
}

}  // namespace cpa::kube
