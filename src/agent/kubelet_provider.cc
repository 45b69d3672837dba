#include "agent/kubelet_provider.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "core/registry_host.h"

namespace cpa::agent {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using Json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 3> kVersions = {"v1", "v1beta1", "v1alpha1"};

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Result<CredentialProviderRequest> ParseCredentialProviderRequest(std::string_view text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Invalid("the CredentialProviderRequest on stdin is not valid JSON");
  }
  if (!doc.is_object()) return Invalid("the CredentialProviderRequest is not a JSON object");
  auto str = [&](const char* key) -> std::string {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  CredentialProviderRequest r;
  r.api_version = str("apiVersion");
  const std::string prefix = std::string(kCredentialProviderGroup) + "/";
  const bool known =
      r.api_version.starts_with(prefix) &&
      std::find(kVersions.begin(), kVersions.end(),
                std::string_view(r.api_version).substr(prefix.size())) != kVersions.end();
  if (!known) {
    return Invalid("group version `" + r.api_version + "` is not supported (" + prefix +
                   "v1, v1beta1 or v1alpha1)");
  }
  const std::string kind = str("kind");
  if (kind != "CredentialProviderRequest") {
    return Invalid("kind was `" + kind + "`, expected CredentialProviderRequest");
  }
  r.image = str("image");
  if (r.image.empty()) return Invalid("image in plugin request was empty");
  return r;
}

Result<std::string> ImageRegistry(std::string_view image) {
  std::string_view s = image;
  if (size_t scheme = s.find("://"); scheme != std::string_view::npos) s.remove_prefix(scheme + 3);
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return Invalid("image `" + std::string(image) +
                   "` names no registry host (expected <host>/<repository>[:tag])");
  }
  return std::string(s.substr(0, slash));
}

std::chrono::seconds CacheDurationFor(core::TimePoint now, core::TimePoint expires_at) {
  if (expires_at <= now) return std::chrono::seconds(0);
  return (expires_at - now) / 2;
}

std::string RenderCredentialProviderResponse(std::string_view api_version,
                                             std::string_view registry, std::string_view username,
                                             std::string_view password,
                                             std::chrono::seconds cache_duration) {
  Json doc = Json::object();
  doc["apiVersion"] = api_version;
  doc["kind"] = "CredentialProviderResponse";
  doc["cacheKeyType"] = "Registry";
  doc["cacheDuration"] = FormatGoDuration(cache_duration);
  Json login = Json::object();
  login["username"] = username;
  login["password"] = password;
  doc["auth"] = Json::object();
  doc["auth"][std::string(registry)] = std::move(login);
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<std::string> AnswerCredentialProviderRequest(std::string_view request_text,
                                                    TokenSource& source, const core::Clock& clock,
                                                    const KubeletProviderOptions& options) {
  CPA_ASSIGN_OR_RETURN(CredentialProviderRequest request,
                       ParseCredentialProviderRequest(request_text));
  CPA_ASSIGN_OR_RETURN(std::string registry, ImageRegistry(request.image));
  auto host = core::ParseRegistryHost(registry, options.registry_domain);
  if (!host || host->kind != core::RegistryKind::kPrivate) {
    return Invalid(registry + " is not a valid ECR repository URL (expected " +
                   "<account>.dkr.ecr.<region>.amazonaws.com)");
  }
  TokenRequest call;
  call.region = host->region;
  call.registry_ids = {host->account_id};
  FetchOutcome fetched = source.Fetch(call);
  if (!fetched.ok()) {
    return Status(fetched.status.code(), "cannot get a token for " + registry + " [" +
                                             std::string(FailureCauseName(fetched.cause)) +
                                             "]: " + fetched.status.message());
  }
  const RegistryToken& token = *fetched.token;
  return RenderCredentialProviderResponse(request.api_version, registry, token.username,
                                          token.password,
                                          CacheDurationFor(clock.Now(), token.expires_at));
}

}  // namespace cpa::agent
