#pragma once
// Importing an image from an OCI image layout directory (image-spec image-layout.md), as
// `skopeo copy docker://… oci:DIR:TAG` or `oras copy --to-oci-layout` write it:
//
//   DIR/oci-layout        {"imageLayoutVersion": "1.0.0"}
//   DIR/index.json        an image index; org.opencontainers.image.ref.name names its entries
//   DIR/blobs/sha256/<hex> manifests, configs and layers
//
// The entry named `ref` is chosen (or the only entry, when the index has one). Its manifest and,
// for an index, every child manifest are read and parsed; every blob they need is checked
// against its descriptor's size and digest before anything is written, so a corrupt or
// incomplete layout changes nothing. Then blobs (streamed in chunks through an upload when large),
// child manifests and the manifest are pushed, and `tag` is pointed at it. Layers with `urls`
// (foreign layers) may be absent.
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/registry/publish.h"
#include "server/registry/registry.h"

namespace cpa::server::registry {

// kInvalidArgument: not a layout, no such entry, a missing or corrupt blob, a manifest that does
// not parse, a digest algorithm other than sha256. Returns the image pushed.
core::Result<Image> ImportOciLayout(Registry& registry, const RepositoryId& id,
                                    const std::string& dir, std::string_view ref,
                                    std::string_view tag, PublishStats* stats = nullptr);

}  // namespace cpa::server::registry
