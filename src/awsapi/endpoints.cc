#include "awsapi/endpoints.h"

#include <array>
#include <cstdlib>

#include "awsapi/http.h"
#include "core/encoding.h"

namespace cpa::awsapi {

using core::ErrorCode;
using core::Status;

namespace {

constexpr std::array<ServiceTraits, 4> kTraits = {{
    {Service::kIam, "IAM", "IAM", "iam", "iam", "iam"},
    {Service::kSts, "STS", "STS", "sts", "sts", "sts"},
    {Service::kEcr, "ECR", "ECR", "ecr", "ecr", "api.ecr"},
    {Service::kEks, "EKS", "EKS", "eks", "eks", "eks"},
}};

bool IsRegionName(std::string_view region) {
  if (region.empty() || region.size() > 64 || region.front() == '-' || region.back() == '-') {
    return false;
  }
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower = core::AsciiLower(core::TrimAsciiWhitespace(text));
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

// The global IAM endpoint and its signing region for the partition of `region`.
ResolvedEndpoint IamGlobal(std::string_view region) {
  if (region.starts_with("cn-") || region == "aws-cn-global") {
    return {"https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "iam",
            EndpointSource::kDefault};
  }
  if (region.starts_with("us-gov-") || region == "aws-us-gov-global") {
    return {"https://iam.us-gov.amazonaws.com", "us-gov-west-1", "iam", EndpointSource::kDefault};
  }
  if (region.starts_with("us-isob-")) {
    return {"https://iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", "iam",
            EndpointSource::kDefault};
  }
  if (region.starts_with("us-iso-")) {
    return {"https://iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", "iam",
            EndpointSource::kDefault};
  }
  return {"https://iam.amazonaws.com", "us-east-1", "iam", EndpointSource::kDefault};
}

// The override as used: normalized scheme/host case and port, the path prefix kept as given.
std::string NormalizeOverride(const Url& url) { return url.Origin() + url.path; }

}  // namespace

const ServiceTraits& TraitsOf(Service service) {
  for (const auto& t : kTraits) {
    if (t.service == service) return t;
  }
  return kTraits[0];
}

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

void EndpointOverrides::LoadEnvironment(const EnvLookup& env) {
  if (auto v = env("AWS_ENDPOINT_URL"); v && !v->empty()) env_url = *v;
  for (const auto& t : kTraits) {
    std::string name = "AWS_ENDPOINT_URL_" + std::string(t.env_suffix);
    if (auto v = env(name); v && !v->empty()) env_service_urls[std::string(t.env_suffix)] = *v;
  }
  if (auto v = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); v && !v->empty()) {
    env_ignore_configured = ParseBool(*v);
  }
  if (auto v = env("AWS_USE_FIPS_ENDPOINT"); v && !v->empty()) {
    use_fips = ParseBool(*v).value_or(use_fips);
  }
  if (auto v = env("AWS_USE_DUALSTACK_ENDPOINT"); v && !v->empty()) {
    use_dualstack = ParseBool(*v).value_or(use_dualstack);
  }
}

std::string_view EndpointSourceName(EndpointSource source) {
  switch (source) {
    case EndpointSource::kDefault:
      return "default";
    case EndpointSource::kExplicit:
      return "--endpoint-url";
    case EndpointSource::kEnvironmentService:
      return "AWS_ENDPOINT_URL_<SERVICE>";
    case EndpointSource::kEnvironmentGlobal:
      return "AWS_ENDPOINT_URL";
    case EndpointSource::kProfileService:
      return "profile services section";
    case EndpointSource::kProfileGlobal:
      return "profile endpoint_url";
  }
  return "default";
}

std::string_view DnsSuffixForRegion(std::string_view region) {
  if (region.starts_with("cn-")) return "amazonaws.com.cn";
  if (region.starts_with("us-isob-")) return "sc2s.sgov.gov";
  if (region.starts_with("us-iso-")) return "c2s.ic.gov";
  return "amazonaws.com";
}

core::Result<ResolvedEndpoint> ResolveEndpoint(Service service, std::string_view region,
                                               const EndpointOverrides& overrides) {
  const ServiceTraits& traits = TraitsOf(service);
  std::string service_name(traits.service_id);
  if (!region.empty() && !IsRegionName(region)) {
    return Status(ErrorCode::kInvalidArgument,
                  "invalid region '" + std::string(region) +
                      "': expected lowercase letters, digits and dashes, e.g. us-west-2");
  }

  // The override, if any, and where it came from.
  std::string url;
  EndpointSource source = EndpointSource::kDefault;
  std::string source_name;
  bool ignore_configured =
      overrides.env_ignore_configured.value_or(overrides.profile_ignore_configured);
  if (!overrides.explicit_url.empty()) {
    url = overrides.explicit_url;
    source = EndpointSource::kExplicit;
    source_name = "--endpoint-url";
  } else if (!ignore_configured) {
    auto env_it = overrides.env_service_urls.find(std::string(traits.env_suffix));
    auto profile_it = overrides.profile_service_urls.find(std::string(traits.config_key));
    if (env_it != overrides.env_service_urls.end() && !env_it->second.empty()) {
      url = env_it->second;
      source = EndpointSource::kEnvironmentService;
      source_name = "AWS_ENDPOINT_URL_" + std::string(traits.env_suffix);
    } else if (!overrides.env_url.empty()) {
      url = overrides.env_url;
      source = EndpointSource::kEnvironmentGlobal;
      source_name = "AWS_ENDPOINT_URL";
    } else if (profile_it != overrides.profile_service_urls.end() && !profile_it->second.empty()) {
      url = profile_it->second;
      source = EndpointSource::kProfileService;
      source_name =
          "endpoint_url of '" + std::string(traits.config_key) + "' in the services section";
    } else if (!overrides.profile_url.empty()) {
      url = overrides.profile_url;
      source = EndpointSource::kProfileGlobal;
      source_name = "the profile's endpoint_url";
    }
  }

  if (source != EndpointSource::kDefault) {
    auto parsed = Url::Parse(core::TrimAsciiWhitespace(url));
    if (!parsed.ok()) {
      return Status(ErrorCode::kInvalidArgument, service_name + " endpoint from " + source_name +
                                                     ": " + parsed.status().message());
    }
    if (!parsed->query.empty()) {
      return Status(ErrorCode::kInvalidArgument, service_name + " endpoint from " + source_name +
                                                     " must not have a query string");
    }
    if (region.empty()) {
      return Status(ErrorCode::kInvalidArgument,
                    "a region is needed to sign " + service_name + " requests to " +
                        parsed->Origin() + " (from " + source_name +
                        "); set --region, AWS_REGION or the profile's region");
    }
    return ResolvedEndpoint{NormalizeOverride(*parsed), std::string(region),
                            std::string(traits.signing_name), source};
  }

  if (service == Service::kIam) return IamGlobal(region);
  if (region.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "no region configured for " + service_name +
                      "; set --region, AWS_REGION or the profile's region");
  }
  if (service == Service::kSts && region == "aws-global") {
    return ResolvedEndpoint{"https://sts.amazonaws.com", "us-east-1", "sts",
                            EndpointSource::kDefault};
  }
  if (service == Service::kSts && (overrides.use_fips || overrides.use_dualstack)) {
    // The endpoint rules' FIPS and dual-stack variants: "api.aws" is the dual-stack suffix of the
    // aws partition; elsewhere only the FIPS host changes.
    const bool aws_partition = DnsSuffixForRegion(region) == "amazonaws.com";
    std::string host =
        std::string(overrides.use_fips ? "sts-fips." : "sts.") + std::string(region) + "." +
        (overrides.use_dualstack && aws_partition ? std::string("api.aws")
                                                  : std::string(DnsSuffixForRegion(region)));
    return ResolvedEndpoint{"https://" + host, std::string(region), "sts",
                            EndpointSource::kDefault};
  }
  std::string host = std::string(traits.endpoint_prefix) + "." + std::string(region) + "." +
                     std::string(DnsSuffixForRegion(region));
  return ResolvedEndpoint{"https://" + host, std::string(region), std::string(traits.signing_name),
                          EndpointSource::kDefault};
}

}  // namespace cpa::awsapi
