#include "server/registry/seed.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace cpa::server::registry {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

struct Target {
  std::string account_id;
  std::string region;
};

Result<std::vector<Target>> Targets(store::Store& store, const SeedOptions& options) {
  std::vector<Target> all;
  store::PageRequest page;
  page.max_items = store::kMaxMaxItems;
  while (true) {
    CPA_ASSIGN_OR_RETURN(store::Page<store::Account> accounts, store.accounts().List(page));
    for (const store::Account& a : accounts.items) {
      if (a.aws_owned && !a.region.empty()) all.push_back({a.id, a.region});
    }
    if (!accounts.is_truncated) break;
    page.marker = accounts.marker;
  }
  if (options.regions.empty()) return all;
  std::vector<Target> chosen;
  for (const std::string& region : options.regions) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const Target& t) { return t.region == region; });
    if (it == all.end()) {
      return Status(ErrorCode::kInvalidArgument,
                    "no AWS-owned packages account for region '" + region + "' in the store");
    }
    chosen.push_back(*it);
  }
  return chosen;
}

// The tags each catalog repository holds in the account's registry (nullopt: no repository).
using Present = std::map<std::string, std::optional<std::set<std::string>>>;

Result<Present> PresentTags(Registry& registry, const Target& t,
                            const artifacts::Catalog& catalog) {
  CPA_ASSIGN_OR_RETURN(Listing<Repository> repos,
                       registry.ListRepositories(t.account_id, t.region, {}));
  std::set<std::string> names;
  for (const Repository& r : repos.items) names.insert(r.id.name);
  Present present;
  for (const artifacts::Repository& repo : catalog.repositories) {
    if (names.count(repo.name) == 0) {
      present[repo.name] = std::nullopt;
      continue;
    }
    CPA_ASSIGN_OR_RETURN(Listing<std::string> tags,
                         registry.ListImageTags({t.account_id, t.region, repo.name}, {}));
    present[repo.name] = std::set<std::string>(tags.items.begin(), tags.items.end());
  }
  return present;
}

// The catalog tags of `repo` that `present` lacks.
std::set<std::string> MissingTags(const artifacts::Repository& repo, const Present& present) {
  std::set<std::string> missing;
  auto it = present.find(repo.name);
  for (const artifacts::Tag& tag : repo.tags) {
    if (it == present.end() || !it->second || it->second->count(tag.name) == 0) {
      missing.insert(tag.name);
    }
  }
  return missing;
}

bool Complete(const artifacts::Catalog& catalog, const Present& present) {
  for (const artifacts::Repository& repo : catalog.repositories) {
    auto it = present.find(repo.name);
    if (it == present.end() || !it->second || !MissingTags(repo, present).empty()) return false;
  }
  return true;
}

// Seeds one account. `shape` is a catalog of another (or the same) account: repository and tag
// names do not depend on the registry host, so it tells whether anything is missing without
// building this account's catalog.
Status SeedAccount(Registry& registry, const Target& t, const artifacts::Catalog& shape,
                   const std::string& shape_account, const SeedOptions& options, bool& unchanged,
                   PublishStats& stats) {
  CPA_ASSIGN_OR_RETURN(Present present, PresentTags(registry, t, shape));
  unchanged = Complete(shape, present);
  if (unchanged) return Status::Ok();

  std::optional<artifacts::Catalog> own;
  if (t.account_id != shape_account) {
    CPA_ASSIGN_OR_RETURN(own, artifacts::SeedCatalog(registry.RegistryHost(t.account_id, t.region),
                                                     t.region, options.catalog));
  }
  const artifacts::Catalog& catalog = own ? *own : shape;
  for (const artifacts::Repository& repo : catalog.repositories) {
    std::set<std::string> missing = MissingTags(repo, present);
    auto it = present.find(repo.name);
    bool exists = it != present.end() && it->second;
    if (missing.empty() && exists) continue;
    CPA_RETURN_IF_ERROR(
        PublishRepository(registry, {t.account_id, t.region, repo.name}, repo, &missing, &stats));
  }
  return Status::Ok();
}

}  // namespace

Status SeedPackagesRegistries(Registry& registry, store::Store& store, const SeedOptions& options,
                              SeedReport* report) {
  CPA_ASSIGN_OR_RETURN(std::vector<Target> targets, Targets(store, options));
  SeedReport local;
  SeedReport& out = report != nullptr ? *report : local;
  out = SeedReport{};
  out.accounts = static_cast<int>(targets.size());
  if (targets.empty()) return Status::Ok();

  const Target& first = targets.front();
  CPA_ASSIGN_OR_RETURN(artifacts::Catalog shape,
                       artifacts::SeedCatalog(registry.RegistryHost(first.account_id, first.region),
                                              first.region, options.catalog));

  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  auto work = [&] {
    while (true) {
      {
        std::lock_guard lock(mu);
        if (!first_error.ok()) return;
      }
      size_t i = next.fetch_add(1);
      if (i >= targets.size()) return;
      bool unchanged = false;
      PublishStats stats;
      Status s =
          SeedAccount(registry, targets[i], shape, first.account_id, options, unchanged, stats);
      std::lock_guard lock(mu);
      out.published += stats;
      if (unchanged) ++out.accounts_unchanged;
      if (!s.ok() && first_error.ok()) {
        first_error = Status(s.code(), "seeding the registry of " + targets[i].account_id + " (" +
                                           targets[i].region + "): " + s.message());
      }
    }
  };
  const size_t threads =
      std::min(targets.size(), static_cast<size_t>(std::max(1, options.parallelism)));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& th : pool) th.join();
  return first_error;
}

}  // namespace cpa::server::registry
