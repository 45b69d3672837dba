#pragma once
// `cpa kubelet-credential-provider`: the kubelet's exec credential-provider protocol for ECR
// registries, as the kubelet's `ecr-credential-provider` (kubernetes/cloud-provider-aws) speaks
// it.
//
// Request (stdin):  {"apiVersion":"credentialprovider.kubelet.k8s.io/v1",
//                    "kind":"CredentialProviderRequest","image":"<host>/<repo>:<tag>"}
// Response (stdout): {"apiVersion":<the request's>,"kind":"CredentialProviderResponse",
//                     "cacheKeyType":"Registry","cacheDuration":"6h0m0s",
//                     "auth":{"<host>":{"username":"AWS","password":"..."}}}
//
// apiVersion v1 (Kubernetes 1.26+), and v1beta1 / v1alpha1 (older kubelets, EKS Anywhere's
// configuration for Kubernetes <= 1.25) are accepted; the response uses the request's version,
// which the kubelet checks. The image's host must be an ECR private registry
// (<account>.dkr.ecr[-fips].<region>.<domain>, core/registry_host.h); its region is the region
// of the GetAuthorizationToken call and its account the registryIds. cacheDuration is half of
// the token's remaining life (Go duration syntax, whole seconds; "0s" — do not cache — when the
// token is already expired). The auth key is the image's host as written, with its port if it
// has one (the kubelet matches keys, ports included, against the image).
//
// Pure functions apart from AnswerCredentialProviderRequest's token source. Messages quote the
// request's apiVersion, kind and image only, never the rest (it may carry a service-account
// token).

#include <chrono>
#include <string>
#include <string_view>

#include "agent/go_duration.h"
#include "agent/token_source.h"
#include "core/clock.h"
#include "core/status.h"

namespace cpa::agent {

inline constexpr std::string_view kCredentialProviderGroup = "credentialprovider.kubelet.k8s.io";

struct CredentialProviderRequest {
  std::string api_version;
  std::string image;
};

// kInvalidArgument for text that is not a JSON object, another group/version, another kind, or
// a missing or empty image.
core::Result<CredentialProviderRequest> ParseCredentialProviderRequest(std::string_view text);

// The registry part of an image reference ("host[:port]" before the first '/'); kInvalidArgument
// when the image names none.
core::Result<std::string> ImageRegistry(std::string_view image);

// Half of the remaining life, in whole seconds; zero when expired.
std::chrono::seconds CacheDurationFor(core::TimePoint now, core::TimePoint expires_at);

std::string RenderCredentialProviderResponse(std::string_view api_version,
                                             std::string_view registry, std::string_view username,
                                             std::string_view password,
                                             std::chrono::seconds cache_duration);

struct KubeletProviderOptions {
  // Accepted besides AWS's registry domains (core/registry_host.h; `cpa serve`'s default).
  std::string registry_domain = "localhost";
};

// The whole exchange: parses `request_text`, fetches a token for the image's registry with the
// default credential chain, renders the response. Errors name the cause (and the failure cause
// of a failed fetch).
core::Result<std::string> AnswerCredentialProviderRequest(std::string_view request_text,
                                                          TokenSource& source,
                                                          const core::Clock& clock,
                                                          const KubeletProviderOptions& options);

}  // namespace cpa::agent
