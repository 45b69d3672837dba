#include "server/registry/chart_directory.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "server/registry/artifacts/gzip.h"
#include "server/registry/artifacts/tar.h"

namespace cpa::server::registry {
namespace {

namespace fs = std::filesystem;
namespace art = artifacts;
using core::ErrorCode;
using core::Result;
using core::Status;
using OrderedJson = nlohmann::ordered_json;

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// Go's filepath.Match rejects an unterminated '[' class or a trailing '\'; fnmatch would just not
// match, so check first.
bool PatternCompiles(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (++i == p.size()) return false;
    } else if (p[i] == '[') {
      size_t j = i + 1;
      if (j < p.size() && (p[j] == '^' || p[j] == '!')) ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') ++j;
      if (j == p.size()) return false;
      i = j;
    }
  }
  return true;
}

bool GlobMatch(const std::string& pattern, std::string_view name) {
  return ::fnmatch(pattern.c_str(), std::string(name).c_str(), FNM_PATHNAME) == 0;
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Masterminds/semver (what helm parses versions with): optional "v", one to three numeric
// components, optional pre-release and build metadata.
bool IsHelmVersion(const std::string& v) {
  static const std::regex kVersion(
      R"(^v?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?(\.(0|[1-9][0-9]*))?)"
      R"((-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$)");
  return std::regex_match(v, kVersion);
}

// A Chart.yaml field that must be a string (absent: "").
Result<std::string> StringField(const YAML::Node& meta, const char* key) {
  YAML::Node n = meta[key];
  if (!n.IsDefined() || n.IsNull()) return std::string();
  if (!n.IsScalar()) return Invalid(std::string("Chart.yaml: ") + key + " must be a string");
  return n.Scalar();
}

Result<std::vector<std::string>> StringList(const YAML::Node& meta, const char* key) {
  YAML::Node n = meta[key];
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) return Invalid(std::string("Chart.yaml: ") + key + " must be a list");
  for (const YAML::Node& item : n) {
    if (!item.IsScalar()) {
      return Invalid(std::string("Chart.yaml: ") + key + " must be a list of strings");
    }
    out.push_back(item.Scalar());
  }
  return out;
}

// Any YAML value as JSON (for import-values, which helm keeps as untyped data).
OrderedJson ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: {
      OrderedJson a = OrderedJson::array();
      for (const YAML::Node& item : n) a.push_back(ToJson(item));
      return a;
    }
    case YAML::NodeType::Map: {
      std::map<std::string, OrderedJson> sorted;
      for (const auto& kv : n) sorted[kv.first.Scalar()] = ToJson(kv.second);
      OrderedJson o = OrderedJson::object();
      for (auto& [k, v] : sorted) o[k] = std::move(v);
      return o;
    }
    case YAML::NodeType::Scalar: {
      if (n.Tag() == "!") return n.Scalar();  // quoted
      bool b;
      if (YAML::convert<bool>::decode(n, b)) return b;
      int64_t i;
      if (YAML::convert<int64_t>::decode(n, i)) return i;
      double d;
      if (YAML::convert<double>::decode(n, d)) return d;
      return n.Scalar();
    }
    default:
      return nullptr;
  }
}

struct Metadata {
  std::string name, version, description, home;
  std::vector<std::string> sources;
  struct Maintainer {
    std::string name, email;
  };
  std::vector<Maintainer> maintainers;
  std::map<std::string, std::string> annotations;
  OrderedJson config;  // the chart.Metadata JSON
};

// Parses and validates Chart.yaml as helm's loader and Metadata.Validate do.
Result<Metadata> ParseChartYaml(const std::string& text) {
  YAML::Node meta;
  try {
    meta = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Invalid("Chart.yaml: " + std::string(e.what()));
  }
  if (!meta.IsMap()) return Invalid("Chart.yaml: not a YAML mapping");
  {
    // yaml-cpp keeps the first of duplicate keys silently; helm's YAML parser refuses them.
    std::set<std::string> keys;
    for (const auto& kv : meta) {
      if (kv.first.IsScalar() && !keys.insert(kv.first.Scalar()).second) {
        return Invalid("Chart.yaml: key '" + kv.first.Scalar() + "' appears twice");
      }
    }
  }
  Metadata m;
  CPA_ASSIGN_OR_RETURN(m.name, StringField(meta, "name"));
  CPA_ASSIGN_OR_RETURN(m.version, StringField(meta, "version"));
  CPA_ASSIGN_OR_RETURN(m.description, StringField(meta, "description"));
  CPA_ASSIGN_OR_RETURN(m.home, StringField(meta, "home"));
  CPA_ASSIGN_OR_RETURN(m.sources, StringList(meta, "sources"));
  CPA_ASSIGN_OR_RETURN(std::vector<std::string> keywords, StringList(meta, "keywords"));
  CPA_ASSIGN_OR_RETURN(std::string icon, StringField(meta, "icon"));
  CPA_ASSIGN_OR_RETURN(std::string api_version, StringField(meta, "apiVersion"));
  CPA_ASSIGN_OR_RETURN(std::string condition, StringField(meta, "condition"));
  CPA_ASSIGN_OR_RETURN(std::string tags, StringField(meta, "tags"));
  CPA_ASSIGN_OR_RETURN(std::string app_version, StringField(meta, "appVersion"));
  CPA_ASSIGN_OR_RETURN(std::string kube_version, StringField(meta, "kubeVersion"));
  CPA_ASSIGN_OR_RETURN(std::string type, StringField(meta, "type"));

  // Helm 2 charts may omit apiVersion; helm loads them as v1.
  if (api_version.empty()) api_version = "v1";
  if (api_version != "v1" && api_version != "v2") {
    return Invalid("Chart.yaml: apiVersion '" + api_version + "' is not v1 or v2");
  }
  if (m.name.empty()) return Invalid("Chart.yaml: name is required");
  if (m.name == "." || m.name == ".." || m.name.find_first_of("/\\") != std::string::npos) {
    return Invalid("Chart.yaml: name '" + m.name + "' is invalid");
  }
  if (m.version.empty()) return Invalid("Chart.yaml: version is required");
  if (!IsHelmVersion(m.version)) {
    return Invalid("Chart.yaml: version '" + m.version + "' is not a semantic version");
  }
  if (!type.empty() && type != "application" && type != "library") {
    return Invalid("Chart.yaml: type must be application or library, not '" + type + "'");
  }
  bool deprecated = false;
  if (YAML::Node d = meta["deprecated"]; d.IsDefined() && !d.IsNull()) {
    if (!d.IsScalar() || !YAML::convert<bool>::decode(d, deprecated)) {
      return Invalid("Chart.yaml: deprecated must be true or false");
    }
  }

  OrderedJson maintainers = OrderedJson::array();
  if (YAML::Node list = meta["maintainers"]; list.IsDefined() && !list.IsNull()) {
    if (!list.IsSequence()) return Invalid("Chart.yaml: maintainers must be a list");
    for (const YAML::Node& item : list) {
      if (!item.IsMap()) return Invalid("Chart.yaml: each maintainer must be a mapping");
      CPA_ASSIGN_OR_RETURN(std::string name, StringField(item, "name"));
      CPA_ASSIGN_OR_RETURN(std::string email, StringField(item, "email"));
      CPA_ASSIGN_OR_RETURN(std::string url, StringField(item, "url"));
      if (name.empty()) return Invalid("Chart.yaml: each maintainer must have a name");
      OrderedJson j;
      j["name"] = name;
      if (!email.empty()) j["email"] = email;
      if (!url.empty()) j["url"] = url;
      maintainers.push_back(std::move(j));
      m.maintainers.push_back({name, email});
    }
  }

  if (YAML::Node a = meta["annotations"]; a.IsDefined() && !a.IsNull()) {
    if (!a.IsMap()) return Invalid("Chart.yaml: annotations must be a mapping");
    for (const auto& kv : a) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
        return Invalid("Chart.yaml: annotations must map strings to strings");
      }
      m.annotations[kv.first.Scalar()] = kv.second.Scalar();
    }
  }

  OrderedJson dependencies = OrderedJson::array();
  if (YAML::Node list = meta["dependencies"]; list.IsDefined() && !list.IsNull()) {
    if (!list.IsSequence()) return Invalid("Chart.yaml: dependencies must be a list");
    std::set<std::string> seen;
    for (const YAML::Node& item : list) {
      if (!item.IsMap()) return Invalid("Chart.yaml: each dependency must be a mapping");
      CPA_ASSIGN_OR_RETURN(std::string name, StringField(item, "name"));
      CPA_ASSIGN_OR_RETURN(std::string version, StringField(item, "version"));
      CPA_ASSIGN_OR_RETURN(std::string repository, StringField(item, "repository"));
      CPA_ASSIGN_OR_RETURN(std::string dep_condition, StringField(item, "condition"));
      CPA_ASSIGN_OR_RETURN(std::vector<std::string> dep_tags, StringList(item, "tags"));
      CPA_ASSIGN_OR_RETURN(std::string alias, StringField(item, "alias"));
      if (name.empty()) return Invalid("Chart.yaml: each dependency must have a name");
      if (!seen.insert(alias.empty() ? name : alias).second) {
        return Invalid("Chart.yaml: more than one dependency named '" +
                       (alias.empty() ? name : alias) + "'");
      }
      bool enabled = false;
      if (YAML::Node e = item["enabled"]; e.IsDefined() && !e.IsNull()) {
        if (!e.IsScalar() || !YAML::convert<bool>::decode(e, enabled)) {
          return Invalid("Chart.yaml: dependency enabled must be true or false");
        }
      }
      // Field order and omitempty of helm's chart.Dependency.
      OrderedJson j;
      j["name"] = name;
      if (!version.empty()) j["version"] = version;
      j["repository"] = repository;
      if (!dep_condition.empty()) j["condition"] = dep_condition;
      if (!dep_tags.empty()) j["tags"] = dep_tags;
      if (enabled) j["enabled"] = true;
      if (YAML::Node iv = item["import-values"]; iv.IsDefined() && iv.IsSequence() && iv.size()) {
        j["import-values"] = ToJson(iv);
      }
      if (!alias.empty()) j["alias"] = alias;
      dependencies.push_back(std::move(j));
    }
  }

  // Field order and omitempty of helm's chart.Metadata.
  OrderedJson& c = m.config;
  c["name"] = m.name;
  if (!m.home.empty()) c["home"] = m.home;
  if (!m.sources.empty()) c["sources"] = m.sources;
  c["version"] = m.version;
  if (!m.description.empty()) c["description"] = m.description;
  if (!keywords.empty()) c["keywords"] = keywords;
  if (!maintainers.empty()) c["maintainers"] = std::move(maintainers);
  if (!icon.empty()) c["icon"] = icon;
  c["apiVersion"] = api_version;
  if (!condition.empty()) c["condition"] = condition;
  if (!tags.empty()) c["tags"] = tags;
  if (!app_version.empty()) c["appVersion"] = app_version;
  if (deprecated) c["deprecated"] = true;
  if (!m.annotations.empty()) c["annotations"] = m.annotations;
  if (!kube_version.empty()) c["kubeVersion"] = kube_version;
  if (!dependencies.empty()) c["dependencies"] = std::move(dependencies);
  if (!type.empty()) c["type"] = type;
  return m;
}

// helm's generateOCIAnnotations, with a fixed creation time.
art::Annotations ManifestAnnotations(const Metadata& m) {
  art::Annotations a;
  auto add = [&](std::string_view key, const std::string& value) {
    if (value.find_first_not_of(" \t\r\n") != std::string::npos) a[std::string(key)] = value;
  };
  add(art::kAnnotationDescription, m.description);
  add(art::kAnnotationTitle, m.name);
  add(art::kAnnotationVersion, m.version);
  add("org.opencontainers.image.url", m.home);
  add(art::kAnnotationCreated, std::string(art::kFixedCreated));
  if (!m.sources.empty()) add("org.opencontainers.image.source", m.sources.front());
  if (!m.maintainers.empty()) {
    std::string authors;
    for (size_t i = 0; i < m.maintainers.size(); ++i) {
      authors += m.maintainers[i].name;
      if (!m.maintainers[i].email.empty()) authors += " (" + m.maintainers[i].email + ")";
      if (i + 1 < m.maintainers.size()) authors += ", ";
    }
    add("org.opencontainers.image.authors", authors);
  }
  for (const auto& [k, v] : m.annotations) {
    if (k == art::kAnnotationTitle || k == art::kAnnotationVersion) continue;
    a[k] = v;
  }
  return a;
}

Status CheckPath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return Invalid("chart file path '" + path + "' is not relative");
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = std::string_view(path).substr(
        start, slash == std::string::npos ? path.npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      return Invalid("chart file path '" + path + "' is not a plain relative path");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<HelmIgnore> HelmIgnore::Parse(std::string_view text) {
  HelmIgnore out;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  auto add = [&](std::string rule) -> Status {
    size_t b = rule.find_first_not_of(" \t\r");
    size_t e = rule.find_last_not_of(" \t\r");
    rule = b == std::string::npos ? std::string() : rule.substr(b, e - b + 1);
    if (rule.empty() || rule.front() == '#') return Status::Ok();
    if (rule.find("**") != std::string::npos) {
      return Invalid(".helmignore line " + std::to_string(number) +
                     ": double-star (**) syntax is not supported");
    }
    if (!PatternCompiles(rule)) {
      return Invalid(".helmignore line " + std::to_string(number) + ": bad pattern '" + rule + "'");
    }
    Rule r;
    if (rule.front() == '!') {
      r.negate = true;
      rule.erase(0, 1);
    }
    if (!rule.empty() && rule.back() == '/') {
      r.must_dir = true;
      rule.pop_back();
    }
    if (!rule.empty() && rule.front() == '/') {
      rule.erase(0, 1);
    } else if (rule.find('/') == std::string::npos) {
      r.base_only = true;
    }
    r.pattern = std::move(rule);
    out.rules_.push_back(std::move(r));
    return Status::Ok();
  };
  while (std::getline(in, line)) {
    ++number;
    CPA_RETURN_IF_ERROR(add(line));
  }
  number = 0;
  CPA_RETURN_IF_ERROR(add("templates/.?*"));  // helm's default: dotfiles in templates/
  return out;
}

bool HelmIgnore::Ignored(std::string_view path, bool is_dir) const {
  if (path.empty() || path == "." || path == "./") return false;
  for (const Rule& r : rules_) {
    const bool matches = GlobMatch(r.pattern, r.base_only ? BaseName(path) : path);
    // helm: a negated rule ends evaluation with "ignored" on a non-match, continues on a match.
    if (r.negate) {
      if (r.must_dir && !is_dir) return true;
      if (!matches) return true;
      continue;
    }
    if (r.must_dir && !is_dir) continue;
    if (matches) return true;
  }
  return false;
}

Result<ChartPackage> PackageChartFiles(const std::vector<ChartSourceFile>& files) {
  const ChartSourceFile* chart_yaml = nullptr;
  const ChartSourceFile* values_yaml = nullptr;
  std::vector<const ChartSourceFile*> rest;
  std::set<std::string> seen;
  size_t total = 0;
  for (const ChartSourceFile& f : files) {
    CPA_RETURN_IF_ERROR(CheckPath(f.path));
    if (!seen.insert(f.path).second) return Invalid("chart file '" + f.path + "' appears twice");
    total += f.content.size();
    if (f.path == "Chart.yaml") {
      chart_yaml = &f;
    } else if (f.path == "values.yaml") {
      values_yaml = &f;
    } else {
      rest.push_back(&f);
    }
  }
  if (total > kMaxChartSize) {
    return Invalid("the chart is larger than " + std::to_string(kMaxChartSize >> 20) + " MiB");
  }
  if (chart_yaml == nullptr) return Invalid("Chart.yaml file is missing");
  CPA_ASSIGN_OR_RETURN(Metadata meta, ParseChartYaml(chart_yaml->content));

  std::sort(rest.begin(), rest.end(),
            [](const ChartSourceFile* a, const ChartSourceFile* b) { return a->path < b->path; });
  art::TarWriter tar;
  const std::string base = meta.name + "/";
  CPA_RETURN_IF_ERROR(tar.AddFile(base + chart_yaml->path, chart_yaml->content));
  if (values_yaml != nullptr) {
    CPA_RETURN_IF_ERROR(tar.AddFile(base + values_yaml->path, values_yaml->content));
  }
  for (const ChartSourceFile* f : rest)
    CPA_RETURN_IF_ERROR(tar.AddFile(base + f->path, f->content));
  CPA_ASSIGN_OR_RETURN(std::string package, art::GzipCompress(tar.Finish()));

  ChartPackage out;
  out.name = meta.name;
  out.version = meta.version;
  out.tag = meta.version;
  std::replace(out.tag.begin(), out.tag.end(), '+', '_');
  art::Artifact& a = out.artifact;
  a.blobs.push_back(art::MakeBlob(art::kHelmConfigMediaType, meta.config.dump()));
  a.blobs.push_back(art::MakeBlob(art::kHelmChartContentMediaType, std::move(package)));
  a.manifest = art::BuildImageManifest(a.blobs[0], {{&a.blobs[1], {}}}, ManifestAnnotations(meta),
                                       /*with_media_type=*/false);
  return out;
}

Result<ChartPackage> PackageChartDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Invalid("chart directory '" + dir + "' is not a directory");
  HelmIgnore ignore;
  {
    const fs::path rules = fs::path(dir) / ".helmignore";
    std::string text;
    if (fs::is_regular_file(rules, ec)) {
      std::ifstream in(rules, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    CPA_ASSIGN_OR_RETURN(ignore, HelmIgnore::Parse(text));
  }
  std::vector<ChartSourceFile> files;
  size_t total = 0;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Invalid("cannot read chart directory '" + dir + "': " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Invalid("cannot read chart directory '" + dir + "': " + ec.message());
    const fs::path& p = it->path();
    const std::string rel = fs::relative(p, dir, ec).generic_string();
    if (ec) return Invalid("cannot read '" + p.string() + "': " + ec.message());
    const bool is_dir = it->is_directory(ec);
    if (ignore.Ignored(rel, is_dir)) {
      if (is_dir) it.disable_recursion_pending();
      continue;
    }
    if (is_dir) {
      if (it->is_symlink(ec)) {
        return Invalid("chart directory entry '" + rel + "' is a symlinked directory");
      }
      continue;
    }
    if (!it->is_regular_file(ec)) {
      return Invalid("chart directory entry '" + rel + "' is not a regular file");
    }
    total += it->file_size(ec);
    if (total > kMaxChartSize) {
      return Invalid("chart directory '" + dir + "' is larger than " +
                     std::to_string(kMaxChartSize >> 20) + " MiB");
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) return Invalid("cannot read '" + p.string() + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    files.push_back({rel, ss.str()});
  }
  auto package = PackageChartFiles(files);
  if (!package.ok()) {
    return Status(package.status().code(),
                  "chart directory '" + dir + "': " + package.status().message());
  }
  return package;
}

}  // namespace cpa::server::registry
