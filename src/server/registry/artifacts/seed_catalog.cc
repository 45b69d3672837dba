#include "server/registry/artifacts/seed_catalog.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "core/crypto.h"
#include "server/registry/artifacts/container_image.h"
#include "server/registry/artifacts/helm_chart.h"

namespace cpa::server::registry::artifacts {
namespace {

using core::ErrorCode;

core::Status Invalid(std::string message) {
  return core::Error(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// "us-west-2", "ap-southeast-5", "us-gov-west-1": lowercase words joined by '-', ending in digits.
bool IsRegion(std::string_view r) {
  if (r.size() < 4 || r.size() > 32 || r.front() < 'a' || r.front() > 'z') return false;
  if (!std::all_of(r.begin(), r.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; })) {
    return false;
  }
  size_t last = r.rfind('-');
  if (last == std::string_view::npos || last == r.size() - 1 ||
      std::count(r.begin(), r.end(), '-') < 2 || r.find("--") != std::string_view::npos) {
    return false;
  }
  return std::all_of(r.begin() + last + 1, r.end(), [](char c) { return c >= '0' && c <= '9'; });
}

core::Status ValidateHost(std::string_view host, std::string_view region) {
  std::string_view name = host;
  size_t colon = host.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    name = host.substr(0, colon);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Invalid("registry host '" + std::string(host) + "' has a bad port");
    }
  }
  bool ok = !name.empty() && name.size() <= 253 && name.front() != '.' && name.back() != '.' &&
            name.front() != '-' && name.find("..") == std::string_view::npos &&
            std::all_of(name.begin(), name.end(),
                        [](char c) { return IsLowerAlnum(c) || c == '-' || c == '.'; });
  if (!ok) {
    return Invalid("registry host '" + std::string(host) +
                   "' must be a lowercase host name, e.g. 346438352937.dkr.ecr.us-west-2."
                   "amazonaws.com");
  }
  // <account>.dkr.ecr.<region>.<domain>: the region must be the one asked for.
  constexpr std::string_view kEcr = ".dkr.ecr.";
  size_t ecr = name.find(kEcr);
  if (ecr != std::string_view::npos) {
    std::string_view rest = name.substr(ecr + kEcr.size());
    std::string_view host_region = rest.substr(0, rest.find('.'));
    if (host_region != region) {
      return Invalid("registry host '" + std::string(host) + "' is in region '" +
                     std::string(host_region) + "', not '" + std::string(region) + "'");
    }
  }
  return core::Status::Ok();
}

// A stand-in for the build commit that suffixes real package versions: 40 hex characters derived
// from the package, so versions are stable and distinct.
std::string CommitLike(std::string_view package, std::string_view app_version) {
  return core::Sha256Hex("cpa-seed/" + std::string(package) + "/" + std::string(app_version))
      .substr(0, 40);
}

struct PackageDef {
  std::string name;
  std::string chart_repository;
  std::string image_repository;
  std::string app_version;
  std::string description;
  std::vector<ImageFile> files;
  std::vector<std::string> cmd;
};

std::vector<PackageDef> PackageDefs() {
  return {
      {"hello-eks-anywhere",
       "hello-eks-anywhere",
       "hello-eks-anywhere",
       "0.1.2",
       "A web page greeting from Amazon EKS Anywhere curated packages",
       {{"usr/share/nginx/html/index.html",
         "<html><body><h1>Hello from EKS Anywhere curated packages</h1></body></html>\n"},
        {"etc/hello/message", "Amazon EKS Anywhere\n"}},
       {"nginx", "-g", "daemon off;"}},
      {"harbor",
       "harbor/harbor-helm",
       "harbor/harbor-core",
       "2.11.1",
       "An OCI registry with policies and role-based access control",
       {{"harbor/VERSION", "v2.11.1\n"}, {"etc/harbor/app.conf", "appname = Harbor\n"}},
       {"/harbor/entrypoint.sh"}},
      {"metrics-server",
       "metrics-server/charts/metrics-server",
       "metrics-server/metrics-server",
       "0.7.2",
       "Resource metrics for Kubernetes built-in autoscaling",
       {{"metrics-server/VERSION", "v0.7.2\n"}, {"etc/metrics-server/README", "metrics-server\n"}},
       {"/metrics-server", "--secure-port=10250"}},
  };
}

std::string ValuesYaml(std::string_view registry_host, const PackageDef& def,
                       const std::string& image_tag, const std::string& image_digest) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "sourceRegistry" << YAML::Value << std::string(registry_host);
  out << YAML::Key << "replicaCount" << YAML::Value << 1;
  out << YAML::Key << "image" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "repository" << YAML::Value << def.image_repository;
  out << YAML::Key << "tag" << YAML::Value << image_tag;
  out << YAML::Key << "digest" << YAML::Value << image_digest;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string DeploymentTemplate(const PackageDef& def) {
  return "apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata:\n"
         "  name: {{ .Release.Name }}\n"
         "  namespace: {{ .Release.Namespace }}\n"
         "spec:\n"
         "  replicas: {{ .Values.replicaCount }}\n"
         "  selector:\n"
         "    matchLabels:\n"
         "      app: {{ .Release.Name }}\n"
         "  template:\n"
         "    metadata:\n"
         "      labels:\n"
         "        app: {{ .Release.Name }}\n"
         "    spec:\n"
         "      containers:\n"
         "        - name: " +
         def.name +
         "\n"
         "          image: \"{{ .Values.sourceRegistry }}/{{ .Values.image.repository }}"
         "@{{ .Values.image.digest }}\"\n";
}

// The packages' container images, in PackageDefs() order. They depend on nothing a catalog is
// built for (host, region, options), so a process builds them once, however many catalogs it
// builds (seeding builds one per packages account).
const core::Result<std::vector<Artifact>>& SeedImages() {
  static const core::Result<std::vector<Artifact>> images =
      []() -> core::Result<std::vector<Artifact>> {
    std::vector<Artifact> out;
    for (const PackageDef& def : PackageDefs()) {
      ImageSpec image;
      image.files = def.files;
      image.cmd = def.cmd;
      image.platforms = {{.os = "linux", .architecture = "amd64", .variant = ""},
                         {.os = "linux", .architecture = "arm64", .variant = "v8"}};
      CPA_ASSIGN_OR_RETURN(Artifact a, BuildContainerImage(image));
      out.push_back(std::move(a));
    }
    return out;
  }();
  return images;
}

Repository& RepositoryFor(Catalog& catalog, const std::string& name) {
  for (Repository& r : catalog.repositories) {
    if (r.name == name) return r;
  }
  catalog.repositories.push_back(
      Repository{.name = name, .blobs = {}, .manifests = {}, .tags = {}});
  return catalog.repositories.back();
}

}  // namespace

core::Status Repository::Add(const Artifact& artifact, const std::vector<std::string>& tag_names) {
  for (const std::string& t : tag_names) {
    const Tag* existing = FindTag(t);
    if (existing != nullptr && existing->digest != artifact.manifest.digest) {
      return Invalid("tag '" + t + "' of repository '" + name + "' already points at " +
                     existing->digest);
    }
  }
  for (const Blob& b : artifact.blobs) {
    if (FindBlob(b.digest) == nullptr) blobs.push_back(b);
  }
  for (const Manifest& m : artifact.children) {
    if (FindManifest(m.digest) == nullptr) manifests.push_back(m);
  }
  if (FindManifest(artifact.manifest.digest) == nullptr) manifests.push_back(artifact.manifest);
  for (const std::string& t : tag_names) {
    if (FindTag(t) == nullptr) tags.push_back({t, artifact.manifest.digest});
  }
  return core::Status::Ok();
}

const Blob* Repository::FindBlob(std::string_view digest) const {
  for (const Blob& b : blobs) {
    if (b.digest == digest) return &b;
  }
  return nullptr;
}

const Manifest* Repository::FindManifest(std::string_view digest) const {
  for (const Manifest& m : manifests) {
    if (m.digest == digest) return &m;
  }
  return nullptr;
}

const Tag* Repository::FindTag(std::string_view tag_name) const {
  for (const Tag& t : tags) {
    if (t.name == tag_name) return &t;
  }
  return nullptr;
}

const Repository* Catalog::Find(std::string_view name) const {
  for (const Repository& r : repositories) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

core::Result<Catalog> SeedCatalog(std::string_view registry_host, std::string_view region,
                                  const SeedOptions& options) {
  if (!IsRegion(region)) {
    return Invalid("region '" + std::string(region) + "' is not an AWS Region name");
  }
  CPA_RETURN_IF_ERROR(ValidateHost(registry_host, region));
  if (options.kube_versions.empty()) return Invalid("seed needs at least one Kubernetes version");
  if (options.bundle_build < 1) return Invalid("bundle build number must be positive");
  std::vector<KubeVersion> kube_versions;
  std::set<std::string> seen;
  for (const std::string& text : options.kube_versions) {
    CPA_ASSIGN_OR_RETURN(KubeVersion k, ParseKubeVersion(text));
    if (!seen.insert(LatestBundleTag(k)).second) {
      return Invalid("Kubernetes version '" + text + "' appears twice");
    }
    kube_versions.push_back(k);
  }

  Catalog catalog;
  catalog.registry_host = std::string(registry_host);
  catalog.region = std::string(region);
  RepositoryFor(catalog, std::string(kBundleRepository));

  const core::Result<std::vector<Artifact>>& images = SeedImages();
  if (!images.ok()) return images.status();
  const std::vector<PackageDef> defs = PackageDefs();
  std::vector<BundlePackage> bundle_packages;
  for (size_t i = 0; i < defs.size(); ++i) {
    const PackageDef& def = defs[i];
    std::string commit = CommitLike(def.name, def.app_version);
    std::string version = def.app_version + "-" + commit;
    std::string image_tag = "v" + version;

    const Artifact& image_artifact = (*images)[i];
    const std::string image_digest = image_artifact.manifest.digest;

    ChartSpec chart;
    chart.name = def.name;
    chart.version = version;
    chart.app_version = def.app_version;
    chart.description = def.description;
    chart.values_yaml = ValuesYaml(registry_host, def, image_tag, image_digest);
    chart.templates = {{"deployment.yaml", DeploymentTemplate(def)}};
    CPA_ASSIGN_OR_RETURN(Artifact chart_artifact, BuildHelmChart(chart));

    CPA_RETURN_IF_ERROR(
        RepositoryFor(catalog, def.image_repository).Add(image_artifact, {image_tag}));
    CPA_RETURN_IF_ERROR(
        RepositoryFor(catalog, def.chart_repository).Add(chart_artifact, {ChartTag(version)}));

    catalog.packages.push_back({def.name, def.chart_repository, version,
                                chart_artifact.manifest.digest, def.image_repository, image_tag,
                                image_digest});
    bundle_packages.push_back(
        {def.name,
         std::string(registry_host),
         def.chart_repository,
         {{version, chart_artifact.manifest.digest, {{def.image_repository, image_digest}}}}});
  }

  // One bundle per Kubernetes version, the same but for its name.
  PackageBundle bundle;
  bundle.min_controller_version = options.min_controller_version;
  bundle.packages = std::move(bundle_packages);
  std::vector<std::string> names;
  for (KubeVersion k : kube_versions) names.push_back(BundleName(k, options.bundle_build));
  CPA_ASSIGN_OR_RETURN(std::vector<Artifact> bundles, BuildPackageBundleArtifacts(bundle, names));
  for (size_t i = 0; i < kube_versions.size(); ++i) {
    std::string latest = LatestBundleTag(kube_versions[i]);
    CPA_RETURN_IF_ERROR(
        RepositoryFor(catalog, std::string(kBundleRepository)).Add(bundles[i], {latest, names[i]}));
    catalog.bundle_tags.push_back(latest);
  }
  return catalog;
}

}  // namespace cpa::server::registry::artifacts
