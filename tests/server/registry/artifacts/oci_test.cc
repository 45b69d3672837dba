#include "server/registry/artifacts/oci.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cpa::server::registry::artifacts {
namespace {

TEST(OciTest, DigestIsSha256OfTheBytes) {
  // sha256("{}"), the config digest of every manifest oras 0.x pushes without a config.
  EXPECT_EQ(Sha256Digest("{}"),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  Blob b = MakeBlob("text/plain", "abc");
  EXPECT_EQ(b.digest, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.media_type, "text/plain");
}

TEST(OciTest, ManifestSerializesLikeTheGoStructs) {
  Blob config = MakeBlob(kOciImageConfigMediaType, "{}");
  Blob layer = MakeBlob(kOciLayerTarMediaType, "abc");
  Manifest m = BuildImageManifest(config, {{&layer, {{"b", "2"}, {"a", "1"}}}}, {{"k", "v"}},
                                  /*with_media_type=*/true);
  EXPECT_EQ(m.media_type, kOciManifestMediaType);
  EXPECT_EQ(m.digest, Sha256Digest(m.data));
  EXPECT_EQ(m.data,
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
                config.digest +
                "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/"
                "vnd.oci.image.layer.v1.tar\",\"digest\":\"" +
                layer.digest +
                "\",\"size\":3,\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}],"
                "\"annotations\":{\"k\":\"v\"}}");

  Manifest bare = BuildImageManifest(config, {{&layer, {}}}, {}, /*with_media_type=*/false);
  auto j = nlohmann::json::parse(bare.data);
  EXPECT_FALSE(j.contains("mediaType"));
  EXPECT_FALSE(j.contains("annotations"));
  EXPECT_FALSE(j["layers"][0].contains("annotations"));
  EXPECT_EQ(bare.media_type, kOciManifestMediaType);
}

TEST(OciTest, IndexListsPlatforms) {
  Blob config = MakeBlob(kOciImageConfigMediaType, "{}");
  Blob layer = MakeBlob(kOciLayerTarGzipMediaType, "abc");
  Manifest amd = BuildImageManifest(config, {{&layer, {}}}, {}, true);
  Manifest arm = BuildImageManifest(config, {{&layer, {}}}, {{"x", "y"}}, true);
  Manifest index =
      BuildImageIndex({{&amd, {.os = "linux", .architecture = "amd64", .variant = ""}},
                       {&arm, {.os = "linux", .architecture = "arm64", .variant = "v8"}}});
  EXPECT_EQ(index.media_type, kOciIndexMediaType);
  auto j = nlohmann::json::parse(index.data);
  EXPECT_EQ(j["schemaVersion"], 2);
  EXPECT_EQ(j["mediaType"], kOciIndexMediaType);
  ASSERT_EQ(j["manifests"].size(), 2u);
  EXPECT_EQ(j["manifests"][0]["digest"], amd.digest);
  EXPECT_EQ(j["manifests"][0]["size"], amd.size());
  EXPECT_EQ(j["manifests"][0]["mediaType"], kOciManifestMediaType);
  EXPECT_EQ(j["manifests"][0]["platform"],
            (nlohmann::json{{"architecture", "amd64"}, {"os", "linux"}}));
  EXPECT_EQ(j["manifests"][1]["platform"]["variant"], "v8");
  EXPECT_EQ(j["manifests"][1]["digest"], arm.digest);
  EXPECT_EQ((Platform{.os = "linux", .architecture = "arm64", .variant = "v8"}).ToString(),
            "linux/arm64/v8");
}

}  // namespace
}  // namespace cpa::server::registry::artifacts
