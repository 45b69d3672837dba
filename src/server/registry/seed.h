#pragma once
// Seeding the registries of the AWS-owned packages accounts with the curated-packages catalog
// (artifacts/seed_catalog.h), as `cpa serve` does at start.
//
// For every AWS-owned account of the store (accounts.aws_owned = 1, with its region) the
// catalog built for RegistryHost(account, region) is published (publish.h): its repositories are
// created and their blobs, manifests and tags pushed.
//
// Seeding only adds what is missing, and never moves a tag: a repository that holds all of the
// catalog's tags is left alone, whatever they point at, so content an operator published under a
// seeded tag (`cpa registry publish`) survives restarts, and a restart costs one listing per
// repository. A tag the catalog gained (a new Kubernetes version) is added on the next start.
// The flip side: the bundles of an existing data directory keep naming the registry host they
// were seeded with (source.registry) when the registry domain changes.
//
// Seeding runs in two steps. First, for each account, what it lacks and (when it lacks anything)
// its catalog, on `parallelism` threads (building a catalog is CPU work, a few milliseconds). Then
// everything missing is published at once (PublishRepositories): the blobs of all accounts are one
// batch written with one durability pass (Registry::PutBlobs; identical content in several regions
// once), then the manifests and tags of all accounts are one transaction (Registry::PutImages).
#include <string>
#include <vector>

#include "core/status.h"
#include "server/registry/artifacts/seed_catalog.h"
#include "server/registry/publish.h"
#include "server/registry/registry.h"
#include "server/store/store.h"

namespace cpa::server::registry {

struct SeedOptions {
  artifacts::SeedOptions catalog;
  // Only these regions' packages accounts; empty: every AWS-owned account of the store.
  std::vector<std::string> regions;
  // Threads planning accounts (building catalogs) at once; 0: one per CPU (at most 8).
  int parallelism = 0;
};

struct SeedReport {
  int accounts = 0;            // AWS-owned accounts considered
  int accounts_unchanged = 0;  // every catalog repository already held every catalog tag
  PublishStats published;      // summed over all accounts
};

// kInvalidArgument for bad catalog options or a region that has no packages account in the
// store; otherwise the first error a registry operation returned. The repositories created and
// the blobs stored before it stay, no image or tag is added; running again completes the rest.
core::Status SeedPackagesRegistries(Registry& registry, store::Store& store,
                                    const SeedOptions& options, SeedReport* report = nullptr);

}  // namespace cpa::server::registry
