#include "server/registry/seed.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "server/registry/artifacts/package_bundle.h"
#include "server/registry/manifest.h"
#include "server/registry/publish.h"
#include "server/store/packages_accounts.h"
#include "server/store/store_state.h"
#include "server/store/world.h"

namespace cpa::server::registry {
namespace {

namespace fs = std::filesystem;
namespace st = store;
namespace art = artifacts;
using core::ErrorCode;
using std::chrono::seconds;

constexpr int64_t kStart = 1714564800;  // 2024-05-01T12:00:00Z
constexpr const char* kDomain = "registry.test";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-seed-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    Open();
    auto world = st::EnsureWorld(*store_);
    ASSERT_TRUE(world.ok()) << world.status().ToString();
    ASSERT_EQ(world->packages_accounts, 32);
  }
  void TearDown() override {
    registry_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // Opens (or, after Close, reopens: a restart) the store and registry.
  void Open() {
    st::StoreOptions o;
    o.data_dir = dir_ + "/state";
    o.clock = &clock_;
    auto s = st::Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    RegistryOptions ro;
    ro.store = store_.get();
    ro.registry_domain = kDomain;
    auto r = Registry::Open(ro);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = std::move(*r);
  }
  void Restart() {
    registry_.reset();
    store_.reset();
    Open();
  }

  SeedReport Seed(const SeedOptions& options = {}) {
    SeedReport report;
    auto s = SeedPackagesRegistries(*registry_, *store_, options, &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return report;
  }

  // Row counts of the registry's tables: what a no-op seeding must leave unchanged.
  std::map<std::string, int64_t> RowCounts() {
    std::map<std::string, int64_t> out;
    auto& s = store_->internal_state();
    std::lock_guard lock(s.mu);
    for (const char* table : {"repositories", "blobs", "repository_blobs", "images",
                              "image_references", "image_tags", "uploads"}) {
      auto q = s.db->Prepare(std::string("SELECT COUNT(*) FROM ") + table);
      EXPECT_TRUE(q.ok());
      auto row = (*q)->Step();
      EXPECT_TRUE(row.ok() && *row);
      out[table] = (*q)->Int(0);
    }
    return out;
  }

  // Every (repository, digest, tag) of every packages account.
  std::set<std::string> Inventory() {
    std::set<std::string> out;
    for (const auto& e : st::kPackagesRegistryAccounts) {
      std::string account(e.account_id), region(e.region);
      auto repos = registry_->ListRepositories(account, region, {});
      EXPECT_TRUE(repos.ok());
      for (const Repository& r : repos->items) {
        auto images = registry_->ListImages(r.id, TagStatus::kAny, {});
        EXPECT_TRUE(images.ok());
        for (const ImageIdEntry& i : images->items) {
          out.insert(account + "/" + region + "/" + r.id.name + "@" + i.digest + ":" + i.tag);
        }
      }
    }
    return out;
  }

  // The bytes of a blob, checked against its digest.
  std::string Blob(const RepositoryId& id, const std::string& digest) {
    auto f = registry_->OpenBlob(id, digest);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    if (!f.ok()) return "";
    std::string bytes = ReadFile(f->path);
    EXPECT_EQ(bytes.size(), f->size);
    EXPECT_EQ(Sha256DigestOf(bytes), digest);
    return bytes;
  }

  core::FakeClock clock_{core::TimePoint(seconds(kStart))};
  std::string dir_;
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(SeedTest, SeedsEveryRegionOnceThenChangesNothing) {
  auto t0 = std::chrono::steady_clock::now();
  SeedReport report = Seed();
  auto t1 = std::chrono::steady_clock::now();
  std::cout << "[ timing ] first seeding of 32 regions: "
            << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms\n";
  EXPECT_EQ(report.accounts, 32);
  EXPECT_EQ(report.accounts_unchanged, 0);
  EXPECT_EQ(report.published.repositories_created, 32 * 6);

  const art::SeedOptions defaults;
  for (const auto& e : st::kPackagesRegistryAccounts) {
    SCOPED_TRACE(std::string(e.region));
    const std::string account(e.account_id), region(e.region);
    const std::string host = registry_->RegistryHost(account, region);
    EXPECT_EQ(host, account + ".dkr.ecr." + region + "." + kDomain);
    const RepositoryId bundles{account, region, std::string(art::kBundleRepository)};
    auto tags = registry_->ListImageTags(bundles, {});
    ASSERT_TRUE(tags.ok()) << tags.status().ToString();
    std::set<std::string> tag_set(tags->items.begin(), tags->items.end());
    for (const std::string& kube : defaults.kube_versions) {
      EXPECT_EQ(tag_set.count("v" + kube + "-latest"), 1u) << kube;
      EXPECT_EQ(tag_set.count("v" + kube + "-1001"), 1u) << kube;
    }

    // What the controller does: pull v1-NN-latest, read layers[0] as the bundle.
    auto image = registry_->GetImage(bundles, {.digest = "", .tag = "v1-35-latest"});
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    EXPECT_EQ(Sha256DigestOf(image->manifest), image->digest);
    auto parsed = ParseManifest(image->manifest, image->media_type);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_FALSE(parsed->layers.empty());
    const std::string yaml = Blob(bundles, parsed->layers[0].digest);
    YAML::Node doc = YAML::Load(yaml);
    EXPECT_EQ(doc["kind"].as<std::string>(), "PackageBundle");
    EXPECT_EQ(doc["metadata"]["name"].as<std::string>(), "v1-35-1001");
    std::set<std::string> names;
    for (const YAML::Node& p : doc["spec"]["packages"]) {
      const std::string name = p["name"].as<std::string>();
      names.insert(name);
      EXPECT_EQ(p["source"]["registry"].as<std::string>(), host) << name;
      // The chart the bundle names is in this registry, under that version and digest.
      const RepositoryId chart{account, region, p["source"]["repository"].as<std::string>()};
      const YAML::Node v = p["source"]["versions"][0];
      auto chart_image =
          registry_->GetImage(chart, {.digest = "", .tag = v["name"].as<std::string>()});
      ASSERT_TRUE(chart_image.ok()) << chart_image.status().ToString();
      EXPECT_EQ(chart_image->digest, v["digest"].as<std::string>());
      const RepositoryId image_repo{account, region,
                                    v["images"][0]["repository"].as<std::string>()};
      auto index = registry_->GetImage(
          image_repo, {.digest = v["images"][0]["digest"].as<std::string>(), .tag = ""});
      ASSERT_TRUE(index.ok()) << index.status().ToString();
      auto parsed_index = ParseManifest(index->manifest, index->media_type);
      ASSERT_TRUE(parsed_index.ok());
      EXPECT_TRUE(parsed_index->is_index());
      for (const Descriptor& d : parsed_index->manifests) {
        auto child = registry_->GetImage(image_repo, {.digest = d.digest, .tag = ""});
        ASSERT_TRUE(child.ok()) << child.status().ToString();
        auto pc = ParseManifest(child->manifest, child->media_type);
        ASSERT_TRUE(pc.ok());
        for (const Descriptor& b : pc->RequiredBlobs()) {
          EXPECT_EQ(Blob(image_repo, b.digest).size(), b.size);
        }
      }
    }
    EXPECT_EQ(names, (std::set<std::string>{"harbor", "hello-eks-anywhere", "metrics-server"}));
  }

  // A second run, and a run after a restart, change nothing (one test: seeding 32 regions and
  // deleting their files is what costs here).
  const auto rows = RowCounts();
  const auto inventory = Inventory();
  EXPECT_GT(rows.at("images"), 0);
  // Each distinct blob is one file, whichever regions share it; nothing is left in tmp/.
  int64_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ + "/state/registry/blobs")) {
    files += e.is_regular_file();
  }
  EXPECT_EQ(files, rows.at("blobs"));
  EXPECT_TRUE(fs::is_empty(dir_ + "/state/registry/tmp"));

  auto again_start = std::chrono::steady_clock::now();
  SeedReport again = Seed();
  auto again_end = std::chrono::steady_clock::now();
  EXPECT_EQ(again.accounts, 32);
  EXPECT_EQ(again.accounts_unchanged, 32);
  EXPECT_EQ(again.published.repositories_created, 0);
  EXPECT_EQ(again.published.blobs_pushed, 0);
  EXPECT_EQ(again.published.manifests_pushed, 0);
  EXPECT_EQ(again.published.tags_set, 0);
  EXPECT_EQ(RowCounts(), rows);
  EXPECT_EQ(Inventory(), inventory);

  Restart();
  auto restart_start = std::chrono::steady_clock::now();
  SeedReport after_restart = Seed();
  auto restart_end = std::chrono::steady_clock::now();
  std::cout << "[ timing ] seeding again: "
            << std::chrono::duration<double, std::milli>(again_end - again_start).count()
            << " ms; after a restart: "
            << std::chrono::duration<double, std::milli>(restart_end - restart_start).count()
            << " ms\n";
  EXPECT_EQ(after_restart.accounts_unchanged, 32);
  EXPECT_EQ(RowCounts(), rows);
  EXPECT_EQ(Inventory(), inventory);
}

TEST_F(SeedTest, AFailedBlobBatchAddsNoImageAndTheNextStartCompletes) {
  // One blob's directory cannot be made (a file is in its way): the batch fails midway.
  const std::string account(*st::PackagesAccountForRegion("us-west-2"));
  auto catalog = art::SeedCatalog(registry_->RegistryHost(account, "us-west-2"), "us-west-2");
  ASSERT_TRUE(catalog.ok());
  const std::string digest = catalog->repositories[0].blobs[1].digest;  // a bundle layer
  const std::string blocked = dir_ + "/state/registry/blobs/sha256/" + digest.substr(7, 2);
  fs::create_directories(fs::path(blocked).parent_path());
  { std::ofstream(blocked) << "in the way"; }

  SeedReport report;
  auto s = SeedPackagesRegistries(*registry_, *store_, {}, &report);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kInternal) << s.ToString();
  auto rows = RowCounts();
  for (const char* table : {"blobs", "repository_blobs", "images", "image_tags"}) {
    EXPECT_EQ(rows.at(table), 0) << table;
  }
  EXPECT_TRUE(fs::is_empty(dir_ + "/state/registry/tmp"));

  fs::remove(blocked);
  report = Seed();
  EXPECT_EQ(report.accounts_unchanged, 0);
  EXPECT_EQ(report.published.repositories_created, 0);  // created by the failed run
  EXPECT_GT(report.published.blobs_pushed, 0);
  const RepositoryId bundles{account, "us-west-2", std::string(art::kBundleRepository)};
  auto image = registry_->GetImage(bundles, {.digest = "", .tag = "v1-35-latest"});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  auto parsed = ParseManifest(image->manifest, image->media_type);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(Blob(bundles, parsed->layers[0].digest).empty());
  EXPECT_EQ(Seed().accounts_unchanged, 32);
}

TEST_F(SeedTest, AddsMissingTagsAndNeverMovesExistingOnes) {
  SeedOptions one;
  one.regions = {"us-west-2"};
  Seed(one);
  const std::string account(*st::PackagesAccountForRegion("us-west-2"));
  const RepositoryId bundles{account, "us-west-2", std::string(art::kBundleRepository)};
  auto seeded_135 = registry_->GetImage(bundles, {.digest = "", .tag = "v1-35-latest"});
  ASSERT_TRUE(seeded_135.ok());

  // An operator replaces v1-29-latest with a bundle of their own; v1-35-latest goes away.
  auto own = BuildBundleArtifactFromYaml(
      "apiVersion: packages.eks.amazonaws.com/v1alpha1\nkind: PackageBundle\nmetadata:\n"
      "  name: v1-29-2000\n  namespace: eksa-packages\nspec:\n  packages:\n"
      "  - name: hello-eks-anywhere\n    source:\n      repository: hello-eks-anywhere\n"
      "      versions:\n      - name: 0.1.2-own\n");
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  auto published = PublishArtifact(*registry_, bundles, *own, {"v1-29-latest"});
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  ASSERT_TRUE(registry_->UntagImage(bundles, "v1-35-latest").ok());

  SeedReport report = Seed(one);
  EXPECT_EQ(report.accounts, 1);
  EXPECT_EQ(report.accounts_unchanged, 0);
  EXPECT_EQ(report.published.tags_set, 1);
  EXPECT_EQ(report.published.manifests_pushed, 0);
  EXPECT_EQ(report.published.blobs_pushed, 0);
  auto restored = registry_->GetImage(bundles, {.digest = "", .tag = "v1-35-latest"});
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->digest, seeded_135->digest);
  auto kept = registry_->GetImage(bundles, {.digest = "", .tag = "v1-29-latest"});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->digest, own->manifest.digest);

  // A deleted repository comes back whole.
  const RepositoryId harbor{account, "us-west-2", "harbor/harbor-core"};
  ASSERT_TRUE(registry_->DeleteRepository(harbor, /*force=*/true).ok());
  report = Seed(one);
  EXPECT_EQ(report.published.repositories_created, 1);
  EXPECT_EQ(report.published.manifests_pushed, 3);  // the index and its two platform manifests
  auto tags = registry_->ListImageTags(harbor, {});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->items.size(), 1u);
}

TEST_F(SeedTest, RegionsMustHaveAPackagesAccount) {
  SeedOptions o;
  o.regions = {"us-west-2", "xx-nowhere-1"};
  SeedReport report;
  auto s = SeedPackagesRegistries(*registry_, *store_, o, &report);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("xx-nowhere-1"), std::string::npos) << s.message();
  EXPECT_EQ(RowCounts().at("repositories"), 0);

  o.regions = {"eu-west-1"};
  o.catalog.kube_versions = {"1-30", "1.30"};
  s = SeedPackagesRegistries(*registry_, *store_, o, &report);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.ToString();
}

TEST_F(SeedTest, SequentialAndParallelSeedingGiveTheSameContent) {
  SeedOptions sequential;
  sequential.parallelism = 1;
  sequential.regions = {"us-east-1", "eu-central-1", "ap-southeast-7"};
  Seed(sequential);
  const auto inventory = Inventory();
  const auto rows = RowCounts();
  TearDown();
  SetUp();
  SeedOptions parallel = sequential;
  parallel.parallelism = 3;
  Seed(parallel);
  EXPECT_EQ(Inventory(), inventory);
  EXPECT_EQ(RowCounts(), rows);
}

TEST_F(SeedTest, PublishArtifactIsIdempotentAndChecksItsInput) {
  const RepositoryId id{"111111111111", "us-west-2", "team/bundles"};
  auto a = BuildBundleArtifactFromYaml(
      "apiVersion: packages.eks.amazonaws.com/v1alpha1\nkind: PackageBundle\nmetadata:\n"
      "  name: v1-30-5\nspec:\n  packages:\n  - name: p\n    source:\n      repository: p\n"
      "      versions:\n      - name: 1.0.0\n");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  PublishStats first;
  auto image = PublishArtifact(*registry_, id, *a, {"v1-30-latest", "v1-30-5"}, &first);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->digest, a->manifest.digest);
  EXPECT_EQ(image->tags, (std::vector<std::string>{"v1-30-5", "v1-30-latest"}));
  EXPECT_EQ(first.repositories_created, 1);
  EXPECT_EQ(first.blobs_pushed, 2);
  EXPECT_EQ(first.manifests_pushed, 1);
  EXPECT_EQ(first.tags_set, 2);
  // The layer is the YAML verbatim.
  auto parsed = ParseManifest(image->manifest, image->media_type);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Blob(id, parsed->layers[0].digest), a->blobs[1].data);

  const auto rows = RowCounts();
  PublishStats second;
  ASSERT_TRUE(PublishArtifact(*registry_, id, *a, {"v1-30-latest", "v1-30-5"}, &second).ok());
  EXPECT_EQ(
      second.repositories_created + second.blobs_pushed + second.manifests_pushed + second.tags_set,
      0);
  EXPECT_EQ(RowCounts(), rows);

  EXPECT_EQ(PublishArtifact(*registry_, id, *a, {}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(PublishArtifact(*registry_, id, *a, {"bad tag"}).status().code(),
            ErrorCode::kInvalidArgument);

  const std::string head = "apiVersion: packages.eks.amazonaws.com/v1alpha1\nkind: PackageBundle\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{not: yaml", "not YAML"},
      {"- a\n- b\n", "not a YAML mapping"},
      {"apiVersion: v1\nkind: PackageBundle\n", "apiVersion"},
      {"apiVersion: packages.eks.amazonaws.com/v1alpha1\nkind: Package\n", "kind"},
      {head + "spec: {packages: [{name: p}]}\n", "metadata.name"},
      {head + "metadata: {name: x}\nspec: {packages: []}\n", "spec.packages"},
      {head + "metadata: {name: x}\nspec: {packages: [{name: p}]}\n",
       "spec.packages[0].source.repository"},
      {head + "metadata: {name: x}\nspec: {packages: [{name: p, source: {repository: r}}]}\n",
       "spec.packages[0].source.versions"},
      {head + "metadata: {name: x}\nspec: {packages: [{name: p, source: {repository: r, "
              "versions: [{digest: d}]}}]}\n",
       "versions[0].name"},
  };
  for (const auto& [yaml, want] : bad) {
    auto r = BuildBundleArtifactFromYaml(yaml);
    ASSERT_FALSE(r.ok()) << yaml;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace cpa::server::registry
