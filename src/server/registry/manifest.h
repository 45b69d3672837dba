#pragma once
// Image manifests as a registry receives them: parsing and validation of the OCI image manifest,
// OCI image index, Docker image manifest v2 schema 2 and Docker manifest list (and the OCI
// artifact manifest of image-spec 1.1 release candidates, which oras 1.0 pre-releases pushed),
// with what a registry needs from them: the media type, the descriptors a manifest references
// and their sizes, the artifact type and the subject (OCI 1.1 referrers).
//
// Docker v2 schema 1 (signed or not) and unknown media types are rejected with kManifestInvalid,
// as are manifests that are not JSON objects, lack required fields, or reference digests other
// than sha256.
//
// Thread safety: pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::server::registry {

namespace media_type {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciArtifactManifest =
    "application/vnd.oci.artifact.manifest.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view kOciEmpty = "application/vnd.oci.empty.v1+json";
}  // namespace media_type

// The largest manifest accepted (ECR's ImageManifest limit, 4 MiB).
inline constexpr size_t kMaxManifestSize = 4 * 1024 * 1024;

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<64 hex>"
  uint64_t size = 0;
  std::string artifact_type;
  std::vector<std::string> urls;
  // A layer the registry does not hold: Docker foreign layers and OCI non-distributable layers,
  // or any layer with `urls`. Such layers need not be in the repository.
  bool foreign() const;
};

enum class ManifestKind {
  kImage,     // OCI image manifest, Docker v2 schema 2: config + layers
  kIndex,     // OCI image index, Docker manifest list: manifests
  kArtifact,  // OCI artifact manifest (1.1 release candidates): blobs
};

struct ParsedManifest {
  std::string media_type;  // the resolved media type (one of media_type::k*)
  ManifestKind kind = ManifestKind::kImage;
  std::optional<Descriptor> config;   // images
  std::vector<Descriptor> layers;     // images: layers; artifact manifests: blobs
  std::vector<Descriptor> manifests;  // indexes
  std::optional<Descriptor> subject;
  // `artifactType`, else the config's media type (images), else "".
  std::string artifact_type;

  bool is_index() const { return kind == ManifestKind::kIndex; }
  // imageSizeInBytes: the config and layers summed (indexes: their manifests' sizes summed).
  uint64_t ContentSize() const;
  // The blobs that must be in the repository before the manifest is accepted: the config and
  // every layer that is not foreign, without duplicates, in manifest order.
  std::vector<Descriptor> RequiredBlobs() const;
};

// Parses `bytes` as the manifest type named by `content_type` (a Content-Type header value or
// ECR's imageManifestMediaType; parameters after ';' are ignored). An empty or generic content
// type ("application/json", "application/octet-stream") defers to the manifest's `mediaType`,
// else to its shape (`manifests` → OCI index, `config` → OCI image manifest). A manifest whose
// `mediaType` differs from a specific content type is rejected.
core::Result<ParsedManifest> ParseManifest(std::string_view bytes, std::string_view content_type);

// The media type part of a Content-Type value: lower case, without parameters or spaces.
std::string NormalizeMediaType(std::string_view content_type);

// True for the four manifest media types served and accepted (and the OCI artifact manifest).
bool IsManifestMediaType(std::string_view media_type);

// "sha256:" + the lower-case hex SHA-256 of `bytes`.
std::string Sha256DigestOf(std::string_view bytes);

// True for "sha256:" followed by 64 lower-case hex digits.
bool IsSha256Digest(std::string_view digest);

}  // namespace cpa::server::registry
