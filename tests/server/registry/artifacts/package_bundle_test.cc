#include "server/registry/artifacts/package_bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace cpa::server::registry::artifacts {
namespace {

using ::testing::HasSubstr;

const std::string kChartDigest =
    "sha256:bf6d89f6fe25ae782b62f131f8306904c603e638edae7d4e4d83da0045bc1604";
const std::string kImageDigest =
    "sha256:0d21da192be638a44fba3d34237e3f39f0161bec39e9ca33c0c435e0d74102ea";

PackageBundle Bundle() {
  PackageBundle b;
  b.name = "v1-28-1001";
  b.min_controller_version = "v0.4.4";
  b.packages = {{"hello-eks-anywhere",
                 "346438352937.dkr.ecr.us-west-2.amazonaws.com",
                 "hello-eks-anywhere",
                 {{"0.1.2-a6847010915747a9fc8a412b233a2b1ee608ae76",
                   kChartDigest,
                   {{"hello-eks-anywhere", kImageDigest}}}}},
                {"harbor", "", "harbor/harbor-helm", {{"2.11.1-abc", kImageDigest, {}}}}};
  return b;
}

TEST(PackageBundleTest, BundlesUnderSeveralNamesAreTheSameAsOneByOne) {
  // Names of BundleName's form share one rendering; any other name is rendered on its own.
  const std::vector<std::string> names = {"v1-28-1001",  "v1-29-1001",       "v1-100-7",
                                          "v1-30-1001x", "name: v1-28-1001", "v1-28-1001"};
  auto all = BuildPackageBundleArtifacts(Bundle(), names);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    PackageBundle b = Bundle();
    b.name = names[i];
    auto one = BuildPackageBundleArtifact(b);
    ASSERT_TRUE(one.ok()) << names[i];
    EXPECT_EQ((*all)[i].blobs, one->blobs) << names[i];
    EXPECT_EQ((*all)[i].manifest, one->manifest) << names[i];
    EXPECT_EQ(YAML::Load((*all)[i].blobs[1].data)["metadata"]["name"].as<std::string>(), names[i]);
  }
  // A first name of another form: every bundle is rendered on its own.
  auto odd = BuildPackageBundleArtifacts(Bundle(), {"latest", "v1-29-1001"});
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(YAML::Load((*odd)[1].blobs[1].data)["metadata"]["name"].as<std::string>(),
            "v1-29-1001");
  EXPECT_TRUE(BuildPackageBundleArtifacts(Bundle(), {})->empty());
  PackageBundle invalid = Bundle();
  invalid.packages.clear();
  EXPECT_EQ(BuildPackageBundleArtifacts(invalid, {"v1-28-1001"}).status().code(),
            core::ErrorCode::kInvalidArgument);
}

TEST(PackageBundleTest, KubeVersionsAndTags) {
  for (std::string text : {"1.28", "1-28", "v1.28", "v1-28"}) {
    auto k = ParseKubeVersion(text);
    ASSERT_TRUE(k.ok()) << text;
    EXPECT_EQ(*k, (KubeVersion{1, 28}));
  }
  for (std::string text : {"", "1", "1.", "v", "1.x", "1.28.3", "a-b", "1-1000"}) {
    EXPECT_FALSE(ParseKubeVersion(text).ok()) << text;
  }
  EXPECT_EQ(LatestBundleTag({1, 28}), "v1-28-latest");
  EXPECT_EQ(BundleName({1, 35}, 1001), "v1-35-1001");
}

TEST(PackageBundleTest, ExcludesAnnotationIsTheOneRealBundlesCarry) {
  EXPECT_EQ(ExcludesAnnotationValue(),
            "LnNwZWMucGFja2FnZXNbXS5zb3VyY2UucmVnaXN0cnkKLnNwZWMucGFja2FnZXNbXS5zb3VyY2UucmVwb3NpdG"
            "9yeQo=");
}

TEST(PackageBundleTest, YamlParsesToTheBundle) {
  auto text = RenderPackageBundleYaml(Bundle());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  YAML::Node y = YAML::Load(*text);
  EXPECT_EQ(y["apiVersion"].as<std::string>(), "packages.eks.amazonaws.com/v1alpha1");
  EXPECT_EQ(y["kind"].as<std::string>(), "PackageBundle");
  EXPECT_EQ(y["metadata"]["name"].as<std::string>(), "v1-28-1001");
  EXPECT_EQ(y["metadata"]["namespace"].as<std::string>(), "eksa-packages");
  EXPECT_EQ(y["metadata"]["annotations"]["eksa.aws.com/excludes"].as<std::string>(),
            ExcludesAnnotationValue());
  EXPECT_EQ(y["spec"]["minControllerVersion"].as<std::string>(), "v0.4.4");
  YAML::Node pkgs = y["spec"]["packages"];
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0]["name"].as<std::string>(), "hello-eks-anywhere");
  EXPECT_EQ(pkgs[0]["source"]["registry"].as<std::string>(),
            "346438352937.dkr.ecr.us-west-2.amazonaws.com");
  EXPECT_EQ(pkgs[0]["source"]["repository"].as<std::string>(), "hello-eks-anywhere");
  YAML::Node v = pkgs[0]["source"]["versions"][0];
  EXPECT_EQ(v["name"].as<std::string>(), "0.1.2-a6847010915747a9fc8a412b233a2b1ee608ae76");
  EXPECT_EQ(v["digest"].as<std::string>(), kChartDigest);
  EXPECT_EQ(v["images"][0]["repository"].as<std::string>(), "hello-eks-anywhere");
  EXPECT_EQ(v["images"][0]["digest"].as<std::string>(), kImageDigest);
  // Optional fields are omitted when empty.
  EXPECT_FALSE(pkgs[1]["source"]["registry"].IsDefined());
  EXPECT_FALSE(pkgs[1]["source"]["versions"][0]["images"].IsDefined());
  // Keys come sorted, as the published bundles have them.
  EXPECT_LT(text->find("apiVersion:"), text->find("kind:"));
  EXPECT_LT(text->find("kind:"), text->find("metadata:"));
  EXPECT_LT(text->find("digest: " + kChartDigest), text->find("images:"));
  EXPECT_LT(text->find("images:"), text->find("name: 0.1.2-"));
}

TEST(PackageBundleTest, ArtifactIsWhatOrasPushes) {
  auto a = BuildPackageBundleArtifact(Bundle());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->blobs.size(), 2u);
  EXPECT_TRUE(a->children.empty());
  const Blob& config = a->blobs[0];
  const Blob& layer = a->blobs[1];
  EXPECT_EQ(config.data, "{}");
  EXPECT_EQ(config.media_type, "application/vnd.unknown.config.v1+json");
  EXPECT_EQ(layer.media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(layer.data, *RenderPackageBundleYaml(Bundle()));
  // The layout of a published bundle manifest (eks-anywhere-packages
  // pkg/registry/testdata/image-manifest.json), byte for byte apart from the layer.
  EXPECT_EQ(a->manifest.data,
            "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
            "vnd.unknown.config.v1+json\",\"digest\":\"sha256:"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
            "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" +
                layer.digest + "\",\"size\":" + std::to_string(layer.size()) +
                ",\"annotations\":{\"org.opencontainers.image.title\":\"bundle.yaml\"}}]}");
  EXPECT_EQ(a->manifest.media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(a->manifest.digest, Sha256Digest(a->manifest.data));
}

TEST(PackageBundleTest, RejectsIncompleteBundles) {
  PackageBundle b = Bundle();
  b.name.clear();
  EXPECT_THAT(RenderPackageBundleYaml(b).status().message(), HasSubstr("needs a name"));
  b = Bundle();
  b.packages.clear();
  EXPECT_THAT(RenderPackageBundleYaml(b).status().message(), HasSubstr("at least one package"));
  b = Bundle();
  b.packages[0].repository.clear();
  EXPECT_THAT(RenderPackageBundleYaml(b).status().message(), HasSubstr("needs a repository"));
  b = Bundle();
  b.packages[0].versions.clear();
  EXPECT_THAT(RenderPackageBundleYaml(b).status().message(), HasSubstr("needs a version"));
  b = Bundle();
  b.packages[0].versions[0].digest = "sha256:ABC";
  EXPECT_THAT(RenderPackageBundleYaml(b).status().message(), HasSubstr("not sha256:<64 hex>"));
  b = Bundle();
  b.packages[0].versions[0].images[0].digest = "latest";
  EXPECT_EQ(BuildPackageBundleArtifact(b).status().code(), core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cpa::server::registry::artifacts
