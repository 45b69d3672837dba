#pragma once
// Putting locally built OCI content into a registry: what seeding (seed.h) and
// `cpa registry publish` share.
//
// Content is pushed in the order a client pushes it: the blobs the manifests need (all of them in
// one Registry::PutBlobs batch), then the manifests, children of an index before it, with their
// tags (all of them in one Registry::PutImages transaction). Each step is idempotent, so
// publishing the same content twice changes nothing, and an interrupted publish leaves only
// repositories and blobs behind (never a tag that points at an incomplete image).
//
// Thread safety: as Registry's; publishing into different repositories may run concurrently.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/registry/artifacts/oci.h"
#include "server/registry/artifacts/seed_catalog.h"
#include "server/registry/registry.h"

namespace cpa::server::registry {

// What one publish did, for reports and tests.
struct PublishStats {
  int repositories_created = 0;
  int blobs_pushed = 0;      // blobs that were not yet in the repository
  int manifests_pushed = 0;  // manifests that were not yet in the repository
  int tags_set = 0;          // tags that were missing or pointed elsewhere

  PublishStats& operator+=(const PublishStats& o);
};

// Creates the repository (tag mutability MUTABLE, AES256) when it does not exist.
core::Result<Repository> EnsureRepository(Registry& registry, const RepositoryId& id,
                                          PublishStats* stats = nullptr);

// Publishes everything in `content` into `id` (created when missing). When `only_tags` is given,
// only those tags and what they need (their manifests, the children of an index, the blobs) are
// published. kInvalidArgument when a tag or manifest refers to content `content` lacks.
core::Status PublishRepository(Registry& registry, const RepositoryId& id,
                               const artifacts::Repository& content,
                               const std::set<std::string>* only_tags = nullptr,
                               PublishStats* stats = nullptr);

// One repository's share of PublishRepositories: what PublishRepository takes.
struct PublishJob {
  RepositoryId id;
  const artifacts::Repository* content = nullptr;
  const std::set<std::string>* only_tags = nullptr;  // null: everything
};

// PublishRepository for several repositories at the cost of about one: every job is checked and
// its repository created, then the missing blobs of all jobs are stored in one batch
// (Registry::PutBlobs: one durability pass; content shared by several repositories is written
// once), then the manifests and tags of all jobs in one transaction (Registry::PutImages). On
// error, `failed_job` (when given) is the index of the job the error concerns, or jobs.size() for
// an error of one of the two batches.
core::Status PublishRepositories(Registry& registry, const std::vector<PublishJob>& jobs,
                                 PublishStats* stats = nullptr, size_t* failed_job = nullptr);

// Publishes one artifact (blobs, children, manifest) under `tags` (at least one) into `id`
// (created when missing). Returns the image of its manifest.
core::Result<Image> PublishArtifact(Registry& registry, const RepositoryId& id,
                                    const artifacts::Artifact& artifact,
                                    const std::vector<std::string>& tags,
                                    PublishStats* stats = nullptr);

// A PackageBundle YAML wrapped as the seeded bundles are (package_bundle.h: oras 0.12's layout,
// the YAML verbatim as the one layer). The YAML is checked first: apiVersion
// packages.eks.amazonaws.com/v1alpha1, kind PackageBundle, metadata.name, and spec.packages a
// non-empty list whose entries have a name, source.repository and source.versions with a name
// each. kInvalidArgument with the first problem found.
core::Result<artifacts::Artifact> BuildBundleArtifactFromYaml(std::string_view yaml);

}  // namespace cpa::server::registry
