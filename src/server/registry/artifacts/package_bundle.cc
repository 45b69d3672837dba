#include "server/registry/artifacts/package_bundle.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

#include "core/encoding.h"

namespace cpa::server::registry::artifacts {
namespace {

using core::ErrorCode;

core::Status Invalid(std::string message) {
  return core::Error(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsSha256Digest(std::string_view d) {
  constexpr std::string_view kPrefix = "sha256:";
  if (d.size() != kPrefix.size() + 64 || d.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(d.begin() + kPrefix.size(), d.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

core::Status Validate(const PackageBundle& bundle) {
  if (bundle.name.empty()) return Invalid("package bundle needs a name");
  if (bundle.packages.empty()) return Invalid("package bundle needs at least one package");
  for (const BundlePackage& p : bundle.packages) {
    if (p.name.empty()) return Invalid("bundle package needs a name");
    if (p.repository.empty()) return Invalid("bundle package '" + p.name + "' needs a repository");
    if (p.versions.empty()) return Invalid("bundle package '" + p.name + "' needs a version");
    for (const BundleVersion& v : p.versions) {
      if (v.name.empty()) return Invalid("a version of package '" + p.name + "' has no name");
      if (!IsSha256Digest(v.digest)) {
        return Invalid("version '" + v.name + "' of package '" + p.name + "' has digest '" +
                       v.digest + "', not sha256:<64 hex>");
      }
      for (const BundleImage& i : v.images) {
        if (i.repository.empty() || !IsSha256Digest(i.digest)) {
          return Invalid("an image of package '" + p.name + "' version '" + v.name +
                         "' needs a repository and a sha256 digest");
        }
      }
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<KubeVersion> ParseKubeVersion(std::string_view text) {
  std::string_view t = text;
  if (!t.empty() && t.front() == 'v') t.remove_prefix(1);
  size_t sep = t.find_first_of(".-");
  auto parse = [](std::string_view s, int& out) {
    if (s.empty() || s.size() > 3) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  KubeVersion k;
  if (sep == std::string_view::npos || !parse(t.substr(0, sep), k.major) ||
      !parse(t.substr(sep + 1), k.minor)) {
    return Invalid("Kubernetes version '" + std::string(text) +
                   "' is not of the form 1.28 or 1-28");
  }
  return k;
}

std::string LatestBundleTag(KubeVersion kube) {
  return "v" + std::to_string(kube.major) + "-" + std::to_string(kube.minor) + "-latest";
}

std::string BundleName(KubeVersion kube, int build) {
  return "v" + std::to_string(kube.major) + "-" + std::to_string(kube.minor) + "-" +
         std::to_string(build);
}

std::string ExcludesAnnotationValue() {
  return core::Base64Encode(
      ".spec.packages[].source.registry\n.spec.packages[].source.repository\n");
}

core::Result<std::string> RenderPackageBundleYaml(const PackageBundle& bundle) {
  CPA_RETURN_IF_ERROR(Validate(bundle));
  // Keys in sorted order at every level, as yaml.v2 marshals the map generatebundlefile builds.
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << std::string(kPackageBundleApiVersion);
  out << YAML::Key << "kind" << YAML::Value << std::string(kPackageBundleKind);
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << std::string(kExcludesAnnotation) << YAML::Value << ExcludesAnnotationValue();
  out << YAML::EndMap;
  out << YAML::Key << "name" << YAML::Value << bundle.name;
  out << YAML::Key << "namespace" << YAML::Value << std::string(kPackagesNamespace);
  out << YAML::EndMap;

  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  // No omitempty on this field: an empty value is written too.
  out << YAML::Key << "minControllerVersion" << YAML::Value << bundle.min_controller_version;
  out << YAML::Key << "packages" << YAML::Value << YAML::BeginSeq;
  for (const BundlePackage& p : bundle.packages) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << p.name;
    out << YAML::Key << "source" << YAML::Value << YAML::BeginMap;
    if (!p.registry.empty()) out << YAML::Key << "registry" << YAML::Value << p.registry;
    out << YAML::Key << "repository" << YAML::Value << p.repository;
    out << YAML::Key << "versions" << YAML::Value << YAML::BeginSeq;
    for (const BundleVersion& v : p.versions) {
      out << YAML::BeginMap;
      out << YAML::Key << "digest" << YAML::Value << v.digest;
      if (!v.images.empty()) {
        out << YAML::Key << "images" << YAML::Value << YAML::BeginSeq;
        for (const BundleImage& i : v.images) {
          out << YAML::BeginMap;
          out << YAML::Key << "digest" << YAML::Value << i.digest;
          out << YAML::Key << "repository" << YAML::Value << i.repository;
          out << YAML::EndMap;
        }
        out << YAML::EndSeq;
      }
      out << YAML::Key << "name" << YAML::Value << v.name;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::EndMap;  // source
    out << YAML::EndMap;  // package
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;  // spec
  out << YAML::EndMap;
  if (!out.good()) return Invalid("package bundle YAML: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

namespace {

Artifact BundleArtifact(std::string yaml) {
  Artifact a;
  a.blobs.push_back(MakeBlob(kOrasUnknownConfigMediaType, "{}"));
  a.blobs.push_back(MakeBlob(kOciLayerTarMediaType, std::move(yaml)));
  a.manifest = BuildImageManifest(
      a.blobs[0], {{&a.blobs[1], {{std::string(kAnnotationTitle), std::string(kBundleFileName)}}}},
      {}, /*with_media_type=*/false);
  return a;
}

// True for names of BundleName's form, v<digits>-<digits>-<digits>: a plain YAML scalar that no
// other key of a bundle holds at metadata's indentation.
bool IsBundleNameForm(std::string_view name) {
  if (name.size() < 2 || name[0] != 'v') return false;
  int groups = 0;
  size_t digits = 0;
  for (char c : name.substr(1)) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '-' && digits > 0) {
      ++groups;
      digits = 0;
    } else {
      return false;
    }
  }
  return groups == 2 && digits > 0;
}

}  // namespace

core::Result<Artifact> BuildPackageBundleArtifact(const PackageBundle& bundle) {
  CPA_ASSIGN_OR_RETURN(std::string yaml, RenderPackageBundleYaml(bundle));
  return BundleArtifact(std::move(yaml));
}

core::Result<std::vector<Artifact>> BuildPackageBundleArtifacts(
    const PackageBundle& bundle, const std::vector<std::string>& names) {
  std::vector<Artifact> out;
  if (names.empty()) return out;
  PackageBundle named = bundle;
  named.name = names.front();
  CPA_ASSIGN_OR_RETURN(std::string first, RenderPackageBundleYaml(named));
  // metadata.name is the one line "  name: <name>" at metadata's indentation.
  const std::string line = "\n  name: " + named.name + "\n";
  const size_t at = first.find(line);
  const bool templated = IsBundleNameForm(named.name) && at != std::string::npos &&
                         first.find(line, at + 1) == std::string::npos;
  for (const std::string& name : names) {
    if (templated && IsBundleNameForm(name)) {
      std::string yaml = first;
      yaml.replace(at, line.size(), "\n  name: " + name + "\n");
      out.push_back(BundleArtifact(std::move(yaml)));
    } else {
      named.name = name;
      CPA_ASSIGN_OR_RETURN(Artifact a, BuildPackageBundleArtifact(named));
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace cpa::server::registry::artifacts
