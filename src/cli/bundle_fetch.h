#pragma once
// Reading the PackageBundle of a packages registry over /v2 with an ECR token, as the curated
// packages controller does: Basic AWS:<password>, the newest v1-NN-latest tag of
// eks-anywhere-packages-bundles, its manifest and first layer (the bundle YAML).
//
// The registry can be reached at another address than its host name (a local `cpa serve`, whose
// <account>.dkr.ecr.<region>.localhost hosts need no DNS): requests then go to `address` with the
// registry host in the Host header.
#include <string>
#include <utility>
#include <vector>

#include "awsapi/http.h"
#include "core/status.h"

namespace cpa::cli {

struct RegistryTarget {
  std::string host;     // the registry host, e.g. 346438352937.dkr.ecr.us-west-2.amazonaws.com
  std::string address;  // HOST:PORT to connect to over http; empty: https://<host>
  std::string basic;    // the ECR authorization token: base64("AWS:" + password); secret
};

// GET <path>; non-200 answers are errors (kAccessDenied for 401/403) quoting the start of the
// body, which for registry errors is the OCI error JSON (never a secret).
core::Result<awsapi::HttpResponse> RegistryGet(awsapi::HttpTransport& http,
                                               const RegistryTarget& target,
                                               const std::string& path,
                                               const std::string& accept = "");

struct BundleSummary {
  std::string tag;
  std::string manifest_digest;
  std::string name;
  std::vector<std::pair<std::string, std::string>> packages;  // name, first version
};

core::Result<BundleSummary> FetchLatestBundle(awsapi::HttpTransport& http,
                                              const RegistryTarget& target);

}  // namespace cpa::cli
