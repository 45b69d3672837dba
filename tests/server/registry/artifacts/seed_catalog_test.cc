#include "server/registry/artifacts/seed_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "server/registry/artifacts/gzip.h"
#include "server/registry/artifacts/helm_chart.h"
#include "server/registry/artifacts/tar.h"
#include "test_tools.h"

namespace cpa::server::registry::artifacts {
namespace {

using ::testing::HasSubstr;

constexpr char kHost[] = "346438352937.dkr.ecr.us-west-2.amazonaws.com";
constexpr char kRegion[] = "us-west-2";

const Catalog& Seed() {
  static const Catalog* catalog = [] {
    auto c = SeedCatalog(kHost, kRegion);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return new Catalog(std::move(c).value());
  }();
  return *catalog;
}

// The blob of `repo` that manifest `m` lists as layer `i`.
const Blob& Layer(const Repository& repo, const Manifest& m, size_t i) {
  auto j = nlohmann::json::parse(m.data);
  const Blob* b = repo.FindBlob(j["layers"][i]["digest"].get<std::string>());
  EXPECT_NE(b, nullptr);
  static const Blob kNone;
  return b != nullptr ? *b : kNone;
}

TEST(SeedCatalogTest, HasTheBundleRepositoryAndThePackages) {
  const Catalog& c = Seed();
  EXPECT_EQ(c.registry_host, kHost);
  EXPECT_EQ(c.region, kRegion);
  ASSERT_FALSE(c.repositories.empty());
  EXPECT_EQ(c.repositories[0].name, "eks-anywhere-packages-bundles");
  std::vector<std::string> names;
  for (const Repository& r : c.repositories) names.push_back(r.name);
  EXPECT_THAT(names, ::testing::ElementsAre("eks-anywhere-packages-bundles", "hello-eks-anywhere",
                                            "harbor/harbor-core", "harbor/harbor-helm",
                                            "metrics-server/metrics-server",
                                            "metrics-server/charts/metrics-server"));
  ASSERT_EQ(c.packages.size(), 3u);
  EXPECT_EQ(c.packages[0].name, "hello-eks-anywhere");
  EXPECT_EQ(c.packages[1].name, "harbor");
  EXPECT_EQ(c.packages[2].name, "metrics-server");
  EXPECT_THAT(c.bundle_tags,
              ::testing::ElementsAre("v1-29-latest", "v1-30-latest", "v1-31-latest", "v1-32-latest",
                                     "v1-33-latest", "v1-34-latest", "v1-35-latest"));
}

TEST(SeedCatalogTest, EveryRepositoryIsSelfConsistent) {
  for (const Repository& r : Seed().repositories) {
    SCOPED_TRACE(r.name);
    for (const Blob& b : r.blobs) EXPECT_EQ(b.digest, Sha256Digest(b.data));
    for (size_t i = 0; i < r.manifests.size(); ++i) {
      const Manifest& m = r.manifests[i];
      EXPECT_EQ(m.digest, Sha256Digest(m.data));
      auto j = nlohmann::json::parse(m.data);
      EXPECT_EQ(j["schemaVersion"], 2);
      if (m.media_type == kOciIndexMediaType) {
        // Children are listed before the index (push order).
        for (const auto& d : j["manifests"]) {
          bool before = false;
          for (size_t k = 0; k < i; ++k) before |= r.manifests[k].digest == d["digest"];
          EXPECT_TRUE(before) << d["digest"];
        }
      } else {
        ASSERT_EQ(m.media_type, kOciManifestMediaType);
        std::vector<nlohmann::json> refs = {j["config"]};
        for (const auto& l : j["layers"]) refs.push_back(l);
        for (const auto& d : refs) {
          const Blob* b = r.FindBlob(d["digest"].get<std::string>());
          ASSERT_NE(b, nullptr) << d["digest"];
          EXPECT_EQ(d["size"], b->size());
          EXPECT_EQ(d["mediaType"], b->media_type);
        }
      }
    }
    for (const Tag& t : r.tags) EXPECT_NE(r.FindManifest(t.digest), nullptr) << t.name;
  }
}

TEST(SeedCatalogTest, BundlesReferenceTheSeededChartsAndImages) {
  const Catalog& c = Seed();
  const Repository* bundles = c.Find("eks-anywhere-packages-bundles");
  ASSERT_NE(bundles, nullptr);
  for (int minor = 29; minor <= 35; ++minor) {
    std::string latest = "v1-" + std::to_string(minor) + "-latest";
    std::string versioned = "v1-" + std::to_string(minor) + "-1001";
    SCOPED_TRACE(latest);
    const Tag* tag = bundles->FindTag(latest);
    ASSERT_NE(tag, nullptr);
    const Tag* named = bundles->FindTag(versioned);
    ASSERT_NE(named, nullptr);
    EXPECT_EQ(named->digest, tag->digest);

    const Manifest* m = bundles->FindManifest(tag->digest);
    ASSERT_NE(m, nullptr);
    const Blob& layer = Layer(*bundles, *m, 0);  // the controller reads Layers[0]
    EXPECT_EQ(layer.media_type, "application/vnd.oci.image.layer.v1.tar");
    YAML::Node y = YAML::Load(layer.data);
    EXPECT_EQ(y["kind"].as<std::string>(), "PackageBundle");
    EXPECT_EQ(y["metadata"]["name"].as<std::string>(), versioned);
    YAML::Node pkgs = y["spec"]["packages"];
    ASSERT_EQ(pkgs.size(), 3u);
    for (size_t i = 0; i < pkgs.size(); ++i) {
      const SeededPackage& seeded = c.packages[i];
      YAML::Node src = pkgs[i]["source"];
      EXPECT_EQ(pkgs[i]["name"].as<std::string>(), seeded.name);
      EXPECT_EQ(src["registry"].as<std::string>(), kHost);
      EXPECT_EQ(src["repository"].as<std::string>(), seeded.chart_repository);
      YAML::Node v = src["versions"][0];
      EXPECT_EQ(v["name"].as<std::string>(), seeded.chart_version);
      EXPECT_EQ(v["digest"].as<std::string>(), seeded.chart_digest);
      EXPECT_EQ(v["images"][0]["repository"].as<std::string>(), seeded.image_repository);
      EXPECT_EQ(v["images"][0]["digest"].as<std::string>(), seeded.image_digest);

      // The chart is pullable at oci://<registry>/<repository>:<version>, with that digest.
      const Repository* charts = c.Find(seeded.chart_repository);
      ASSERT_NE(charts, nullptr);
      const Tag* chart_tag = charts->FindTag(ChartTag(seeded.chart_version));
      ASSERT_NE(chart_tag, nullptr);
      EXPECT_EQ(chart_tag->digest, seeded.chart_digest);
      // The image index is in the image repository under its tag.
      const Repository* images = c.Find(seeded.image_repository);
      ASSERT_NE(images, nullptr);
      const Tag* image_tag = images->FindTag(seeded.image_tag);
      ASSERT_NE(image_tag, nullptr);
      EXPECT_EQ(image_tag->digest, seeded.image_digest);
      EXPECT_EQ(images->FindManifest(seeded.image_digest)->media_type, kOciIndexMediaType);
    }
  }
}

TEST(SeedCatalogTest, ChartsPointAtTheirImages) {
  const Catalog& c = Seed();
  for (const SeededPackage& p : c.packages) {
    SCOPED_TRACE(p.name);
    const Repository* charts = c.Find(p.chart_repository);
    ASSERT_NE(charts, nullptr);
    const Manifest* m = charts->FindManifest(p.chart_digest);
    ASSERT_NE(m, nullptr);
    const Blob& package = Layer(*charts, *m, 0);
    EXPECT_EQ(package.media_type, kHelmChartContentMediaType);
    auto entries = ReadTar(*GzipDecompress(package.data));
    ASSERT_TRUE(entries.ok());
    std::string values;
    for (const TarEntry& e : *entries) {
      if (e.path == p.name + "/values.yaml") values = e.content;
    }
    YAML::Node v = YAML::Load(values);
    EXPECT_EQ(v["sourceRegistry"].as<std::string>(), kHost);
    EXPECT_EQ(v["image"]["repository"].as<std::string>(), p.image_repository);
    EXPECT_EQ(v["image"]["digest"].as<std::string>(), p.image_digest);
    EXPECT_THAT(p.chart_version, ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+-[0-9a-f]{40}"));
    EXPECT_EQ(p.image_tag, "v" + p.chart_version);
  }
}

TEST(SeedCatalogTest, IsDeterministic) {
  auto again = SeedCatalog(kHost, kRegion);
  ASSERT_TRUE(again.ok());
  const Catalog& c = Seed();
  ASSERT_EQ(again->repositories.size(), c.repositories.size());
  for (size_t i = 0; i < c.repositories.size(); ++i) {
    EXPECT_EQ(again->repositories[i].name, c.repositories[i].name);
    EXPECT_EQ(again->repositories[i].blobs, c.repositories[i].blobs);
    EXPECT_EQ(again->repositories[i].manifests, c.repositories[i].manifests);
    ASSERT_EQ(again->repositories[i].tags.size(), c.repositories[i].tags.size());
    for (size_t t = 0; t < c.repositories[i].tags.size(); ++t) {
      EXPECT_EQ(again->repositories[i].tags[t].name, c.repositories[i].tags[t].name);
      EXPECT_EQ(again->repositories[i].tags[t].digest, c.repositories[i].tags[t].digest);
    }
  }
}

TEST(SeedCatalogTest, RegistryHostChangesChartsAndBundlesButNotImages) {
  auto other = SeedCatalog("331113665574.dkr.ecr.us-east-1.amazonaws.com", "us-east-1");
  ASSERT_TRUE(other.ok());
  const Catalog& c = Seed();
  for (size_t i = 0; i < c.packages.size(); ++i) {
    EXPECT_EQ(other->packages[i].image_digest, c.packages[i].image_digest);
    EXPECT_NE(other->packages[i].chart_digest, c.packages[i].chart_digest);
  }
  EXPECT_NE(other->repositories[0].FindTag("v1-30-latest")->digest,
            c.repositories[0].FindTag("v1-30-latest")->digest);
}

TEST(SeedCatalogTest, OptionsSelectKubernetesVersions) {
  SeedOptions o;
  o.kube_versions = {"1.28", "v1-33"};
  o.bundle_build = 7;
  auto c = SeedCatalog("localhost:5000", "eu-west-1", o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_THAT(c->bundle_tags, ::testing::ElementsAre("v1-28-latest", "v1-33-latest"));
  const Repository& bundles = c->repositories[0];
  EXPECT_EQ(bundles.tags.size(), 4u);
  EXPECT_NE(bundles.FindTag("v1-28-7"), nullptr);
  EXPECT_NE(bundles.FindTag("v1-33-7"), nullptr);
  EXPECT_EQ(bundles.manifests.size(), 2u);
  EXPECT_EQ(bundles.blobs.size(), 3u);  // one shared "{}" config, two bundle layers
}

TEST(SeedCatalogTest, RejectsBadInput) {
  auto err = [](std::string_view host, std::string_view region, SeedOptions o = {}) {
    auto c = SeedCatalog(host, region, o);
    EXPECT_FALSE(c.ok()) << host << " " << region;
    EXPECT_EQ(c.status().code(), core::ErrorCode::kInvalidArgument);
    return c.status().message();
  };
  EXPECT_THAT(err(kHost, "uswest2"), HasSubstr("not an AWS Region"));
  EXPECT_THAT(err(kHost, "US-WEST-2"), HasSubstr("not an AWS Region"));
  EXPECT_THAT(err(kHost, "us-east-1"), HasSubstr("is in region 'us-west-2', not 'us-east-1'"));
  EXPECT_THAT(err("Registry.Example.com", kRegion), HasSubstr("lowercase host name"));
  EXPECT_THAT(err("", kRegion), HasSubstr("lowercase host name"));
  EXPECT_THAT(err("host/path", kRegion), HasSubstr("lowercase host name"));
  EXPECT_THAT(err("localhost:", kRegion), HasSubstr("bad port"));
  EXPECT_THAT(err("localhost:12x", kRegion), HasSubstr("bad port"));
  EXPECT_THAT(err(kHost, kRegion, SeedOptions{.kube_versions = {}}), HasSubstr("at least one"));
  EXPECT_THAT(err(kHost, kRegion, SeedOptions{.kube_versions = {"1.28", "1-28"}}),
              HasSubstr("appears twice"));
  EXPECT_THAT(err(kHost, kRegion, SeedOptions{.kube_versions = {"latest"}}),
              HasSubstr("not of the form"));
  EXPECT_THAT(err(kHost, kRegion, SeedOptions{.kube_versions = {"1.28"}, .bundle_build = 0}),
              HasSubstr("positive"));
}

// Writes `repo` as an OCI image layout, the format skopeo reads with the oci: transport.
void WriteOciLayout(const test::ScratchDir& dir, const std::string& sub, const Repository& repo) {
  dir.Write(sub + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
  for (const Blob& b : repo.blobs) dir.Write(sub + "/blobs/sha256/" + b.digest.substr(7), b.data);
  for (const Manifest& m : repo.manifests) {
    dir.Write(sub + "/blobs/sha256/" + m.digest.substr(7), m.data);
  }
  nlohmann::ordered_json index;
  index["schemaVersion"] = 2;
  index["manifests"] = nlohmann::ordered_json::array();
  for (const Tag& t : repo.tags) {
    const Manifest* m = repo.FindManifest(t.digest);
    nlohmann::ordered_json d;
    d["mediaType"] = m->media_type;
    d["digest"] = m->digest;
    d["size"] = m->size();
    d["annotations"] = {{"org.opencontainers.image.ref.name", t.name}};
    index["manifests"].push_back(d);
  }
  dir.Write(sub + "/index.json", index.dump());
}

TEST(SeedCatalogTest, SkopeoReadsAndCopiesTheArtifacts) {
  if (!test::HaveCommand("skopeo")) GTEST_SKIP() << "skopeo not installed";
  // One Kubernetes version keeps the number of skopeo runs (about 40 ms each) small.
  auto seeded = SeedCatalog(kHost, kRegion, SeedOptions{.kube_versions = {"1-31"}});
  ASSERT_TRUE(seeded.ok());
  const Catalog& c = *seeded;
  test::ScratchDir dir;
  const std::string policy =
      dir.Write("policy.json", "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
  const std::string skopeo = "skopeo --policy " + test::ShellQuote(policy) + " ";
  for (size_t i = 0; i < c.repositories.size(); ++i) {
    const Repository& r = c.repositories[i];
    SCOPED_TRACE(r.name);
    std::string sub = "repo" + std::to_string(i);
    WriteOciLayout(dir, sub, r);
    for (const Tag& t : r.tags) {
      // A copy verifies every blob against its digest and size, and the dir: transport keeps the
      // manifest bytes as they were.
      std::string ref = test::ShellQuote("oci:" + dir.path() + "/" + sub + ":" + t.name);
      std::string out = dir.path() + "/copy-" + sub + "-" + t.name;
      auto copy = test::Run(skopeo + "copy --all --quiet " + ref + " " +
                            test::ShellQuote("dir:" + out) + " 2>&1");
      ASSERT_EQ(copy.exit_code, 0) << copy.output;
      EXPECT_EQ(test::ReadFile(out + "/manifest.json"), r.FindManifest(t.digest)->data) << t.name;
    }
  }
  // Images: skopeo parses the config of the platform it picks.
  const SeededPackage& hello = c.packages[0];
  std::string sub = "repo1";
  ASSERT_EQ(c.repositories[1].name, hello.image_repository);
  auto inspect = test::Run(
      skopeo + "--override-arch arm64 --override-os linux inspect " +
      test::ShellQuote("oci:" + dir.path() + "/" + sub + ":" + hello.image_tag) + " 2>&1");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.output;
  auto j = nlohmann::json::parse(inspect.output);
  EXPECT_EQ(j["Architecture"], "arm64");
  EXPECT_EQ(j["Os"], "linux");
  EXPECT_EQ(j["Layers"].size(), 1u);
}

}  // namespace
}  // namespace cpa::server::registry::artifacts
