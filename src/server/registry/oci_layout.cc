#include "server/registry/oci_layout.h"

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "server/registry/blob_store.h"
#include "server/registry/manifest.h"

namespace cpa::server::registry {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
// Blobs up to this size are pushed in one piece; larger ones through an upload, chunk by chunk.
constexpr uint64_t kChunk = uint64_t{8} << 20;

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

Result<std::string> ReadFile(const std::string& path, uint64_t max) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status(ErrorCode::kNotFound, path + " is missing");
  }
  if (static_cast<uint64_t>(st.st_size) > max) {
    return Invalid(path + " is larger than " + std::to_string(max) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct LayoutManifest {
  Descriptor desc;
  std::string data;
  ParsedManifest parsed;
};

class Layout {
 public:
  explicit Layout(std::string dir) : dir_(std::move(dir)) {}

  std::string BlobPath(std::string_view digest) const {
    return dir_ + "/blobs/sha256/" + std::string(digest.substr(7));
  }

  // Checks a descriptor's digest form, so that it can name a file.
  Status CheckDigest(const Descriptor& d) const {
    if (!IsSha256Digest(d.digest)) {
      return Invalid("OCI layout " + dir_ + ": digest '" + d.digest +
                     "' is not sha256:<64 lower-case hex> (only sha256 is supported)");
    }
    return Status::Ok();
  }

  // Reads a manifest and, for an index, its children; children are listed before their parent.
  Status LoadManifest(const Descriptor& d, int depth) {
    if (depth > 4) return Invalid("OCI layout " + dir_ + ": indexes nested too deeply");
    CPA_RETURN_IF_ERROR(CheckDigest(d));
    if (loaded_.count(d.digest) != 0) return Status::Ok();
    auto data = ReadFile(BlobPath(d.digest), kMaxManifestSize);
    if (!data.ok()) {
      return Invalid("OCI layout " + dir_ + ": manifest " + d.digest + ": " +
                     data.status().message());
    }
    if (data->size() != d.size || Sha256DigestOf(*data) != d.digest) {
      return Invalid("OCI layout " + dir_ + ": manifest " + d.digest +
                     " does not match its descriptor (size or digest)");
    }
    auto parsed = ParseManifest(*data, d.media_type);
    if (!parsed.ok()) {
      return Invalid("OCI layout " + dir_ + ": manifest " + d.digest + ": " +
                     parsed.status().message());
    }
    loaded_.insert(d.digest);
    for (const Descriptor& child : parsed->manifests) {
      CPA_RETURN_IF_ERROR(LoadManifest(child, depth + 1));
    }
    for (const Descriptor& b : parsed->RequiredBlobs()) {
      CPA_RETURN_IF_ERROR(CheckDigest(b));
      if (blobs_.emplace(b.digest, b).second) blob_order_.push_back(b.digest);
    }
    // Foreign layers are pulled from their URLs; a layout may hold them or not.
    for (const Descriptor& l : parsed->layers) {
      if (!l.foreign()) continue;
      CPA_RETURN_IF_ERROR(CheckDigest(l));
      struct stat st {};
      if (::stat(BlobPath(l.digest).c_str(), &st) == 0 && blobs_.emplace(l.digest, l).second) {
        blob_order_.push_back(l.digest);
      }
    }
    Descriptor resolved = d;
    resolved.media_type = parsed->media_type;
    manifests_.push_back({resolved, std::move(*data), std::move(*parsed)});
    return Status::Ok();
  }

  // Every blob present with the size and digest its descriptor gives.
  Status VerifyBlobs() const {
    for (const std::string& digest : blob_order_) {
      const Descriptor& d = blobs_.at(digest);
      const std::string path = BlobPath(digest);
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return Invalid("OCI layout " + dir_ + ": blob " + digest + " is missing");
      }
      if (static_cast<uint64_t>(st.st_size) != d.size) {
        return Invalid("OCI layout " + dir_ + ": blob " + digest + " has " +
                       std::to_string(st.st_size) + " bytes, its descriptor says " +
                       std::to_string(d.size));
      }
      CPA_ASSIGN_OR_RETURN(std::string actual, BlobStore::HashFile(path));
      if (actual != digest) {
        return Invalid("OCI layout " + dir_ + ": blob " + digest + " does not match its digest (" +
                       actual + ")");
      }
    }
    return Status::Ok();
  }

  Status PushBlob(Registry& registry, const RepositoryId& id, const Descriptor& d) const {
    const std::string path = BlobPath(d.digest);
    if (d.size <= kChunk) {
      CPA_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, kChunk));
      return registry.PutBlob(id, bytes, d.media_type).status();
    }
    CPA_ASSIGN_OR_RETURN(Upload upload, registry.StartUpload(id));
    auto fail = [&](Status s) {
      (void)registry.CancelUpload(id, upload.id);
      return s;
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Invalid("cannot read " + path));
    std::string chunk(kChunk, '\0');
    uint64_t offset = 0;
    while (offset < d.size) {
      in.read(chunk.data(), static_cast<std::streamsize>(std::min(kChunk, d.size - offset)));
      const auto got = static_cast<uint64_t>(in.gcount());
      if (got == 0) return fail(Invalid("cannot read " + path));
      auto appended =
          registry.AppendUpload(id, upload.id, offset, std::string_view(chunk.data(), got));
      if (!appended.ok()) return fail(appended.status());
      offset += got;
    }
    auto done = registry.CompleteUpload(id, upload.id, d.digest);
    if (!done.ok()) return fail(done.status());
    return Status::Ok();
  }

  const std::string& dir() const { return dir_; }
  const std::vector<LayoutManifest>& manifests() const { return manifests_; }
  const std::vector<std::string>& blob_order() const { return blob_order_; }
  const Descriptor& blob(const std::string& digest) const { return blobs_.at(digest); }

 private:
  std::string dir_;
  std::set<std::string> loaded_;
  std::vector<LayoutManifest> manifests_;  // children first
  std::map<std::string, Descriptor> blobs_;
  std::vector<std::string> blob_order_;
};

// The index.json entry to import.
Result<Descriptor> ChooseEntry(const std::string& dir, std::string_view ref) {
  auto layout = ReadFile(dir + "/oci-layout", 4096);
  if (!layout.ok()) {
    return Invalid(dir + " is not an OCI image layout (no oci-layout file)");
  }
  json marker = json::parse(*layout, nullptr, false);
  if (!marker.is_object() || !marker.contains("imageLayoutVersion") ||
      !marker["imageLayoutVersion"].is_string()) {
    return Invalid(dir + "/oci-layout has no imageLayoutVersion");
  }
  auto index_text = ReadFile(dir + "/index.json", kMaxManifestSize);
  if (!index_text.ok()) return Invalid(dir + " is not an OCI image layout (no index.json)");
  json index = json::parse(*index_text, nullptr, false);
  if (!index.is_object() || !index.contains("manifests") || !index.at("manifests").is_array()) {
    return Invalid(dir + "/index.json is not an image index");
  }
  std::vector<std::string> names;
  const json* chosen = nullptr;
  for (const json& entry : index["manifests"]) {
    std::string name;
    if (entry.is_object() && entry.contains("annotations") && entry["annotations"].is_object()) {
      auto it = entry["annotations"].find(kRefNameAnnotation);
      if (it != entry["annotations"].end() && it->is_string()) name = it->get<std::string>();
    }
    if (!name.empty()) names.push_back(name);
    if (!name.empty() && name == ref) chosen = &entry;
  }
  if (chosen == nullptr && index["manifests"].size() == 1) chosen = &index["manifests"][0];
  if (chosen == nullptr) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return Invalid(
        dir + "/index.json has no image named '" + std::string(ref) + "'" +
        (list.empty() ? std::string(" (its entries have no names)") : " (it has: " + list + ")"));
  }
  auto field = [&](const char* key) -> const json* {
    if (!chosen->is_object()) return nullptr;
    auto it = chosen->find(key);
    return it == chosen->end() ? nullptr : &*it;
  };
  const json* media_type = field("mediaType");
  const json* digest = field("digest");
  const json* size = field("size");
  if (media_type == nullptr || !media_type->is_string() || digest == nullptr ||
      !digest->is_string() || size == nullptr || !size->is_number_unsigned()) {
    return Invalid(dir + "/index.json: the entry lacks mediaType, digest or size");
  }
  Descriptor d;
  d.media_type = media_type->get<std::string>();
  d.digest = digest->get<std::string>();
  d.size = size->get<uint64_t>();
  return d;
}

}  // namespace

Result<Image> ImportOciLayout(Registry& registry, const RepositoryId& id, const std::string& dir,
                              std::string_view ref, std::string_view tag, PublishStats* stats) {
  PublishStats local;
  PublishStats& st = stats != nullptr ? *stats : local;
  CPA_RETURN_IF_ERROR(Registry::ValidateTag(tag));
  CPA_ASSIGN_OR_RETURN(Descriptor top, ChooseEntry(dir, ref));
  Layout layout(dir);
  CPA_RETURN_IF_ERROR(layout.LoadManifest(top, 0));
  CPA_RETURN_IF_ERROR(layout.VerifyBlobs());

  CPA_RETURN_IF_ERROR(EnsureRepository(registry, id, &st).status());
  for (const std::string& digest : layout.blob_order()) {
    auto present = registry.StatBlob(id, digest);
    if (present.ok()) continue;
    if (present.status().code() != ErrorCode::kLayersNotFound) return present.status();
    CPA_RETURN_IF_ERROR(layout.PushBlob(registry, id, layout.blob(digest)));
    ++st.blobs_pushed;
  }
  for (const LayoutManifest& m : layout.manifests()) {
    const bool is_top = m.desc.digest == top.digest;
    auto present = registry.GetImage(id, {.digest = m.desc.digest, .tag = ""});
    if (!present.ok() && present.status().code() != ErrorCode::kImageNotFound) {
      return present.status();
    }
    if (present.ok() && !is_top) continue;
    if (is_top) {
      auto tagged = registry.GetImage(id, {.digest = "", .tag = std::string(tag)});
      if (tagged.ok() && tagged->digest == m.desc.digest) continue;
    }
    CPA_RETURN_IF_ERROR(registry
                            .PutImage(id, m.data, m.desc.media_type,
                                      is_top ? tag : std::string_view(), m.desc.digest)
                            .status());
    if (!present.ok()) ++st.manifests_pushed;
    if (is_top) ++st.tags_set;
  }
  return registry.GetImage(id, {.digest = top.digest, .tag = ""});
}

}  // namespace cpa::server::registry
