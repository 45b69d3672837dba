#pragma once
// A Helm chart directory made into the OCI artifact `helm package` + `helm push` produce
// (artifacts/helm_chart.h describes the layout): the package is a gzip'd tar of every file of
// the directory under "<name>/" (mode 0644, Chart.yaml and values.yaml first, the rest in path
// order), the config is the chart metadata as JSON in the field order of helm's chart.Metadata,
// and the manifest carries the annotations helm derives (description, title, version, url,
// source, authors, created = kFixedCreated) plus the chart's own annotations except title and
// version.
//
// As helm's loader does: .helmignore is honoured (glob patterns, "!" negation, trailing "/" for
// directories, templates/.* ignored by default; "**" is an error), a missing apiVersion means v1,
// and Chart.yaml is validated (name without path separators, version SemVer as helm accepts it,
// type application or library). Unlike `helm package`, Chart.yaml is kept verbatim (helm
// re-serialises it) and charts/ content is kept as is (helm re-packs subcharts).
//
// PackageChartFiles is pure; PackageChartDirectory reads the directory.
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/registry/artifacts/oci.h"

namespace cpa::server::registry {

// .helmignore rules.
class HelmIgnore {
 public:
  // The rules of a .helmignore file plus helm's default (templates/.?*). kInvalidArgument for
  // "**" or a pattern that does not compile.
  static core::Result<HelmIgnore> Parse(std::string_view text);
  // `path` is relative to the chart directory, '/'-separated.
  bool Ignored(std::string_view path, bool is_dir) const;

 private:
  struct Rule {
    std::string pattern;
    bool negate = false;
    bool must_dir = false;
    bool base_only = false;  // no '/' in the pattern: matched against the last path component
  };
  std::vector<Rule> rules_;
};

struct ChartSourceFile {
  std::string path;  // relative, '/'-separated, e.g. "templates/deployment.yaml"
  std::string content;
};

struct ChartPackage {
  std::string name;
  std::string version;
  std::string tag;  // the version with '+' replaced by '_', as helm pushes it
  artifacts::Artifact artifact;
};

// The largest chart directory accepted (helm refuses charts over 100 MiB decompressed too).
inline constexpr size_t kMaxChartSize = size_t{100} << 20;

// kInvalidArgument: "Chart.yaml file is missing", a Chart.yaml that does not parse or fails
// validation, an unsafe or duplicate path.
core::Result<ChartPackage> PackageChartFiles(const std::vector<ChartSourceFile>& files);

// Reads `dir` (regular files, symlinks to files followed; other entries and symlinked
// directories are errors), applies its .helmignore and packages it.
core::Result<ChartPackage> PackageChartDirectory(const std::string& dir);

}  // namespace cpa::server::registry
