#pragma once
// Which URL a service is called at, and the region and name its requests are signed for.
//
// Default endpoints (partitions aws, aws-cn, aws-us-gov):
//   IAM  https://iam.amazonaws.com (signed for us-east-1); aws-cn
//   https://iam.cn-north-1.amazonaws.com.cn
//        (cn-north-1); aws-us-gov https://iam.us-gov.amazonaws.com (us-gov-west-1)
//   STS  https://sts.<region>.<dns suffix> (regional; "aws-global" gives https://sts.amazonaws.com)
//   ECR  https://api.ecr.<region>.<dns suffix>, signing name "ecr"
//   EKS  https://eks.<region>.<dns suffix>
//
// Overrides, highest precedence first (AWS SDKs and Tools reference, "Service-specific
// endpoints"):
//   1. an explicit endpoint URL (--endpoint-url);
//   2. AWS_ENDPOINT_URL_<SERVICE> (IAM, STS, ECR, EKS);
//   3. AWS_ENDPOINT_URL;
//   4. the profile's services section: [services x] / <service> = / endpoint_url = ...;
//   5. the profile's endpoint_url.
// 2-5 are skipped when ignore_configured_endpoint_urls is true (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
// or the profile setting; the environment wins). With any override the URL is used as given (a
// path prefix is kept) and requests are signed for the client's region, which is then required.
//
// Pure: the environment is passed in, never read here.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::awsapi {

enum class Service { kIam, kSts, kEcr, kEks };

struct ServiceTraits {
  Service service;
  std::string_view service_id;       // "IAM", "STS", "ECR", "EKS" (the SDK service id)
  std::string_view env_suffix;       // AWS_ENDPOINT_URL_<env_suffix>
  std::string_view config_key;       // key in a [services x] section: "iam", "sts", "ecr", "eks"
  std::string_view signing_name;     // "iam", "sts", "ecr", "eks"
  std::string_view endpoint_prefix;  // "iam", "sts", "api.ecr", "eks"
};

const ServiceTraits& TraitsOf(Service service);

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// An EnvLookup over the process environment (for the CLI; tests pass their own).
EnvLookup ProcessEnvironment();

struct EndpointOverrides {
  std::string explicit_url;  // --endpoint-url or a URL given in code
  // From the environment (see FromEnvironment).
  std::string env_url;                                  // AWS_ENDPOINT_URL
  std::map<std::string, std::string> env_service_urls;  // env suffix ("STS") -> URL
  std::optional<bool> env_ignore_configured;            // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
  // From the shared config profile (the profile library fills these).
  std::string profile_url;                                  // endpoint_url
  std::map<std::string, std::string> profile_service_urls;  // config key ("sts") -> endpoint_url
  bool profile_ignore_configured = false;                   // ignore_configured_endpoint_urls
  // use_fips_endpoint / use_dualstack_endpoint (AWS_USE_FIPS_ENDPOINT,
  // AWS_USE_DUALSTACK_ENDPOINT or the profile). They change only default STS endpoints:
  // sts-fips.<region>.amazonaws.com, sts.<region>.api.aws, sts-fips.<region>.api.aws (aws
  // partition; other partitions keep their FIPS host under the partition's DNS suffix). The other
  // services ignore them.
  bool use_fips = false;
  bool use_dualstack = false;

  // Fills the env_* members from AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_{IAM,STS,ECR,EKS} and
  // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS; the other members are left as they are.
  void LoadEnvironment(const EnvLookup& env);
};

enum class EndpointSource {
  kDefault,
  kExplicit,
  kEnvironmentService,
  kEnvironmentGlobal,
  kProfileService,
  kProfileGlobal,
};
std::string_view EndpointSourceName(EndpointSource source);  // e.g. "AWS_ENDPOINT_URL_STS"

struct ResolvedEndpoint {
  std::string url;  // scheme://host[:port][/path], no trailing query
  std::string signing_region;
  std::string signing_name;
  EndpointSource source = EndpointSource::kDefault;
};

// The partition's DNS suffix for a region: "amazonaws.com", "amazonaws.com.cn", ...
std::string_view DnsSuffixForRegion(std::string_view region);

// Fails with kInvalidArgument when the region is missing (and needed) or not a valid region name,
// or when an override is not an http(s) URL (the message names where it came from).
core::Result<ResolvedEndpoint> ResolveEndpoint(Service service, std::string_view region,
                                               const EndpointOverrides& overrides);

}  // namespace cpa::awsapi
