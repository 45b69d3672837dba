#pragma once
// The curated-packages content `cpa serve` seeds into the registry of every AWS-owned packages
// account: the PackageBundle repository and a few small packages, each a Helm chart plus the
// container image it deploys, all built locally and byte-for-byte deterministically (the same
// registry host and options always give the same digests).
//
//   eks-anywhere-packages-bundles          one bundle per Kubernetes version, tagged
//                                          v1-<minor>-latest and v1-<minor>-<build>
//   hello-eks-anywhere                     chart 0.1.2-<hash> and image v0.1.2-<hash>
//   harbor/harbor-helm, harbor/harbor-core chart and image of "harbor"
//   metrics-server/charts/metrics-server,  chart and image of "metrics-server"
//   metrics-server/metrics-server
//
// Repository names follow the real bundles (hello-eks-anywhere keeps chart and image in one
// repository). Images are linux/amd64 + linux/arm64/v8 indexes. Every bundle lists every package
// with source.registry = the registry host, the chart version and chart manifest digest, and the
// image repository and index digest; each chart's values carry sourceRegistry and the image digest.
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/registry/artifacts/oci.h"
#include "server/registry/artifacts/package_bundle.h"

namespace cpa::server::registry::artifacts {

struct Tag {
  std::string name;
  std::string digest;  // of a manifest of the same repository
};

// Everything one repository holds. Push order: blobs, then manifests in order (an index comes
// after the manifests it lists), then tags.
struct Repository {
  std::string name;
  std::vector<Blob> blobs;          // each digest once
  std::vector<Manifest> manifests;  // each digest once
  std::vector<Tag> tags;            // each tag once

  // Adds the artifact's blobs and manifests (skipping digests already present) and points each
  // tag at its top manifest. kInvalidArgument if a tag already points elsewhere.
  core::Status Add(const Artifact& artifact, const std::vector<std::string>& tag_names);
  const Blob* FindBlob(std::string_view digest) const;
  const Manifest* FindManifest(std::string_view digest) const;
  const Tag* FindTag(std::string_view name) const;
};

// What was seeded for one package (for tests, logs and docs).
struct SeededPackage {
  std::string name;
  std::string chart_repository;
  std::string chart_version;  // = chart tag
  std::string chart_digest;
  std::string image_repository;
  std::string image_tag;
  std::string image_digest;  // of the index
};

struct Catalog {
  std::string registry_host;
  std::string region;
  std::vector<Repository> repositories;  // the bundle repository first
  std::vector<SeededPackage> packages;
  std::vector<std::string> bundle_tags;  // latest tags, in kube version order

  const Repository* Find(std::string_view name) const;
};

struct SeedOptions {
  std::vector<std::string> kube_versions = {"1-29", "1-30", "1-31", "1-32", "1-33", "1-34", "1-35"};
  int bundle_build = 1001;
  std::string min_controller_version = "v0.4.4";
};

// `registry_host` is what clients pull from, "<account>.dkr.ecr.<region>.<domain>" (a ":port" is
// allowed for loopback tests); when it has the ECR form, its region must be `region`.
// kInvalidArgument for a malformed host, region or option.
core::Result<Catalog> SeedCatalog(std::string_view registry_host, std::string_view region,
                                  const SeedOptions& options = {});

}  // namespace cpa::server::registry::artifacts
