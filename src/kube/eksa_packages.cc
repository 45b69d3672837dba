#include "kube/eksa_packages.h"

#include <set>

#include "kube/names.h"

namespace cpa::kube {

using core::ErrorCode;
using core::Status;

core::Result<std::string> ClusterNamespace(std::string_view cluster) {
  if (cluster.empty()) return Status(ErrorCode::kMissingParameter, "no cluster name given");
  std::string ns = std::string(kClusterNamespacePrefix) + std::string(cluster);
  if (Status s = ValidateNamespaceName(ns); !s.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  "cluster name '" + std::string(cluster) +
                      "' does not give a valid namespace: " + s.message());
  }
  return ns;
}

TargetNamespaces TargetNamespacesOf(const ConfigMap& ns_secret_map) {
  TargetNamespaces out;
  for (const auto& [key, packages] : ns_secret_map.data) {  // std::map: sorted, unique
    if (ValidateNamespaceName(key).ok()) {
      out.namespaces.push_back(key);
    } else {
      out.invalid.push_back(key);
    }
  }
  return out;
}

ApiResult<TargetNamespaces> ReadTargetNamespaces(Api& api, std::string_view cluster) {
  auto ns = ClusterNamespace(cluster);
  if (!ns.ok()) return ns.status();
  auto map = api.GetConfigMap(*ns, kNsSecretMapName);
  if (!map.ok()) return ApiResult<TargetNamespaces>::FailureOf(map);
  return TargetNamespacesOf(*map);
}

}  // namespace cpa::kube
