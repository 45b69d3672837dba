#include "server/registry/publish.h"

#include <yaml-cpp/yaml.h>

#include <map>

#include "server/registry/artifacts/package_bundle.h"
#include "server/registry/manifest.h"

namespace cpa::server::registry {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// The manifests and blobs that `tags` need: their manifests, the children of an index (and
// theirs), and every blob those manifests require.
Status Closure(const artifacts::Repository& content, const std::vector<const artifacts::Tag*>& tags,
               std::set<std::string>& manifests, std::set<std::string>& blobs) {
  std::vector<std::string> work;
  for (const artifacts::Tag* t : tags) work.push_back(t->digest);
  while (!work.empty()) {
    std::string digest = std::move(work.back());
    work.pop_back();
    if (!manifests.insert(digest).second) continue;
    const artifacts::Manifest* m = content.FindManifest(digest);
    if (m == nullptr) {
      return Invalid("repository '" + content.name + "' has no manifest " + digest);
    }
    CPA_ASSIGN_OR_RETURN(ParsedManifest parsed, ParseManifest(m->data, m->media_type));
    for (const Descriptor& d : parsed.manifests) work.push_back(d.digest);
    for (const Descriptor& d : parsed.RequiredBlobs()) blobs.insert(d.digest);
  }
  return Status::Ok();
}

// Points `tag` at `digest` unless it already does.
Status SetTag(Registry& registry, const RepositoryId& id, const artifacts::Manifest& m,
              const std::string& tag, PublishStats& stats) {
  auto current = registry.GetImage(id, {.digest = "", .tag = tag});
  if (current.ok() && current->digest == m.digest) return Status::Ok();
  if (!current.ok() && current.status().code() != ErrorCode::kImageNotFound) {
    return current.status();
  }
  CPA_RETURN_IF_ERROR(registry.PutImage(id, m.data, m.media_type, tag, m.digest).status());
  ++stats.tags_set;
  return Status::Ok();
}

// node[key], or an undefined node (never yaml-cpp's throwing "zombie" node) when node is not a
// map or lacks the key.
YAML::Node Child(const YAML::Node& node, const char* key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node child = node[key];
  return child.IsDefined() ? child : YAML::Node(YAML::NodeType::Undefined);
}

bool IsNonEmptyString(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() && !node.Scalar().empty();
}

}  // namespace

PublishStats& PublishStats::operator+=(const PublishStats& o) {
  repositories_created += o.repositories_created;
  blobs_pushed += o.blobs_pushed;
  manifests_pushed += o.manifests_pushed;
  tags_set += o.tags_set;
  return *this;
}

Result<Repository> EnsureRepository(Registry& registry, const RepositoryId& id,
                                    PublishStats* stats) {
  auto existing = registry.GetRepository(id);
  if (existing.ok() || existing.status().code() != ErrorCode::kRepositoryNotFound) {
    return existing;
  }
  NewRepository repo;
  repo.id = id;
  auto created = registry.CreateRepository(repo);
  // Another writer may have created it meanwhile.
  if (!created.ok() && created.status().code() == ErrorCode::kAlreadyExists) {
    return registry.GetRepository(id);
  }
  if (created.ok() && stats != nullptr) ++stats->repositories_created;
  return created;
}

Status PublishRepository(Registry& registry, const RepositoryId& id,
                         const artifacts::Repository& content,
                         const std::set<std::string>* only_tags, PublishStats* stats) {
  PublishStats local;
  PublishStats& st = stats != nullptr ? *stats : local;

  std::vector<const artifacts::Tag*> tags;
  for (const artifacts::Tag& t : content.tags) {
    if (only_tags == nullptr || only_tags->count(t.name) != 0) tags.push_back(&t);
  }
  // A tag naming a manifest the content lacks would otherwise be skipped silently.
  for (const artifacts::Tag* t : tags) {
    if (content.FindManifest(t->digest) == nullptr) {
      return Invalid("tag '" + t->name + "' of repository '" + content.name +
                     "' points at a manifest it does not hold (" + t->digest + ")");
    }
  }
  std::set<std::string> needed_manifests, needed_blobs;
  if (only_tags != nullptr) {
    for (const std::string& t : *only_tags) {
      if (content.FindTag(t) == nullptr) {
        return Invalid("repository '" + content.name + "' has no tag '" + t + "'");
      }
    }
    CPA_RETURN_IF_ERROR(Closure(content, tags, needed_manifests, needed_blobs));
  }
  auto needed = [&](const std::set<std::string>& set, const std::string& digest) {
    return only_tags == nullptr || set.count(digest) != 0;
  };

  CPA_RETURN_IF_ERROR(EnsureRepository(registry, id, &st).status());

  for (const artifacts::Blob& b : content.blobs) {
    if (!needed(needed_blobs, b.digest)) continue;
    auto present = registry.StatBlob(id, b.digest);
    if (present.ok()) continue;
    if (present.status().code() != ErrorCode::kLayersNotFound) return present.status();
    CPA_RETURN_IF_ERROR(registry.PutBlob(id, b.data, b.media_type).status());
    ++st.blobs_pushed;
  }

  std::multimap<std::string, const artifacts::Tag*> tags_by_digest;
  for (const artifacts::Tag* t : tags) tags_by_digest.emplace(t->digest, t);

  for (const artifacts::Manifest& m : content.manifests) {
    if (!needed(needed_manifests, m.digest)) continue;
    auto [first, last] = tags_by_digest.equal_range(m.digest);
    auto present = registry.GetImage(id, {.digest = m.digest, .tag = ""});
    if (!present.ok()) {
      if (present.status().code() != ErrorCode::kImageNotFound) return present.status();
      // A new manifest: push it under its first tag (or none), then add the other tags.
      std::string tag = first != last ? first->second->name : std::string();
      CPA_RETURN_IF_ERROR(registry.PutImage(id, m.data, m.media_type, tag, m.digest).status());
      ++st.manifests_pushed;
      if (first != last) {
        ++st.tags_set;
        ++first;
      }
      for (; first != last; ++first) {
        CPA_RETURN_IF_ERROR(
            registry.PutImage(id, m.data, m.media_type, first->second->name, m.digest).status());
        ++st.tags_set;
      }
      continue;
    }
    for (; first != last; ++first) {
      CPA_RETURN_IF_ERROR(SetTag(registry, id, m, first->second->name, st));
    }
  }
  return Status::Ok();
}

Result<Image> PublishArtifact(Registry& registry, const RepositoryId& id,
                              const artifacts::Artifact& artifact,
                              const std::vector<std::string>& tags, PublishStats* stats) {
  if (tags.empty()) return Invalid("an artifact is published under at least one tag");
  for (const std::string& t : tags) CPA_RETURN_IF_ERROR(Registry::ValidateTag(t));
  artifacts::Repository content;
  content.name = id.name;
  CPA_RETURN_IF_ERROR(content.Add(artifact, tags));
  CPA_RETURN_IF_ERROR(PublishRepository(registry, id, content, nullptr, stats));
  return registry.GetImage(id, {.digest = artifact.manifest.digest, .tag = ""});
}

Result<artifacts::Artifact> BuildBundleArtifactFromYaml(std::string_view yaml) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Invalid("bundle: not YAML: " + std::string(e.what()));
  }
  if (!doc.IsMap()) return Invalid("bundle: the document is not a YAML mapping");
  const YAML::Node api = Child(doc, "apiVersion");
  if (!IsNonEmptyString(api) || api.Scalar() != artifacts::kPackageBundleApiVersion) {
    return Invalid("bundle: apiVersion must be " +
                   std::string(artifacts::kPackageBundleApiVersion));
  }
  const YAML::Node kind = Child(doc, "kind");
  if (!IsNonEmptyString(kind) || kind.Scalar() != artifacts::kPackageBundleKind) {
    return Invalid("bundle: kind must be " + std::string(artifacts::kPackageBundleKind));
  }
  if (!IsNonEmptyString(Child(Child(doc, "metadata"), "name"))) {
    return Invalid("bundle: metadata.name is missing");
  }
  const YAML::Node packages = Child(Child(doc, "spec"), "packages");
  if (!packages.IsDefined() || !packages.IsSequence() || packages.size() == 0) {
    return Invalid("bundle: spec.packages must be a non-empty list");
  }
  for (size_t i = 0; i < packages.size(); ++i) {
    const std::string where = "bundle: spec.packages[" + std::to_string(i) + "]";
    const YAML::Node p = packages[i];
    if (!IsNonEmptyString(Child(p, "name"))) return Invalid(where + ".name is missing");
    const YAML::Node source = Child(p, "source");
    if (!IsNonEmptyString(Child(source, "repository"))) {
      return Invalid(where + ".source.repository is missing");
    }
    const YAML::Node versions = Child(source, "versions");
    if (!versions.IsDefined() || !versions.IsSequence() || versions.size() == 0) {
      return Invalid(where + ".source.versions must be a non-empty list");
    }
    for (size_t j = 0; j < versions.size(); ++j) {
      if (!IsNonEmptyString(Child(versions[j], "name"))) {
        return Invalid(where + ".source.versions[" + std::to_string(j) + "].name is missing");
      }
    }
  }
  artifacts::Artifact a;
  a.blobs.push_back(artifacts::MakeBlob(artifacts::kOrasUnknownConfigMediaType, "{}"));
  a.blobs.push_back(artifacts::MakeBlob(artifacts::kOciLayerTarMediaType, std::string(yaml)));
  a.manifest = artifacts::BuildImageManifest(
      a.blobs[0],
      {{&a.blobs[1],
        {{std::string(artifacts::kAnnotationTitle), std::string(artifacts::kBundleFileName)}}}},
      {}, /*with_media_type=*/false);
  return a;
}

}  // namespace cpa::server::registry
