#pragma once
// Helm charts as `helm package` + `helm push` lay them out in an OCI registry.
//
// The package is a gzip'd ustar archive of "<name>/Chart.yaml", "<name>/values.yaml" and
// "<name>/templates/...", regular files only, mode 0644 (as helm's chartutil.Save writes them).
// The OCI artifact (helm pkg/registry/client.go Push) is an image manifest without a top-level
// mediaType field, whose config is the chart metadata as JSON
// (application/vnd.cncf.helm.config.v1+json) and whose one layer is the package
// (application/vnd.cncf.helm.chart.content.v1.tar+gzip). The manifest annotations are the ones
// helm derives from the metadata (created, description, title, version); "created" is fixed to
// kFixedCreated so that the digest depends on the chart only.
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/registry/artifacts/oci.h"

namespace cpa::server::registry::artifacts {

struct ChartFile {
  std::string path;  // relative to templates/, e.g. "deployment.yaml"
  std::string content;
};

struct ChartSpec {
  std::string name;         // [a-z0-9] and inner '-', at most 63 characters
  std::string version;      // SemVer 2, e.g. "0.1.2-39c9…"
  std::string app_version;  // free text, e.g. "0.1.2"
  std::string description;
  std::string values_yaml;
  std::vector<ChartFile> templates;
};

// The tag helm pushes a chart version under ('+' is not allowed in OCI tags; helm uses '_').
std::string ChartTag(std::string_view version);

// The Chart.yaml text (apiVersion v2, type application).
core::Result<std::string> RenderChartYaml(const ChartSpec& chart);

// The chart metadata JSON helm uses as the OCI config.
core::Result<std::string> ChartConfigJson(const ChartSpec& chart);

// The .tgz `helm package` would produce. kInvalidArgument for a bad name, version or file path.
core::Result<std::string> PackageChart(const ChartSpec& chart);

// blobs = {config, package}; manifest = OCI image manifest; no children.
core::Result<Artifact> BuildHelmChart(const ChartSpec& chart);

}  // namespace cpa::server::registry::artifacts
