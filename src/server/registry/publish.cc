#include "server/registry/publish.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
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

namespace {

// What one job publishes: its tags, and (with only_tags) the manifests and blobs they need.
struct Plan {
  std::vector<const artifacts::Tag*> tags;
  bool everything = true;
  std::set<std::string> manifests, blobs;
  bool fresh = false;  // the repository was created by this publish

  bool NeedsManifest(const std::string& digest) const {
    return everything || manifests.count(digest) != 0;
  }
  bool NeedsBlob(const std::string& digest) const { return everything || blobs.count(digest) != 0; }
};

Result<Plan> MakePlan(const PublishJob& job) {
  const artifacts::Repository& content = *job.content;
  Plan plan;
  for (const artifacts::Tag& t : content.tags) {
    if (job.only_tags == nullptr || job.only_tags->count(t.name) != 0) plan.tags.push_back(&t);
  }
  // A tag naming a manifest the content lacks would otherwise be skipped silently.
  for (const artifacts::Tag* t : plan.tags) {
    if (content.FindManifest(t->digest) == nullptr) {
      return Invalid("tag '" + t->name + "' of repository '" + content.name +
                     "' points at a manifest it does not hold (" + t->digest + ")");
    }
  }
  if (job.only_tags != nullptr) {
    plan.everything = false;
    for (const std::string& t : *job.only_tags) {
      if (content.FindTag(t) == nullptr) {
        return Invalid("repository '" + content.name + "' has no tag '" + t + "'");
      }
    }
    CPA_RETURN_IF_ERROR(Closure(content, plan.tags, plan.manifests, plan.blobs));
  }
  return plan;
}

Status ImageNotFoundYet() { return Status(ErrorCode::kImageNotFound, "new repository"); }

// The manifests a job pushes (children before their index, as the content orders them) with the
// tags it sets, as PutImage calls; what is in place already is skipped.
Status PlanManifests(Registry& registry, const PublishJob& job, const Plan& plan,
                     std::vector<Registry::NewImage>& out, PublishStats& st) {
  const RepositoryId& id = job.id;
  std::multimap<std::string, const artifacts::Tag*> tags_by_digest;
  for (const artifacts::Tag* t : plan.tags) tags_by_digest.emplace(t->digest, t);

  for (const artifacts::Manifest& m : job.content->manifests) {
    if (!plan.NeedsManifest(m.digest)) continue;
    auto [first, last] = tags_by_digest.equal_range(m.digest);
    Registry::NewImage image{id, m.data, m.media_type, {}, m.digest};
    Result<Image> present = ImageNotFoundYet();
    if (!plan.fresh) present = registry.GetImage(id, {.digest = m.digest, .tag = ""});
    if (!present.ok() && present.status().code() != ErrorCode::kImageNotFound) {
      return present.status();
    }
    for (; first != last; ++first) {
      const std::string& tag = first->second->name;
      // A tag of an image already there is set unless it already points at it.
      if (present.ok() &&
          std::find(present->tags.begin(), present->tags.end(), tag) != present->tags.end()) {
        continue;
      }
      image.tags.push_back(tag);
    }
    if (present.ok() && image.tags.empty()) continue;
    if (!present.ok()) ++st.manifests_pushed;
    st.tags_set += static_cast<int>(image.tags.size());
    out.push_back(std::move(image));
  }
  return Status::Ok();
}

}  // namespace

Status PublishRepositories(Registry& registry, const std::vector<PublishJob>& jobs,
                           PublishStats* stats, size_t* failed_job) {
  PublishStats local;
  PublishStats& st = stats != nullptr ? *stats : local;
  size_t ignored = 0;
  size_t& failed = failed_job != nullptr ? *failed_job : ignored;

  std::vector<Plan> plans;
  plans.reserve(jobs.size());
  for (failed = 0; failed < jobs.size(); ++failed) {
    CPA_ASSIGN_OR_RETURN(Plan plan, MakePlan(jobs[failed]));
    plans.push_back(std::move(plan));
  }

  std::vector<Registry::NewBlob> missing;
  for (failed = 0; failed < jobs.size(); ++failed) {
    const PublishJob& job = jobs[failed];
    Plan& plan = plans[failed];
    const int created_before = st.repositories_created;
    CPA_RETURN_IF_ERROR(EnsureRepository(registry, job.id, &st).status());
    // A repository created just now holds nothing: no need to ask.
    plan.fresh = st.repositories_created != created_before;
    for (const artifacts::Blob& b : job.content->blobs) {
      if (!plan.NeedsBlob(b.digest)) continue;
      if (!plan.fresh) {
        auto present = registry.StatBlob(job.id, b.digest);
        if (present.ok()) continue;
        if (present.status().code() != ErrorCode::kLayersNotFound) return present.status();
      }
      missing.push_back({job.id, b.data, b.media_type});
    }
  }
  failed = jobs.size();
  if (!missing.empty()) {
    CPA_RETURN_IF_ERROR(registry.PutBlobs(missing).status());
    st.blobs_pushed += static_cast<int>(missing.size());
  }

  // Then every manifest and tag in one transaction: all of them or (on error) none.
  std::vector<Registry::NewImage> images;
  PublishStats pushed;
  for (failed = 0; failed < jobs.size(); ++failed) {
    CPA_RETURN_IF_ERROR(PlanManifests(registry, jobs[failed], plans[failed], images, pushed));
  }
  failed = jobs.size();
  if (!images.empty()) CPA_RETURN_IF_ERROR(registry.PutImages(images));
  st += pushed;
  return Status::Ok();
}

Status PublishRepository(Registry& registry, const RepositoryId& id,
                         const artifacts::Repository& content,
                         const std::set<std::string>* only_tags, PublishStats* stats) {
  return PublishRepositories(registry, {{id, &content, only_tags}}, stats);
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
