#pragma once
// Small, runnable-looking container images in OCI format: one gzip'd layer per platform, an image
// config (application/vnd.oci.image.config.v1+json) whose rootfs.diff_ids is the sha256 of the
// uncompressed layer tar, an image manifest per platform, and an image index when the image has
// more than one platform (as multi-arch images are published).
//
// Every layer also holds "etc/cpa-platform" with the platform string, so the layers (and thus the
// manifests) of different platforms differ, as real per-architecture builds do.
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/registry/artifacts/oci.h"

namespace cpa::server::registry::artifacts {

struct ImageFile {
  std::string path;  // relative, e.g. "usr/share/hello/index.html"; parents are added as dirs
  std::string content;
  uint32_t mode = 0644;
};

struct ImageSpec {
  std::vector<ImageFile> files;
  std::vector<std::string> cmd;
  std::vector<std::string> env = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  std::string working_dir = "/";
  // One platform: the image is a manifest. Several: an index over one manifest per platform.
  std::vector<Platform> platforms = {{.os = "linux", .architecture = "amd64", .variant = ""}};
};

// The uncompressed layer tar of one platform.
core::Result<std::string> BuildLayerTar(const ImageSpec& spec, const Platform& platform);

// The image config of one platform, given the diff_id ("sha256:…") of its layer.
std::string ImageConfigJson(const ImageSpec& spec, const Platform& platform,
                            const std::string& diff_id);

// blobs = {config, layer} per platform; children = the per-platform manifests when there is more
// than one platform; manifest = the image manifest or the index.
core::Result<Artifact> BuildContainerImage(const ImageSpec& spec);

}  // namespace cpa::server::registry::artifacts
