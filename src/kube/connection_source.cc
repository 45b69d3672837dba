#include "kube/connection_source.h"

namespace cpa::kube {

using core::ErrorCode;
using core::Status;

core::Result<Connection> ResolveConnection(const ConnectionOptions& options,
                                           const profile::Environment& env,
                                           const FileReader& read) {
  KubeconfigOptions kubeconfig;
  kubeconfig.context = options.context;
  if (options.kube == "in-cluster") {
    if (!options.context.empty()) {
      return Status(ErrorCode::kInvalidArgument, "a kubeconfig context cannot be used in-cluster");
    }
    return InClusterConnection(env, read, options.in_cluster);
  }
  if (!options.kube.empty()) {
    return KubeconfigConnection({options.kube}, read, kubeconfig, /*must_exist=*/true);
  }
  if (IsInCluster(env) && options.context.empty()) {
    return InClusterConnection(env, read, options.in_cluster);
  }
  if (auto list = env.GetNonEmpty("KUBECONFIG")) {
    auto paths = SplitKubeconfigList(*list);
    if (!paths.empty()) return KubeconfigConnection(paths, read, kubeconfig);
  }
  auto home = env.GetNonEmpty("HOME");
  if (!home) {
    return Status(ErrorCode::kNotFound,
                  "no Kubernetes connection: not in a pod, KUBECONFIG and HOME are unset");
  }
  auto c = KubeconfigConnection({*home + "/.kube/config"}, read, kubeconfig);
  if (!c.ok() && c.status().code() == ErrorCode::kNotFound &&
      c.status().message().starts_with("kubeconfig: none")) {
    return Status(ErrorCode::kNotFound,
                  "no Kubernetes connection: not in a pod (KUBERNETES_SERVICE_HOST unset), "
                  "KUBECONFIG unset and " +
                      *home + "/.kube/config does not exist");
  }
  return c;
}

}  // namespace cpa::kube
