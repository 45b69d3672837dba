#include "cli/bundle_fetch.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <regex>

namespace cpa::cli {
namespace {

using core::ErrorCode;
using core::Status;

constexpr const char* kBundleRepository = "eks-anywhere-packages-bundles";

}  // namespace

core::Result<awsapi::HttpResponse> RegistryGet(awsapi::HttpTransport& http,
                                               const RegistryTarget& target,
                                               const std::string& path, const std::string& accept) {
  awsapi::HttpRequest request;
  request.method = "GET";
  if (target.address.empty()) {
    request.url = "https://" + target.host + path;
  } else {
    request.url = "http://" + target.address + path;
    std::string port;
    if (size_t colon = target.address.rfind(':'); colon != std::string::npos) {
      port = target.address.substr(colon);
    }
    request.headers.push_back({"Host", target.host + port});
  }
  request.headers.push_back({"Authorization", "Basic " + target.basic});
  if (!accept.empty()) request.headers.push_back({"Accept", accept});
  CPA_ASSIGN_OR_RETURN(awsapi::HttpResponse response, http.Send(request));
  if (response.status != 200) {
    // Registry errors are {"errors":[{"code","message"}]}: quote the first; else the body's start.
    std::string body;
    auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
        !doc["errors"].empty() && doc["errors"][0].is_object()) {
      const auto& e = doc["errors"][0];
      body = e.value("code", "") + ": " + e.value("message", "");
    } else {
      body = response.body.substr(0, 300);
    }
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    return Status(response.status == 401 || response.status == 403 ? ErrorCode::kAccessDenied
                                                                   : ErrorCode::kInternal,
                  "GET " + path + " at " + target.host + ": HTTP " +
                      std::to_string(response.status) + ": " + body);
  }
  return response;
}

core::Result<BundleSummary> FetchLatestBundle(awsapi::HttpTransport& http,
                                              const RegistryTarget& target) {
  BundleSummary out;
  const std::string repo = std::string("/v2/") + kBundleRepository;
  CPA_ASSIGN_OR_RETURN(awsapi::HttpResponse tags, RegistryGet(http, target, repo + "/tags/list"));
  auto doc = nlohmann::json::parse(tags.body, nullptr, false);
  int best_minor = -1;
  static const std::regex kLatest(R"(^v1-(\d+)-latest$)");
  if (doc.is_object() && doc.contains("tags") && doc["tags"].is_array()) {
    for (const auto& t : doc["tags"]) {
      if (!t.is_string()) continue;
      std::string tag = t.get<std::string>();
      std::smatch m;
      if (std::regex_match(tag, m, kLatest) && std::stoi(m[1]) > best_minor) {
        best_minor = std::stoi(m[1]);
        out.tag = tag;
      }
    }
  }
  if (out.tag.empty()) {
    return Status(ErrorCode::kNotFound, std::string(kBundleRepository) + " at " + target.host +
                                            " has no v1-NN-latest tag");
  }
  CPA_ASSIGN_OR_RETURN(awsapi::HttpResponse m,
                       RegistryGet(http, target, repo + "/manifests/" + out.tag,
                                   "application/vnd.oci.image.manifest.v1+json, "
                                   "application/vnd.docker.distribution.manifest.v2+json"));
  out.manifest_digest = std::string(m.Header("Docker-Content-Digest").value_or(""));
  auto manifest = nlohmann::json::parse(m.body, nullptr, false);
  if (!manifest.is_object() || !manifest.contains("layers") || !manifest["layers"].is_array() ||
      manifest["layers"].empty() || !manifest["layers"][0].contains("digest") ||
      !manifest["layers"][0]["digest"].is_string()) {
    return Status(ErrorCode::kInvalidArgument, "the bundle manifest " + out.tag + " has no layer");
  }
  const std::string layer = manifest["layers"][0]["digest"].get<std::string>();
  CPA_ASSIGN_OR_RETURN(awsapi::HttpResponse blob,
                       RegistryGet(http, target, repo + "/blobs/" + layer));
  try {
    YAML::Node bundle = YAML::Load(blob.body);
    if (bundle["kind"].as<std::string>("") != "PackageBundle") {
      return Status(ErrorCode::kInvalidArgument, "the bundle's first layer is not a PackageBundle");
    }
    out.name = bundle["metadata"]["name"].as<std::string>("");
    for (const auto& p : bundle["spec"]["packages"]) {
      std::string version;
      const YAML::Node versions = p["source"]["versions"];
      if (versions && versions.IsSequence() && versions.size() > 0) {
        version = versions[0]["name"].as<std::string>("");
      }
      out.packages.emplace_back(p["name"].as<std::string>(""), version);
    }
  } catch (const YAML::Exception& e) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string("the bundle's first layer is not valid YAML: ") + e.what());
  }
  if (out.packages.empty()) {
    return Status(ErrorCode::kInvalidArgument, "the bundle " + out.tag + " lists no packages");
  }
  return out;
}

}  // namespace cpa::cli
