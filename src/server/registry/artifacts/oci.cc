#include "server/registry/artifacts/oci.h"

#include <nlohmann/json.hpp>

#include "core/crypto.h"

namespace cpa::server::registry::artifacts {
namespace {

using OrderedJson = nlohmann::ordered_json;

// A descriptor in the field order of the image-spec Go struct (mediaType, digest, size,
// annotations, platform).
OrderedJson Descriptor(const Blob& blob, const Annotations& annotations) {
  OrderedJson d;
  d["mediaType"] = blob.media_type;
  d["digest"] = blob.digest;
  d["size"] = blob.size();
  if (!annotations.empty()) {
    OrderedJson a = OrderedJson::object();
    for (const auto& [k, v] : annotations) a[k] = v;  // std::map: sorted, as Go sorts map keys
    d["annotations"] = std::move(a);
  }
  return d;
}

}  // namespace

std::string Sha256Digest(std::string_view data) { return "sha256:" + core::Sha256Hex(data); }

Blob MakeBlob(std::string_view media_type, std::string data) {
  Blob b;
  b.media_type = std::string(media_type);
  b.digest = Sha256Digest(data);
  b.data = std::move(data);
  return b;
}

Manifest BuildImageManifest(const Blob& config, const std::vector<LayerRef>& layers,
                            const Annotations& annotations, bool with_media_type) {
  OrderedJson m;
  m["schemaVersion"] = 2;
  if (with_media_type) m["mediaType"] = kOciManifestMediaType;
  m["config"] = Descriptor(config, {});
  OrderedJson l = OrderedJson::array();
  for (const LayerRef& layer : layers) l.push_back(Descriptor(*layer.blob, layer.annotations));
  m["layers"] = std::move(l);
  if (!annotations.empty()) {
    OrderedJson a = OrderedJson::object();
    for (const auto& [k, v] : annotations) a[k] = v;
    m["annotations"] = std::move(a);
  }
  return MakeBlob(kOciManifestMediaType, m.dump());
}

std::string Platform::ToString() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

Manifest BuildImageIndex(const std::vector<PlatformManifest>& manifests) {
  OrderedJson index;
  index["schemaVersion"] = 2;
  index["mediaType"] = kOciIndexMediaType;
  OrderedJson list = OrderedJson::array();
  for (const PlatformManifest& pm : manifests) {
    OrderedJson d = Descriptor(*pm.manifest, {});
    OrderedJson p;
    p["architecture"] = pm.platform.architecture;
    p["os"] = pm.platform.os;
    if (!pm.platform.variant.empty()) p["variant"] = pm.platform.variant;
    d["platform"] = std::move(p);
    list.push_back(std::move(d));
  }
  index["manifests"] = std::move(list);
  return MakeBlob(kOciIndexMediaType, index.dump());
}

}  // namespace cpa::server::registry::artifacts
