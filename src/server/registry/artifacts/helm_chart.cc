#include "server/registry/artifacts/helm_chart.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/registry/artifacts/gzip.h"
#include "server/registry/artifacts/tar.h"

namespace cpa::server::registry::artifacts {
namespace {

using core::ErrorCode;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

core::Status ValidateName(std::string_view name) {
  bool ok =
      !name.empty() && name.size() <= 63 && IsLowerAlnum(name.front()) &&
      IsLowerAlnum(name.back()) &&
      std::all_of(name.begin(), name.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
  if (ok) return core::Status::Ok();
  return core::Error(ErrorCode::kInvalidArgument,
                     "chart name '" + std::string(name) +
                         "' must be 1-63 characters of [a-z0-9-], starting and ending with a "
                         "letter or digit");
}

// MAJOR.MINOR.PATCH with optional -prerelease and +build (SemVer 2.0.0).
bool IsSemver(std::string_view v) {
  auto numeric = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit) && (s.size() == 1 || s[0] != '0');
  };
  auto identifiers = [&](std::string_view s, bool check_leading_zero) {
    if (s.empty()) return false;
    size_t start = 0;
    while (true) {
      size_t dot = s.find('.', start);
      std::string_view id = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
      if (id.empty()) return false;
      for (char c : id) {
        if (!IsLowerAlnum(c) && !(c >= 'A' && c <= 'Z') && c != '-') return false;
      }
      if (check_leading_zero && std::all_of(id.begin(), id.end(), IsDigit) && !numeric(id)) {
        return false;
      }
      if (dot == std::string_view::npos) return true;
      start = dot + 1;
    }
  };
  size_t plus = v.find('+');
  if (plus != std::string_view::npos && !identifiers(v.substr(plus + 1), false)) return false;
  std::string_view core_pre = v.substr(0, plus);
  size_t dash = core_pre.find('-');
  if (dash != std::string_view::npos && !identifiers(core_pre.substr(dash + 1), true)) return false;
  std::string_view core = core_pre.substr(0, dash);
  size_t d1 = core.find('.');
  if (d1 == std::string_view::npos) return false;
  size_t d2 = core.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return false;
  return numeric(core.substr(0, d1)) && numeric(core.substr(d1 + 1, d2 - d1 - 1)) &&
         numeric(core.substr(d2 + 1));
}

core::Status Validate(const ChartSpec& chart) {
  CPA_RETURN_IF_ERROR(ValidateName(chart.name));
  if (!IsSemver(chart.version)) {
    return core::Error(ErrorCode::kInvalidArgument,
                       "chart version '" + chart.version + "' is not a SemVer 2 version");
  }
  return core::Status::Ok();
}

}  // namespace

std::string ChartTag(std::string_view version) {
  std::string tag(version);
  std::replace(tag.begin(), tag.end(), '+', '_');
  return tag;
}

core::Result<std::string> RenderChartYaml(const ChartSpec& chart) {
  CPA_RETURN_IF_ERROR(Validate(chart));
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v2";
  out << YAML::Key << "name" << YAML::Value << chart.name;
  if (!chart.description.empty()) {
    out << YAML::Key << "description" << YAML::Value << chart.description;
  }
  out << YAML::Key << "type" << YAML::Value << "application";
  // Quoted so that versions such as "1.10" stay strings (helm create quotes appVersion too).
  out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << chart.version;
  if (!chart.app_version.empty()) {
    out << YAML::Key << "appVersion" << YAML::Value << YAML::DoubleQuoted << chart.app_version;
  }
  out << YAML::EndMap;
  if (!out.good()) {
    return core::Error(ErrorCode::kInvalidArgument, "Chart.yaml: " + out.GetLastError());
  }
  return std::string(out.c_str()) + "\n";
}

core::Result<std::string> ChartConfigJson(const ChartSpec& chart) {
  CPA_RETURN_IF_ERROR(Validate(chart));
  // Field order of helm's chart.Metadata struct, empty fields omitted (omitempty).
  nlohmann::ordered_json meta;
  meta["name"] = chart.name;
  meta["version"] = chart.version;
  if (!chart.description.empty()) meta["description"] = chart.description;
  meta["apiVersion"] = "v2";
  if (!chart.app_version.empty()) meta["appVersion"] = chart.app_version;
  meta["type"] = "application";
  return meta.dump();
}

core::Result<std::string> PackageChart(const ChartSpec& chart) {
  CPA_ASSIGN_OR_RETURN(std::string chart_yaml, RenderChartYaml(chart));
  TarWriter tar;
  const std::string base = chart.name + "/";
  CPA_RETURN_IF_ERROR(tar.AddFile(base + "Chart.yaml", chart_yaml));
  CPA_RETURN_IF_ERROR(tar.AddFile(base + "values.yaml", chart.values_yaml));
  std::vector<const ChartFile*> templates;
  for (const ChartFile& f : chart.templates) templates.push_back(&f);
  std::sort(templates.begin(), templates.end(),
            [](const ChartFile* a, const ChartFile* b) { return a->path < b->path; });
  for (size_t i = 0; i + 1 < templates.size(); ++i) {
    if (templates[i]->path == templates[i + 1]->path) {
      return core::Error(ErrorCode::kInvalidArgument,
                         "chart template '" + templates[i]->path + "' appears twice");
    }
  }
  for (const ChartFile* f : templates) {
    CPA_RETURN_IF_ERROR(tar.AddFile(base + "templates/" + f->path, f->content));
  }
  return GzipCompress(tar.Finish());
}

core::Result<Artifact> BuildHelmChart(const ChartSpec& chart) {
  CPA_ASSIGN_OR_RETURN(std::string package, PackageChart(chart));
  CPA_ASSIGN_OR_RETURN(std::string config_json, ChartConfigJson(chart));
  Artifact a;
  a.blobs.push_back(MakeBlob(kHelmConfigMediaType, std::move(config_json)));
  a.blobs.push_back(MakeBlob(kHelmChartContentMediaType, std::move(package)));
  Annotations annotations{{std::string(kAnnotationCreated), std::string(kFixedCreated)},
                          {std::string(kAnnotationTitle), chart.name},
                          {std::string(kAnnotationVersion), chart.version}};
  if (!chart.description.empty()) {
    annotations[std::string(kAnnotationDescription)] = chart.description;
  }
  a.manifest = BuildImageManifest(a.blobs[0], {{&a.blobs[1], {}}}, annotations,
                                  /*with_media_type=*/false);
  return a;
}

}  // namespace cpa::server::registry::artifacts
