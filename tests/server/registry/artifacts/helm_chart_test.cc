#include "server/registry/artifacts/helm_chart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "server/registry/artifacts/gzip.h"
#include "server/registry/artifacts/tar.h"
#include "test_tools.h"

namespace cpa::server::registry::artifacts {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

ChartSpec Hello() {
  ChartSpec c;
  c.name = "hello-eks-anywhere";
  c.version = "0.1.2-39c950cce324ee9af2ffb3ce4ac8232c497e22eb";
  c.app_version = "0.1.2";
  c.description = "Hello";
  c.values_yaml = "sourceRegistry: example\n";
  c.templates = {{"service.yaml", "kind: Service\n"}, {"deployment.yaml", "kind: Deployment\n"}};
  return c;
}

TEST(HelmChartTest, PackageHoldsChartFilesUnderTheChartName) {
  auto tgz = PackageChart(Hello());
  ASSERT_TRUE(tgz.ok()) << tgz.status().ToString();
  auto tar = GzipDecompress(*tgz);
  ASSERT_TRUE(tar.ok());
  auto entries = ReadTar(*tar);
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> paths;
  for (const TarEntry& e : *entries) {
    paths.push_back(e.path);
    EXPECT_EQ(e.type, TarEntry::Type::kFile);
    EXPECT_EQ(e.mode, 0644u);
  }
  EXPECT_THAT(paths, ::testing::ElementsAre("hello-eks-anywhere/Chart.yaml",
                                            "hello-eks-anywhere/values.yaml",
                                            "hello-eks-anywhere/templates/deployment.yaml",
                                            "hello-eks-anywhere/templates/service.yaml"));

  YAML::Node chart = YAML::Load((*entries)[0].content);
  EXPECT_EQ(chart["apiVersion"].as<std::string>(), "v2");
  EXPECT_EQ(chart["name"].as<std::string>(), "hello-eks-anywhere");
  EXPECT_EQ(chart["version"].as<std::string>(), Hello().version);
  EXPECT_EQ(chart["appVersion"].as<std::string>(), "0.1.2");
  EXPECT_EQ(chart["type"].as<std::string>(), "application");
  EXPECT_EQ((*entries)[1].content, "sourceRegistry: example\n");
}

TEST(HelmChartTest, PythonTarfileReadsThePackage) {
  if (!test::HaveCommand("python3")) GTEST_SKIP() << "python3 not installed";
  auto tgz = PackageChart(Hello());
  ASSERT_TRUE(tgz.ok());
  test::ScratchDir dir;
  std::string file = dir.Write("hello.tgz", *tgz);
  auto r = test::Run(
      "python3 -c 'import sys, tarfile\n"
      "with tarfile.open(sys.argv[1], \"r:gz\") as t:\n"
      "  print(\" \".join(t.getnames()))\n"
      "  sys.stdout.write(t.extractfile(\"hello-eks-anywhere/Chart.yaml\").read().decode())\n' " +
      test::ShellQuote(file));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto chart_yaml = RenderChartYaml(Hello());
  ASSERT_TRUE(chart_yaml.ok());
  EXPECT_EQ(r.output,
            "hello-eks-anywhere/Chart.yaml hello-eks-anywhere/values.yaml "
            "hello-eks-anywhere/templates/deployment.yaml "
            "hello-eks-anywhere/templates/service.yaml\n" +
                *chart_yaml);
}

TEST(HelmChartTest, ArtifactIsWhatHelmPushes) {
  auto a = BuildHelmChart(Hello());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->blobs.size(), 2u);
  EXPECT_TRUE(a->children.empty());
  const Blob& config = a->blobs[0];
  const Blob& chart = a->blobs[1];
  EXPECT_EQ(config.media_type, "application/vnd.cncf.helm.config.v1+json");
  EXPECT_EQ(chart.media_type, "application/vnd.cncf.helm.chart.content.v1.tar+gzip");
  EXPECT_EQ(chart.data, *PackageChart(Hello()));
  EXPECT_EQ(config.data,
            "{\"name\":\"hello-eks-anywhere\",\"version\":\"0.1.2-"
            "39c950cce324ee9af2ffb3ce4ac8232c497e22eb\",\"description\":\"Hello\","
            "\"apiVersion\":\"v2\",\"appVersion\":\"0.1.2\",\"type\":\"application\"}");

  EXPECT_EQ(a->manifest.media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(a->manifest.digest, Sha256Digest(a->manifest.data));
  EXPECT_THAT(a->manifest.data,
              StartsWith("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
                         "vnd.cncf.helm.config.v1+json\""));
  auto m = nlohmann::json::parse(a->manifest.data);
  EXPECT_FALSE(m.contains("mediaType"));
  EXPECT_EQ(m["config"]["digest"], config.digest);
  EXPECT_EQ(m["config"]["size"], config.size());
  ASSERT_EQ(m["layers"].size(), 1u);
  EXPECT_EQ(m["layers"][0]["digest"], chart.digest);
  EXPECT_EQ(m["layers"][0]["size"], chart.size());
  EXPECT_EQ(m["layers"][0]["mediaType"], chart.media_type);
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.title"], "hello-eks-anywhere");
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.version"], Hello().version);
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.description"], "Hello");
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.created"], "1970-01-01T00:00:00Z");
}

TEST(HelmChartTest, SameChartSameDigests) {
  auto a = BuildHelmChart(Hello());
  auto b = BuildHelmChart(Hello());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->manifest, b->manifest);
  EXPECT_EQ(a->blobs, b->blobs);
  ChartSpec other = Hello();
  other.values_yaml = "sourceRegistry: elsewhere\n";
  auto c = BuildHelmChart(other);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->manifest.digest, a->manifest.digest);
  EXPECT_EQ(c->blobs[0], a->blobs[0]);  // same metadata, same config
}

TEST(HelmChartTest, RejectsBadNamesVersionsAndPaths) {
  for (const std::string& name : std::vector<std::string>{"", "Hello", "-hello", "hello-",
                                                          "hello_world", std::string(64, 'a')}) {
    ChartSpec c = Hello();
    c.name = name;
    auto r = BuildHelmChart(c);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_THAT(r.status().message(), HasSubstr("chart name"));
  }
  for (std::string version :
       {"", "1.0", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3-a..b", "v1.2.3", "1.2.3+"}) {
    ChartSpec c = Hello();
    c.version = version;
    auto r = BuildHelmChart(c);
    ASSERT_FALSE(r.ok()) << version;
    EXPECT_THAT(r.status().message(), HasSubstr("SemVer"));
  }
  for (std::string version : {"1.2.3", "0.0.0-alpha.1", "1.2.3-rc.1+build.5", "10.20.30-0a"}) {
    ChartSpec c = Hello();
    c.version = version;
    EXPECT_TRUE(BuildHelmChart(c).ok()) << version;
  }
  ChartSpec dup = Hello();
  dup.templates.push_back({"service.yaml", "again"});
  EXPECT_THAT(BuildHelmChart(dup).status().message(), HasSubstr("appears twice"));
  ChartSpec escape = Hello();
  escape.templates = {{"../../etc/passwd", "x"}};
  EXPECT_EQ(BuildHelmChart(escape).status().code(), core::ErrorCode::kInvalidArgument);
}

TEST(HelmChartTest, ChartTagReplacesPlus) {
  EXPECT_EQ(ChartTag("1.2.3+build.5"), "1.2.3_build.5");
  EXPECT_EQ(ChartTag("0.1.2-abc"), "0.1.2-abc");
}

}  // namespace
}  // namespace cpa::server::registry::artifacts
