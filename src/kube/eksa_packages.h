#pragma once
// The EKS Anywhere curated packages objects the agent reads and writes (reference sections 2,
// 3.2 and 3.6), and how ns-secret-map names the target namespaces.
//
// ns-secret-map lives in namespace eksa-packages-<cluster> of the management cluster. Each KEY
// of its `data` is a namespace that needs `ecr-token`; the value is a comma-separated list of
// package names (or a marker such as "eksa-package-controller") and does not matter here. The
// controller creates it with keys eksa-packages-<cluster> and emissary-system and adds or removes
// one key per target namespace. binaryData is not used.

#include <string>
#include <string_view>
#include <vector>

#include "kube/api.h"

namespace cpa::kube {

inline constexpr std::string_view kPackagesNamespace = "eksa-packages";
inline constexpr std::string_view kAwsSecretName = "aws-secret";
inline constexpr std::string_view kNsSecretMapName = "ns-secret-map";
inline constexpr std::string_view kEcrTokenSecretName = "ecr-token";
inline constexpr std::string_view kClusterNamespacePrefix = "eksa-packages-";

// "eksa-packages-<cluster>"; kInvalidArgument when that is not a valid namespace name.
core::Result<std::string> ClusterNamespace(std::string_view cluster);

struct TargetNamespaces {
  std::vector<std::string> namespaces;  // valid keys, sorted, unique
  std::vector<std::string> invalid;     // keys that are not namespace names (skipped)
};

TargetNamespaces TargetNamespacesOf(const ConfigMap& ns_secret_map);

// Reads eksa-packages-<cluster>/ns-secret-map. A missing map is kNotFound (IsNotFound()); the
// refresher logs that and skips the cluster.
ApiResult<TargetNamespaces> ReadTargetNamespaces(Api& api, std::string_view cluster);

}  // namespace cpa::kube
