#pragma once
// Choosing the connection for `cpa agent --kube`: the order a cluster-side agent needs.
//
//   1. --kube "in-cluster": the pod's service account (in_cluster.h), required.
//   2. --kube PATH: that kubeconfig file, which must exist.
//   3. --kube "" (default): in-cluster when KUBERNETES_SERVICE_HOST and _PORT are set; else the
//      files in $KUBECONFIG; else $HOME/.kube/config.
// This is the ecr-token refresher's order (in-cluster, $KUBECONFIG, ~/.kube/config).

#include <string>

#include "core/status.h"
#include "kube/connection.h"
#include "kube/in_cluster.h"
#include "kube/kubeconfig.h"
#include "profile/environment.h"

namespace cpa::kube {

struct ConnectionOptions {
  std::string kube;     // "", "in-cluster", or a kubeconfig path
  std::string context;  // kubeconfig context override; an error in-cluster
  InClusterPaths in_cluster;
};

core::Result<Connection> ResolveConnection(const ConnectionOptions& options,
                                           const profile::Environment& env, const FileReader& read);

}  // namespace cpa::kube
