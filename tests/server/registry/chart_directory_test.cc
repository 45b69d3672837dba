#include "server/registry/chart_directory.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/registry/artifacts/gzip.h"
#include "server/registry/artifacts/tar.h"
#include "server/registry/manifest.h"

namespace cpa::server::registry {
namespace {

namespace art = artifacts;
using core::ErrorCode;

HelmIgnore Rules(std::string_view text) {
  auto r = HelmIgnore::Parse(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : *HelmIgnore::Parse("");
}

TEST(HelmIgnoreTest, PatternsMatchAsHelmDoes) {
  HelmIgnore rules = Rules("# comment\n\n*.tmp\n/top.txt\ndocs/*.md\nbuild/\n");
  EXPECT_TRUE(rules.Ignored("a.tmp", false));
  EXPECT_TRUE(rules.Ignored("templates/deep/a.tmp", false));  // no '/': the base name
  EXPECT_TRUE(rules.Ignored("top.txt", false));
  EXPECT_FALSE(rules.Ignored("sub/top.txt", false));  // anchored at the root
  EXPECT_TRUE(rules.Ignored("docs/readme.md", false));
  EXPECT_FALSE(rules.Ignored("docs/sub/readme.md", false));  // '*' stops at '/'
  EXPECT_TRUE(rules.Ignored("build", true));
  EXPECT_FALSE(rules.Ignored("build", false));  // "build/" is for directories only
  EXPECT_FALSE(rules.Ignored("values.yaml", false));
  EXPECT_FALSE(rules.Ignored("", true));
  // helm's default rule: dotfiles directly in templates/.
  EXPECT_TRUE(rules.Ignored("templates/.notes", false));
  EXPECT_FALSE(rules.Ignored("templates/notes", false));
  EXPECT_FALSE(rules.Ignored(".helmignore", false));
}

TEST(HelmIgnoreTest, NegationEndsEvaluationAsHelmDoes) {
  // helm: a negated rule that does not match ignores the path; one that matches goes on.
  HelmIgnore rules = Rules("!*.yaml\n");
  EXPECT_FALSE(rules.Ignored("values.yaml", false));
  EXPECT_TRUE(rules.Ignored("README.md", false));
}

TEST(HelmIgnoreTest, BadPatternsAreErrors) {
  for (const char* text : {"templates/**\n", "ok\n[abc\n", "trailing\\"}) {
    auto r = HelmIgnore::Parse(text);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << text;
  }
  EXPECT_NE(HelmIgnore::Parse("ok\n**\n").status().message().find("line 2"), std::string::npos);
}

std::vector<ChartSourceFile> Chart(std::string chart_yaml) {
  return {{"templates/b.yaml", "kind: B\n"},
          {"values.yaml", "a: 1\n"},
          {"README.md", "readme\n"},
          {"Chart.yaml", std::move(chart_yaml)},
          {"templates/a.yaml", "kind: A\n"}};
}

TEST(ChartDirectoryTest, PackagesAsHelmPushLaysItOut) {
  const std::string chart_yaml =
      "apiVersion: v2\nname: demo\nversion: 1.2.3+meta\ndescription: Demo\nappVersion: 1.10\n"
      "home: https://example.com\nsources: [https://src.example.com, https://other]\n"
      "keywords: [a, b]\nmaintainers:\n- name: Ann\n  email: ann@example.com\n- name: Bob\n"
      "annotations:\n  category: Tools\n  org.opencontainers.image.title: ignored\n"
      "dependencies:\n- name: dep\n  version: ~1.0\n  repository: oci://r/charts\n"
      "  enabled: true\n  import-values: [child]\ntype: application\ndeprecated: false\n";
  auto p = PackageChartFiles(Chart(chart_yaml));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "demo");
  EXPECT_EQ(p->version, "1.2.3+meta");
  EXPECT_EQ(p->tag, "1.2.3_meta");

  const art::Artifact& a = p->artifact;
  ASSERT_EQ(a.blobs.size(), 2u);
  EXPECT_EQ(a.blobs[0].media_type, art::kHelmConfigMediaType);
  // helm's chart.Metadata field order; empty fields omitted; annotations sorted.
  EXPECT_EQ(a.blobs[0].data,
            R"({"name":"demo","home":"https://example.com","sources":["https://src.example.com",)"
            R"("https://other"],"version":"1.2.3+meta","description":"Demo","keywords":["a","b"],)"
            R"("maintainers":[{"name":"Ann","email":"ann@example.com"},{"name":"Bob"}],)"
            R"("apiVersion":"v2","appVersion":"1.10","annotations":{"category":"Tools",)"
            R"("org.opencontainers.image.title":"ignored"},"dependencies":[{"name":"dep",)"
            R"("version":"~1.0","repository":"oci://r/charts","enabled":true,)"
            R"("import-values":["child"]}],"type":"application"})");

  EXPECT_EQ(a.blobs[1].media_type, art::kHelmChartContentMediaType);
  auto tar = art::GzipDecompress(a.blobs[1].data);
  ASSERT_TRUE(tar.ok());
  auto entries = art::ReadTar(*tar);
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> paths;
  for (const art::TarEntry& e : *entries) {
    paths.push_back(e.path);
    EXPECT_EQ(e.mode, 0644u) << e.path;
  }
  EXPECT_EQ(paths,
            (std::vector<std::string>{"demo/Chart.yaml", "demo/values.yaml", "demo/README.md",
                                      "demo/templates/a.yaml", "demo/templates/b.yaml"}));
  EXPECT_EQ((*entries)[0].content, chart_yaml);  // verbatim

  auto m = ParseManifest(a.manifest.data, a.manifest.media_type);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->artifact_type, art::kHelmConfigMediaType);
  auto manifest = nlohmann::json::parse(a.manifest.data);
  EXPECT_FALSE(manifest.contains("mediaType"));
  EXPECT_EQ(manifest["annotations"],
            (nlohmann::json{{"category", "Tools"},
                            {"org.opencontainers.image.authors", "Ann (ann@example.com), Bob"},
                            {"org.opencontainers.image.created", "1970-01-01T00:00:00Z"},
                            {"org.opencontainers.image.description", "Demo"},
                            {"org.opencontainers.image.source", "https://src.example.com"},
                            {"org.opencontainers.image.title", "demo"},
                            {"org.opencontainers.image.url", "https://example.com"},
                            {"org.opencontainers.image.version", "1.2.3+meta"}}));

  // Deterministic, and independent of the order files were read in.
  auto files = Chart(chart_yaml);
  std::reverse(files.begin(), files.end());
  auto again = PackageChartFiles(files);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->artifact.manifest.digest, a.manifest.digest);
}

TEST(ChartDirectoryTest, HelmTwoChartsWithoutApiVersionAreV1) {
  auto p = PackageChartFiles({{"Chart.yaml", "name: old\nversion: v2.0\n"}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->artifact.blobs[0].data, R"({"name":"old","version":"v2.0","apiVersion":"v1"})");
  EXPECT_EQ(p->tag, "v2.0");
}

TEST(ChartDirectoryTest, BadChartsAreRefusedWithTheReason) {
  const std::vector<std::pair<std::vector<ChartSourceFile>, std::string>> cases = {
      {{{"values.yaml", "a: 1\n"}}, "Chart.yaml file is missing"},
      {{{"Chart.yaml", "name: [x\n"}}, "Chart.yaml: "},
      {{{"Chart.yaml", "- a\n"}}, "not a YAML mapping"},
      {{{"Chart.yaml", "apiVersion: v2\nversion: 1.0.0\n"}}, "name is required"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a/b\nversion: 1.0.0\n"}}, "name 'a/b' is invalid"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\n"}}, "version is required"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0.0\n"}}, "not a semantic version"},
      {{{"Chart.yaml", "apiVersion: v3\nname: a\nversion: 1.0.0\n"}}, "not v1 or v2"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\ntype: x\n"}},
       "application or library"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\nname: b\n"}}, "appears twice"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\nsources: x\n"}},
       "sources must be a list"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\nmaintainers: [{email: e}]\n"}},
       "maintainer must have a name"},
      {{{"Chart.yaml",
         "apiVersion: v2\nname: a\nversion: 1.0.0\n"
         "dependencies: [{name: d, repository: r}, {name: d, repository: s}]\n"}},
       "more than one dependency named 'd'"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\n"}, {"../x", ""}},
       "not a plain relative path"},
      {{{"Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\n"}, {"/etc/x", ""}},
       "is not relative"},
  };
  for (const auto& [files, want] : cases) {
    auto p = PackageChartFiles(files);
    ASSERT_FALSE(p.ok()) << want;
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(want), std::string::npos) << p.status().message();
  }
}

}  // namespace
}  // namespace cpa::server::registry
