#include "server/registry/artifacts/container_image.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/registry/artifacts/gzip.h"
#include "server/registry/artifacts/tar.h"

namespace cpa::server::registry::artifacts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ImageSpec Spec() {
  ImageSpec s;
  s.files = {{"usr/share/hello/index.html", "<h1>hello</h1>\n", 0644},
             {"usr/local/bin/hello", "#!/bin/sh\necho hello\n", 0755}};
  s.cmd = {"/usr/local/bin/hello"};
  return s;
}

const Blob* FindBlob(const Artifact& a, const std::string& digest) {
  for (const Blob& b : a.blobs) {
    if (b.digest == digest) return &b;
  }
  return nullptr;
}

TEST(ContainerImageTest, SinglePlatformImage) {
  auto a = BuildContainerImage(Spec());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->children.empty());
  EXPECT_EQ(a->manifest.media_type, "application/vnd.oci.image.manifest.v1+json");
  auto m = nlohmann::json::parse(a->manifest.data);
  EXPECT_EQ(m["schemaVersion"], 2);
  EXPECT_EQ(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(m["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
  ASSERT_EQ(m["layers"].size(), 1u);
  EXPECT_EQ(m["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");

  const Blob* config = FindBlob(*a, m["config"]["digest"]);
  const Blob* layer = FindBlob(*a, m["layers"][0]["digest"]);
  ASSERT_NE(config, nullptr);
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(m["config"]["size"], config->size());
  EXPECT_EQ(m["layers"][0]["size"], layer->size());

  auto c = nlohmann::json::parse(config->data);
  EXPECT_EQ(c["architecture"], "amd64");
  EXPECT_EQ(c["os"], "linux");
  EXPECT_FALSE(c.contains("variant"));
  EXPECT_EQ(c["config"]["Cmd"], nlohmann::json::array({"/usr/local/bin/hello"}));
  EXPECT_EQ(c["config"]["WorkingDir"], "/");
  EXPECT_EQ(c["rootfs"]["type"], "layers");

  // diff_ids[0] is the digest of the uncompressed layer.
  auto tar = GzipDecompress(layer->data);
  ASSERT_TRUE(tar.ok());
  ASSERT_EQ(c["rootfs"]["diff_ids"].size(), 1u);
  EXPECT_EQ(c["rootfs"]["diff_ids"][0], Sha256Digest(*tar));
  EXPECT_EQ(*tar, *BuildLayerTar(Spec(), Spec().platforms[0]));

  auto entries = ReadTar(*tar);
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> paths;
  for (const TarEntry& e : *entries) paths.push_back(e.path);
  EXPECT_THAT(paths, ElementsAre("etc/", "etc/cpa-platform", "usr/", "usr/local/", "usr/local/bin/",
                                 "usr/local/bin/hello", "usr/share/", "usr/share/hello/",
                                 "usr/share/hello/index.html"));
  EXPECT_EQ((*entries)[1].content, "linux/amd64\n");
  EXPECT_EQ((*entries)[5].mode, 0755u);
  EXPECT_EQ((*entries)[5].content, "#!/bin/sh\necho hello\n");
  EXPECT_EQ((*entries)[0].type, TarEntry::Type::kDirectory);
}

TEST(ContainerImageTest, MultiPlatformImageIsAnIndex) {
  ImageSpec s = Spec();
  s.platforms = {{.os = "linux", .architecture = "amd64", .variant = ""},
                 {.os = "linux", .architecture = "arm64", .variant = "v8"}};
  auto a = BuildContainerImage(s);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->manifest.media_type, "application/vnd.oci.image.index.v1+json");
  ASSERT_EQ(a->children.size(), 2u);
  EXPECT_EQ(a->blobs.size(), 4u);
  auto index = nlohmann::json::parse(a->manifest.data);
  ASSERT_EQ(index["manifests"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Manifest& child = a->children[i];
    auto d = index["manifests"][i];
    EXPECT_EQ(d["digest"], child.digest);
    EXPECT_EQ(d["size"], child.size());
    EXPECT_EQ(d["mediaType"], child.media_type);
    auto m = nlohmann::json::parse(child.data);
    const Blob* config = FindBlob(*a, m["config"]["digest"]);
    const Blob* layer = FindBlob(*a, m["layers"][0]["digest"]);
    ASSERT_NE(config, nullptr);
    ASSERT_NE(layer, nullptr);
    auto c = nlohmann::json::parse(config->data);
    EXPECT_EQ(c["architecture"], d["platform"]["architecture"]);
    EXPECT_EQ(c["os"], d["platform"]["os"]);
    EXPECT_EQ(c["rootfs"]["diff_ids"][0], Sha256Digest(*GzipDecompress(layer->data)));
  }
  EXPECT_EQ(index["manifests"][1]["platform"]["variant"], "v8");
  EXPECT_NE(a->children[0].digest, a->children[1].digest);

  auto again = BuildContainerImage(s);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->manifest, a->manifest);
  EXPECT_EQ(again->children, a->children);
  EXPECT_EQ(again->blobs, a->blobs);
}

TEST(ContainerImageTest, RejectsBadSpecs) {
  ImageSpec none = Spec();
  none.platforms.clear();
  EXPECT_THAT(BuildContainerImage(none).status().message(), HasSubstr("at least one platform"));

  ImageSpec twice = Spec();
  twice.platforms.push_back(twice.platforms[0]);
  EXPECT_THAT(BuildContainerImage(twice).status().message(), HasSubstr("appears twice"));

  ImageSpec dup = Spec();
  dup.files.push_back(dup.files[0]);
  EXPECT_THAT(BuildContainerImage(dup).status().message(), HasSubstr("appears twice"));

  ImageSpec reserved = Spec();
  reserved.files.push_back({"etc/cpa-platform", "x", 0644});
  EXPECT_THAT(BuildContainerImage(reserved).status().message(), HasSubstr("reserved"));

  ImageSpec conflict = Spec();
  conflict.files.push_back({"usr/share", "x", 0644});
  EXPECT_THAT(BuildContainerImage(conflict).status().message(), HasSubstr("parent directory"));

  ImageSpec escape = Spec();
  escape.files.push_back({"../x", "x", 0644});
  EXPECT_EQ(BuildContainerImage(escape).status().code(), core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cpa::server::registry::artifacts
