#pragma once
// The EKS Anywhere PackageBundle (packages.eks.amazonaws.com/v1alpha1) and the OCI artifact it is
// published as in the `eks-anywhere-packages-bundles` repository.
//
// YAML: the fields of aws/eks-anywhere-packages api/v1alpha1/packagebundle_types.go, written as
// its generatebundlefile writes them (keys sorted, as gopkg.in/yaml.v2 marshals a map), with the
// `eksa.aws.com/excludes` annotation (base64 of the signature-excluded paths
// .spec.packages[].source.registry and .repository). There is no `eksa.aws.com/signature`
// annotation: cpa cannot sign with the EKS Anywhere KMS key.
//
// Artifact: what `oras push <repo>:<tag> bundle.yaml` (oras 0.12) pushes: config "{}" as
// application/vnd.unknown.config.v1+json, one layer application/vnd.oci.image.layer.v1.tar holding
// the YAML verbatim with annotation org.opencontainers.image.title=bundle.yaml, and a manifest
// without a top-level mediaType field, served as an OCI image manifest. The controller reads
// Layers[0] as the bundle. Tags: "v<major>-<minor>-latest" and the bundle name
// "v<major>-<minor>-<build>".
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/registry/artifacts/oci.h"

namespace cpa::server::registry::artifacts {

inline constexpr std::string_view kBundleRepository = "eks-anywhere-packages-bundles";
inline constexpr std::string_view kPackageBundleApiVersion = "packages.eks.amazonaws.com/v1alpha1";
inline constexpr std::string_view kPackageBundleKind = "PackageBundle";
inline constexpr std::string_view kPackagesNamespace = "eksa-packages";
inline constexpr std::string_view kExcludesAnnotation = "eksa.aws.com/excludes";
inline constexpr std::string_view kBundleFileName = "bundle.yaml";

// A Kubernetes minor version, e.g. 1.28.
struct KubeVersion {
  int major = 1;
  int minor = 0;
  friend bool operator==(const KubeVersion&, const KubeVersion&) = default;
};

// Accepts "1.28", "1-28", "v1.28" and "v1-28".
core::Result<KubeVersion> ParseKubeVersion(std::string_view text);
// "v1-28-latest": the tag the controller pulls for a cluster of that version.
std::string LatestBundleTag(KubeVersion kube);
// "v1-28-1001": the bundle's metadata.name, also pushed as a tag.
std::string BundleName(KubeVersion kube, int build);

struct BundleImage {
  std::string repository;
  std::string digest;  // sha256:… of the image manifest or index
};

struct BundleVersion {
  std::string name;    // the chart version (= chart tag)
  std::string digest;  // sha256:… of the chart manifest
  std::vector<BundleImage> images;
};

struct BundlePackage {
  std::string name;
  std::string registry;  // may be empty (the controller then uses its defaultRegistry)
  std::string repository;
  std::vector<BundleVersion> versions;
};

struct PackageBundle {
  std::string name;  // BundleName(...)
  std::string min_controller_version;
  std::vector<BundlePackage> packages;
};

// The annotation value: base64 of ".spec.packages[].source.registry\n"
// ".spec.packages[].source.repository\n".
std::string ExcludesAnnotationValue();

// kInvalidArgument when a required field is empty, a package has no version or a digest is not
// "sha256:<64 hex>".
core::Result<std::string> RenderPackageBundleYaml(const PackageBundle& bundle);

// blobs = {config "{}", bundle.yaml layer}; manifest as oras 0.12 writes it.
core::Result<Artifact> BuildPackageBundleArtifact(const PackageBundle& bundle);
// BuildPackageBundleArtifact of `bundle` under each of `names` (bundle.name is ignored), in order.
// Bundles that differ only in their name (one per Kubernetes version) are rendered once and the
// name put in, which is what makes seeding many registries cheap; the bytes are the same.
core::Result<std::vector<Artifact>> BuildPackageBundleArtifacts(
    const PackageBundle& bundle, const std::vector<std::string>& names);

}  // namespace cpa::server::registry::artifacts
