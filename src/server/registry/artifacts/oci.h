#pragma once
// OCI content as a registry stores it: blobs and manifests with their sha256 digests and media
// types, and builders for OCI image manifests and image indexes.
//
// Manifests are serialized as Go's encoding/json serializes the image-spec structs (compact, keys
// in struct order, annotation maps sorted), so that what cpa builds looks byte-for-byte like what
// oras, helm and container tools push. The manifest's own `mediaType` field is optional in the
// image spec; oras (0.x) and helm omit it, image builders write it, hence `with_media_type`.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cpa::server::registry::artifacts {

// Media types (OCI image-spec media-types.md; helm pkg/registry/constants.go; oras 0.x defaults).
inline constexpr std::string_view kOciManifestMediaType =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndexMediaType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciImageConfigMediaType =
    "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayerTarMediaType = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerTarGzipMediaType =
    "application/vnd.oci.image.layer.v1.tar+gzip";
// The config oras 0.x pushes when given none: the two bytes "{}".
inline constexpr std::string_view kOrasUnknownConfigMediaType =
    "application/vnd.unknown.config.v1+json";
inline constexpr std::string_view kHelmConfigMediaType = "application/vnd.cncf.helm.config.v1+json";
inline constexpr std::string_view kHelmChartContentMediaType =
    "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

// Pre-defined annotation keys (OCI image-spec annotations.md).
inline constexpr std::string_view kAnnotationTitle = "org.opencontainers.image.title";
inline constexpr std::string_view kAnnotationCreated = "org.opencontainers.image.created";
inline constexpr std::string_view kAnnotationDescription = "org.opencontainers.image.description";
inline constexpr std::string_view kAnnotationVersion = "org.opencontainers.image.version";

// The RFC 3339 form of kFixedMtime, used wherever a creation time is recorded.
inline constexpr std::string_view kFixedCreated = "1970-01-01T00:00:00Z";

using Annotations = std::map<std::string, std::string>;

// "sha256:<64 lowercase hex>".
std::string Sha256Digest(std::string_view data);

// Content addressed by digest: a layer, a config, or a manifest.
struct Blob {
  std::string media_type;
  std::string digest;
  std::string data;

  uint64_t size() const { return data.size(); }
  friend bool operator==(const Blob&, const Blob&) = default;
};
Blob MakeBlob(std::string_view media_type, std::string data);

// A manifest is stored like a blob but pushed to /v2/<name>/manifests/<ref>.
using Manifest = Blob;

// What one push of an artifact puts in a repository. `children` are the manifests an index
// refers to; they are pushed (by digest) after the blobs and before `manifest`.
struct Artifact {
  std::vector<Blob> blobs;
  std::vector<Manifest> children;
  Manifest manifest;
};

struct LayerRef {
  const Blob* blob;
  Annotations annotations;
};

// An OCI image manifest: {"schemaVersion":2,["mediaType",]"config","layers"[,"annotations"]}.
Manifest BuildImageManifest(const Blob& config, const std::vector<LayerRef>& layers,
                            const Annotations& annotations, bool with_media_type);

struct Platform {
  std::string os = "linux";
  std::string architecture;
  std::string variant;  // e.g. "v8" for arm64; empty when none

  std::string ToString() const;  // "linux/arm64/v8"
};

struct PlatformManifest {
  const Manifest* manifest;
  Platform platform;
};

// An OCI image index listing one manifest per platform.
Manifest BuildImageIndex(const std::vector<PlatformManifest>& manifests);

}  // namespace cpa::server::registry::artifacts
