#include "server/registry/manifest.h"

#include <gtest/gtest.h>

#include <string>

namespace cpa::server::registry {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

std::string Desc(const std::string& media_type, const std::string& digest, int size) {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + digest + R"(","size":)" +
         std::to_string(size) + "}";
}

std::string OciImage(bool with_media_type = true) {
  std::string m = R"({"schemaVersion":2,)";
  if (with_media_type) m += R"("mediaType":"application/vnd.oci.image.manifest.v1+json",)";
  m += R"("config":)" + Desc("application/vnd.oci.image.config.v1+json", kA, 10) +
       R"(,"layers":[)" + Desc("application/vnd.oci.image.layer.v1.tar+gzip", kB, 100) + "," +
       Desc("application/vnd.oci.image.layer.v1.tar+gzip", kB, 100) + "]}";
  return m;
}

TEST(ManifestTest, OciImageManifest) {
  auto m = ParseManifest(OciImage(), "application/vnd.oci.image.manifest.v1+json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->media_type, media_type::kOciManifest);
  EXPECT_EQ(m->kind, ManifestKind::kImage);
  ASSERT_TRUE(m->config);
  EXPECT_EQ(m->config->digest, kA);
  EXPECT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->ContentSize(), 210u);
  EXPECT_EQ(m->artifact_type, "application/vnd.oci.image.config.v1+json");
  auto required = m->RequiredBlobs();
  ASSERT_EQ(required.size(), 2u);  // the repeated layer once
  EXPECT_EQ(required[0].digest, kA);
  EXPECT_EQ(required[1].digest, kB);
}

TEST(ManifestTest, ContentTypeParametersAndCaseAreIgnored) {
  auto m = ParseManifest(OciImage(), " Application/VND.oci.image.manifest.v1+json; charset=utf-8");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->media_type, media_type::kOciManifest);
}

TEST(ManifestTest, MediaTypeInferredWithoutContentTypeOrField) {
  // oras 0.x and helm omit the manifest's mediaType.
  auto m = ParseManifest(OciImage(false), "");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->media_type, media_type::kOciManifest);
  auto j = ParseManifest(OciImage(false), "application/json");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->media_type, media_type::kOciManifest);
  std::string index = R"({"schemaVersion":2,"manifests":[)" +
                      Desc("application/vnd.oci.image.manifest.v1+json", kC, 500) + "]}";
  auto i = ParseManifest(index, "");
  ASSERT_TRUE(i.ok()) << i.status().ToString();
  EXPECT_EQ(i->media_type, media_type::kOciIndex);
  EXPECT_TRUE(i->is_index());
}

TEST(ManifestTest, MediaTypeMismatchIsInvalid) {
  auto m = ParseManifest(OciImage(), "application/vnd.docker.distribution.manifest.v2+json");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), core::ErrorCode::kManifestInvalid);
  EXPECT_NE(m.status().message().find("mediaType in manifest should be"), std::string::npos);
}

TEST(ManifestTest, DockerManifestAndList) {
  std::string docker =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":)" +
      Desc("application/vnd.docker.container.image.v1+json", kA, 7) + R"(,"layers":[)" +
      Desc("application/vnd.docker.image.rootfs.diff.tar.gzip", kB, 9) + "," +
      R"({"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":")" +
      kC + R"(","size":5,"urls":["https://example.invalid/layer"]}]})";
  auto m = ParseManifest(docker, "application/vnd.docker.distribution.manifest.v2+json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->media_type, media_type::kDockerManifest);
  EXPECT_EQ(m->artifact_type, "application/vnd.docker.container.image.v1+json");
  EXPECT_EQ(m->ContentSize(), 21u);
  EXPECT_EQ(m->RequiredBlobs().size(), 2u);  // the foreign layer is not required
  EXPECT_TRUE(m->layers[1].foreign());

  // Docker's formats require the mediaType field.
  std::string no_field = docker;
  no_field.erase(
      no_field.find(R"("mediaType":"application/vnd.docker.distribution)"),
      std::string(R"("mediaType":"application/vnd.docker.distribution.manifest.v2+json",)").size());
  EXPECT_FALSE(
      ParseManifest(no_field, "application/vnd.docker.distribution.manifest.v2+json").ok());

  std::string list =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",)"
      R"("manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("digest":")" +
      kA + R"(","size":528,"platform":{"architecture":"amd64","os":"linux"}}]})";
  auto l = ParseManifest(list, "");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->media_type, media_type::kDockerManifestList);
  EXPECT_EQ(l->manifests.size(), 1u);
  EXPECT_TRUE(l->RequiredBlobs().empty());
  EXPECT_EQ(l->ContentSize(), 528u);
}

TEST(ManifestTest, ArtifactTypeAndSubject) {
  std::string m = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                  R"("artifactType":"application/vnd.example.sbom","config":)" +
                  Desc("application/vnd.oci.empty.v1+json", kA, 2) + R"(,"layers":[],"subject":)" +
                  Desc("application/vnd.oci.image.manifest.v1+json", kC, 300) + "}";
  auto p = ParseManifest(m, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->artifact_type, "application/vnd.example.sbom");
  ASSERT_TRUE(p->subject);
  EXPECT_EQ(p->subject->digest, kC);
}

TEST(ManifestTest, OciArtifactManifest) {
  std::string m = R"({"mediaType":"application/vnd.oci.artifact.manifest.v1+json",)"
                  R"("artifactType":"application/vnd.example","blobs":[)" +
                  Desc("application/octet-stream", kB, 3) + "]}";
  auto p = ParseManifest(m, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, ManifestKind::kArtifact);
  EXPECT_EQ(p->RequiredBlobs().size(), 1u);
}

TEST(ManifestTest, RejectsSchema1AndUnknownTypes) {
  std::string schema1 = R"({"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]})";
  for (const char* ct : {"", "application/vnd.docker.distribution.manifest.v1+json",
                         "application/vnd.docker.distribution.manifest.v1+prettyjws"}) {
    auto p = ParseManifest(schema1, ct);
    ASSERT_FALSE(p.ok()) << ct;
    EXPECT_EQ(p.status().code(), core::ErrorCode::kManifestInvalid);
    EXPECT_NE(p.status().message().find("schema 1"), std::string::npos) << p.status().message();
  }
  auto unknown = ParseManifest(OciImage(false), "application/vnd.example.manifest+json");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unsupported manifest media type"), std::string::npos);
}

TEST(ManifestTest, RejectsMalformedManifests) {
  const std::string oci = "application/vnd.oci.image.manifest.v1+json";
  const std::vector<std::string> bad = {
      "not json",
      "[]",
      R"({"schemaVersion":2,"layers":[]})",                                         // no config
      R"({"schemaVersion":3,"config":)" + Desc("a/b", kA, 1) + R"(,"layers":[]})",  // version
      R"({"config":)" + Desc("a/b", kA, 1) + R"(,"layers":[]})",     // no schemaVersion
      R"({"schemaVersion":2,"config":)" + Desc("a/b", kA, 1) + "}",  // no layers
      R"({"schemaVersion":2,"config":)" + Desc("a/b", kA, 1) + R"(,"layers":{}})",
      R"({"schemaVersion":2,"config":)" + Desc("a/b", "sha256:abc", 1) + R"(,"layers":[]})",
      R"({"schemaVersion":2,"config":)" + Desc("a/b", "sha512:" + std::string(128, 'a'), 1) +
          R"(,"layers":[]})",
      R"({"schemaVersion":2,"config":)" + Desc("a/b", "sha256:" + std::string(64, 'A'), 1) +
          R"(,"layers":[]})",
      R"({"schemaVersion":2,"config":)" + Desc("a/b", kA, -1) + R"(,"layers":[]})",
      R"({"schemaVersion":2,"config":{"digest":")" + kA + R"(","size":1},"layers":[]})",
      R"({"schemaVersion":2,"mediaType":5,"config":)" + Desc("a/b", kA, 1) + R"(,"layers":[]})",
  };
  for (const std::string& m : bad) {
    auto p = ParseManifest(m, oci);
    ASSERT_FALSE(p.ok()) << m;
    EXPECT_EQ(p.status().code(), core::ErrorCode::kManifestInvalid) << m;
  }
  EXPECT_FALSE(ParseManifest(std::string(kMaxManifestSize + 1, ' '), oci).ok());
}

TEST(ManifestTest, Digests) {
  EXPECT_EQ(Sha256DigestOf(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(IsSha256Digest(kA));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(64, 'g')));
  EXPECT_FALSE(IsSha256Digest("sha512:" + std::string(64, 'a')));
}

}  // namespace
}  // namespace cpa::server::registry
