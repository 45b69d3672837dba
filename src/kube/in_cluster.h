#pragma once
// The in-cluster connection of a pod: the API server from KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT, the service account token, CA and namespace from the files the
// kubelet mounts. Same rules as client-go's rest.InClusterConfig, except that a missing CA is an
// error here (client-go logs it and goes on with the system store, which cannot verify a
// cluster CA anyway).

#include <string>

#include "core/status.h"
#include "kube/connection.h"
#include "profile/environment.h"

namespace cpa::kube {

struct InClusterPaths {
  std::string token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

// Both KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set and non-empty.
bool IsInCluster(const profile::Environment& env);

// The connection; the token is read once here to fail early and later re-read from
// `paths.token` by the client. A missing namespace file leaves namespace_name empty.
core::Result<Connection> InClusterConnection(const profile::Environment& env,
                                             const FileReader& read,
                                             const InClusterPaths& paths = {});

}  // namespace cpa::kube
