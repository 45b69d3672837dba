#include "kube/in_cluster.h"

#include "core/encoding.h"
#include "kube/bearer_token.h"
#include "kube/names.h"

namespace cpa::kube {

using core::ErrorCode;
using core::Status;

bool IsInCluster(const profile::Environment& env) {
  return env.GetNonEmpty("KUBERNETES_SERVICE_HOST") && env.GetNonEmpty("KUBERNETES_SERVICE_PORT");
}

core::Result<Connection> InClusterConnection(const profile::Environment& env,
                                             const FileReader& read, const InClusterPaths& paths) {
  constexpr char kWhere[] = "in-cluster service account";
  auto host = env.GetNonEmpty("KUBERNETES_SERVICE_HOST");
  auto port = env.GetNonEmpty("KUBERNETES_SERVICE_PORT");
  if (!host || !port) {
    return Status(ErrorCode::kNotFound,
                  "not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and "
                  "KUBERNETES_SERVICE_PORT must both be set");
  }
  // An IPv6 service address goes in brackets, as net.JoinHostPort does.
  std::string authority = host->find(':') != std::string::npos && !host->starts_with('[')
                              ? "[" + *host + "]:" + *port
                              : *host + ":" + *port;
  Connection c;
  c.source = kWhere;
  c.server = "https://" + authority;

  auto token = read(paths.token);
  if (!token.ok()) {
    return Status(token.status().code(),
                  std::string(kWhere) + ": cannot read the token: " + token.status().message());
  }
  CPA_RETURN_IF_ERROR(CleanToken(*token, std::string(kWhere) + " token " + paths.token).status());
  c.token_file = paths.token;

  auto ca = read(paths.ca);
  if (!ca.ok()) {
    return Status(ca.status().code(),
                  std::string(kWhere) + ": cannot read the cluster CA: " + ca.status().message());
  }
  if (ca->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(kWhere) + ": " + paths.ca + " holds no PEM certificate");
  }
  c.ca_pem = std::move(*ca);

  auto ns = read(paths.namespace_file);
  if (ns.ok()) {
    std::string_view name = core::TrimAsciiWhitespace(*ns);
    CPA_RETURN_IF_ERROR(ValidateNamespaceName(name));
    c.namespace_name = std::string(name);
  } else if (ns.status().code() != ErrorCode::kNotFound) {
    return Status(ns.status().code(),
                  std::string(kWhere) + ": cannot read the namespace: " + ns.status().message());
  }
  CPA_RETURN_IF_ERROR(ValidateConnection(c));
  return c;
}

}  // namespace cpa::kube
