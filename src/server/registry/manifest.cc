#include "server/registry/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/encoding.h"

namespace cpa::server::registry {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

namespace {

Status Invalid(std::string reason) {
  return Status(ErrorCode::kManifestInvalid, "manifest invalid: " + std::move(reason));
}

bool IsGeneric(std::string_view media_type) {
  return media_type.empty() || media_type == "application/json" ||
         media_type == "application/octet-stream" || media_type == "text/plain";
}

bool IsHexLower(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<Descriptor> ParseDescriptor(const json& j, const std::string& where) {
  if (!j.is_object()) return Invalid(where + " is not a descriptor object");
  Descriptor d;
  auto mt = j.find("mediaType");
  if (mt == j.end() || !mt->is_string() || mt->get_ref<const std::string&>().empty()) {
    return Invalid(where + ": mediaType is required");
  }
  d.media_type = mt->get<std::string>();
  auto dg = j.find("digest");
  if (dg == j.end() || !dg->is_string()) return Invalid(where + ": digest is required");
  d.digest = dg->get<std::string>();
  if (!IsSha256Digest(d.digest)) {
    size_t colon = d.digest.find(':');
    if (colon != std::string::npos && colon > 0 && d.digest.substr(0, colon) != "sha256") {
      return Invalid(where + ": unsupported digest algorithm in '" + d.digest + "'");
    }
    return Invalid(where + ": invalid digest '" + d.digest + "'");
  }
  auto sz = j.find("size");
  if (sz == j.end() || !(sz->is_number_unsigned() || sz->is_number_integer()) ||
      (sz->is_number_integer() && sz->get<int64_t>() < 0)) {
    return Invalid(where + ": size must be a non-negative integer");
  }
  d.size = sz->get<uint64_t>();
  if (auto at = j.find("artifactType"); at != j.end()) {
    if (!at->is_string()) return Invalid(where + ": artifactType must be a string");
    d.artifact_type = at->get<std::string>();
  }
  if (auto urls = j.find("urls"); urls != j.end() && !urls->is_null()) {
    if (!urls->is_array()) return Invalid(where + ": urls must be an array");
    for (const json& u : *urls) {
      if (!u.is_string()) return Invalid(where + ": urls must be strings");
      d.urls.push_back(u.get<std::string>());
    }
  }
  return d;
}

Result<std::vector<Descriptor>> ParseDescriptorList(const json& doc, const char* member,
                                                    bool required) {
  std::vector<Descriptor> out;
  auto it = doc.find(member);
  if (it == doc.end() || it->is_null()) {
    if (required) return Invalid(std::string(member) + " is required");
    return out;
  }
  if (!it->is_array()) return Invalid(std::string(member) + " must be an array");
  for (size_t i = 0; i < it->size(); ++i) {
    CPA_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor((*it)[i], std::string(member) + "[" +
                                                                     std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

Status CheckSchemaVersion(const json& doc) {
  auto sv = doc.find("schemaVersion");
  if (sv == doc.end() || !sv->is_number_integer()) return Invalid("schemaVersion is required");
  int64_t v = sv->get<int64_t>();
  if (v == 1) return Invalid("schema 1 manifests are not supported");
  if (v != 2) return Invalid("unsupported schemaVersion " + std::to_string(v));
  return Status::Ok();
}

}  // namespace

bool Descriptor::foreign() const {
  if (!urls.empty()) return true;
  return media_type == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" ||
         media_type.starts_with("application/vnd.oci.image.layer.nondistributable.");
}

uint64_t ParsedManifest::ContentSize() const {
  uint64_t total = config ? config->size : 0;
  for (const Descriptor& d : layers) total += d.size;
  for (const Descriptor& d : manifests) total += d.size;
  return total;
}

std::vector<Descriptor> ParsedManifest::RequiredBlobs() const {
  std::vector<Descriptor> out;
  auto add = [&](const Descriptor& d) {
    if (d.foreign()) return;
    for (const Descriptor& o : out) {
      if (o.digest == d.digest) return;
    }
    out.push_back(d);
  };
  if (config) add(*config);
  for (const Descriptor& d : layers) add(d);
  return out;
}

std::string NormalizeMediaType(std::string_view content_type) {
  std::string_view mt = content_type.substr(0, content_type.find(';'));
  return core::AsciiLower(core::TrimAsciiWhitespace(mt));
}

bool IsManifestMediaType(std::string_view mt) {
  return mt == media_type::kOciManifest || mt == media_type::kOciIndex ||
         mt == media_type::kDockerManifest || mt == media_type::kDockerManifestList ||
         mt == media_type::kOciArtifactManifest;
}

std::string Sha256DigestOf(std::string_view bytes) { return "sha256:" + core::Sha256Hex(bytes); }

bool IsSha256Digest(std::string_view digest) {
  return digest.size() == 71 && digest.starts_with("sha256:") && IsHexLower(digest.substr(7));
}

Result<ParsedManifest> ParseManifest(std::string_view bytes, std::string_view content_type) {
  if (bytes.size() > kMaxManifestSize) {
    return Invalid("the manifest is larger than " + std::to_string(kMaxManifestSize) + " bytes");
  }
  json doc = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Invalid("the manifest is not valid JSON");
  if (!doc.is_object()) return Invalid("the manifest is not a JSON object");

  std::string declared;  // the manifest's own mediaType
  if (auto mt = doc.find("mediaType"); mt != doc.end() && !mt->is_null()) {
    if (!mt->is_string()) return Invalid("mediaType must be a string");
    declared = mt->get<std::string>();
  }
  std::string given = NormalizeMediaType(content_type);
  if (given == media_type::kDockerSchema1 || given == media_type::kDockerSchema1Signed ||
      declared == media_type::kDockerSchema1 || declared == media_type::kDockerSchema1Signed) {
    return Invalid("schema 1 manifests are not supported");
  }

  std::string resolved;
  if (!IsGeneric(given)) {
    if (!declared.empty() && declared != given) {
      return Invalid("mediaType in manifest should be '" + given + "' not '" + declared + "'");
    }
    resolved = given;
  } else if (!declared.empty()) {
    resolved = declared;
  } else if (doc.contains("manifests")) {
    resolved = media_type::kOciIndex;
  } else if (doc.contains("config")) {
    resolved = media_type::kOciManifest;
  } else if (auto sv = doc.find("schemaVersion"); sv != doc.end() && *sv == 1) {
    return Invalid("schema 1 manifests are not supported");
  } else {
    return Invalid("the manifest media type cannot be determined");
  }
  if (!IsManifestMediaType(resolved)) {
    return Invalid("unsupported manifest media type '" + resolved + "'");
  }
  // Docker's formats require their mediaType field; OCI's make it optional.
  if ((resolved == media_type::kDockerManifest || resolved == media_type::kDockerManifestList) &&
      declared.empty()) {
    return Invalid("mediaType in manifest should be '" + resolved + "' not ''");
  }

  ParsedManifest m;
  m.media_type = resolved;
  if (resolved == media_type::kOciArtifactManifest) {
    m.kind = ManifestKind::kArtifact;
    CPA_ASSIGN_OR_RETURN(m.layers, ParseDescriptorList(doc, "blobs", /*required=*/false));
  } else {
    CPA_RETURN_IF_ERROR(CheckSchemaVersion(doc));
    if (resolved == media_type::kOciIndex || resolved == media_type::kDockerManifestList) {
      m.kind = ManifestKind::kIndex;
      CPA_ASSIGN_OR_RETURN(m.manifests, ParseDescriptorList(doc, "manifests", true));
    } else {
      m.kind = ManifestKind::kImage;
      auto config = doc.find("config");
      if (config == doc.end()) return Invalid("config is required");
      CPA_ASSIGN_OR_RETURN(Descriptor c, ParseDescriptor(*config, "config"));
      m.config = std::move(c);
      CPA_ASSIGN_OR_RETURN(m.layers, ParseDescriptorList(doc, "layers", true));
    }
  }
  if (auto s = doc.find("subject"); s != doc.end() && !s->is_null()) {
    CPA_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(*s, "subject"));
    m.subject = std::move(d);
  }
  if (auto at = doc.find("artifactType"); at != doc.end() && !at->is_null()) {
    if (!at->is_string()) return Invalid("artifactType must be a string");
    m.artifact_type = at->get<std::string>();
  }
  if (m.artifact_type.empty() && m.config) m.artifact_type = m.config->media_type;
  return m;
}

}  // namespace cpa::server::registry
