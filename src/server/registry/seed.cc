#include "server/registry/seed.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace cpa::server::registry {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

constexpr size_t kMaxThreads = 8;

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

// What one account lacks. Its catalog is built only when something is missing (repository and
// tag names do not depend on the registry host, so `shape`, another account's catalog, tells).
struct AccountPlan {
  bool unchanged = false;
  std::optional<artifacts::Catalog> own;
  const artifacts::Catalog* catalog = nullptr;
  Present present;
  std::vector<std::set<std::string>> missing;  // per catalog repository
};

Status PlanAccount(Registry& registry, const Target& t, const artifacts::Catalog& shape,
                   const std::string& shape_account, const SeedOptions& options,
                   AccountPlan& plan) {
  CPA_ASSIGN_OR_RETURN(plan.present, PresentTags(registry, t, shape));
  plan.unchanged = Complete(shape, plan.present);
  if (plan.unchanged) return Status::Ok();
  if (t.account_id != shape_account) {
    CPA_ASSIGN_OR_RETURN(
        plan.own, artifacts::SeedCatalog(registry.RegistryHost(t.account_id, t.region), t.region,
                                         options.catalog));
  }
  plan.catalog = plan.own ? &*plan.own : &shape;
  for (const artifacts::Repository& repo : plan.catalog->repositories) {
    plan.missing.push_back(MissingTags(repo, plan.present));
  }
  return Status::Ok();
}

Status ForTarget(const Target& t, const Status& s) {
  return Status(s.code(),
                "seeding the registry of " + t.account_id + " (" + t.region + "): " + s.message());
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

  // 1. What each account lacks, and its catalog: building catalogs is CPU work, spread over
  // `parallelism` threads.
  std::vector<AccountPlan> plans(targets.size());
  std::vector<Status> errors(targets.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    while (!failed.load()) {
      const size_t i = next.fetch_add(1);
      if (i >= targets.size()) return;
      errors[i] = PlanAccount(registry, targets[i], shape, first.account_id, options, plans[i]);
      if (!errors[i].ok()) failed = true;
    }
  };
  size_t threads = options.parallelism > 0
                       ? static_cast<size_t>(options.parallelism)
                       : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, kMaxThreads);
  threads = std::min(threads, targets.size());
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& th : pool) th.join();
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!errors[i].ok()) return ForTarget(targets[i], errors[i]);
  }

  // 2. Everything missing in one publish: the blobs of all accounts are one batch (one
  // durability pass; identical content in several regions is written once).
  std::vector<PublishJob> jobs;
  std::vector<size_t> job_target;
  for (size_t i = 0; i < targets.size(); ++i) {
    const AccountPlan& plan = plans[i];
    if (plan.unchanged) {
      ++out.accounts_unchanged;
      continue;
    }
    for (size_t r = 0; r < plan.catalog->repositories.size(); ++r) {
      const artifacts::Repository& repo = plan.catalog->repositories[r];
      auto it = plan.present.find(repo.name);
      bool exists = it != plan.present.end() && it->second;
      if (plan.missing[r].empty() && exists) continue;
      jobs.push_back(
          {{targets[i].account_id, targets[i].region, repo.name}, &repo, &plan.missing[r]});
      job_target.push_back(i);
    }
  }
  size_t failed_job = 0;
  Status s = PublishRepositories(registry, jobs, &out.published, &failed_job);
  if (!s.ok() && failed_job < jobs.size()) return ForTarget(targets[job_target[failed_job]], s);
  return s;
}

}  // namespace cpa::server::registry
