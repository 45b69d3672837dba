#pragma once
// Which hostnames are ECR registries, and whose.
//
// A private registry is `<account>.dkr.ecr[-fips].<region>.<domain>` (or the dual-stack
// `<account>.dkr-ecr[-fips].<region>.<domain>`), where <domain> is one of AWS's partition suffixes
// (amazonaws.com, amazonaws.com.cn, amazonaws.eu, on.aws, on.amazonwebservices.com.cn,
// sc2s.sgov.gov, c2s.ic.gov, cloud.adc-e.uk, csp.hci.ic.gov) or the domain `cpa serve` is
// configured with (default "localhost", so that `111111111111.dkr.ecr.us-east-1.localhost` names
// account 111111111111's registry in us-east-1). The rule is the one the Amazon ECR credential
// helper applies. `public.ecr.aws` and `ecr-public.aws.com` are ECR Public, which `cpa serve`
// does not serve but recognises.
//
// Shared by the `/v2` endpoint of `cpa serve` (which registry a request's Host names) and the
// clients (`cpa ecr-login --registry`, `cpa agent`, the kubelet credential provider).
//
// Pure functions; thread-safe.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cpa::core {

enum class RegistryKind {
  kPrivate,  // <account>.dkr.ecr.<region>.<domain>
  kPublic,   // public.ecr.aws, ecr-public.aws.com
};

struct RegistryHost {
  RegistryKind kind = RegistryKind::kPrivate;
  std::string account_id;   // private: 12 digits
  std::string region;       // private: as written (lower-cased)
  bool fips = false;        // dkr.ecr-fips / dkr-ecr-fips
  bool dual_stack = false;  // dkr-ecr form
  std::string domain;       // private: the suffix after the region
  std::string name;         // public: the host
};

// The partition suffixes of AWS's ECR registry hostnames.
std::span<const std::string_view> AwsRegistryDomains();

// A `Host` header value (or bare hostname): optional ":port", optional trailing dot, any case.
// nullopt when it is not an ECR registry host (including IP literals). `custom_domain` is accepted
// besides AWS's suffixes; empty: AWS's only.
std::optional<RegistryHost> ParseRegistryHost(std::string_view host,
                                              std::string_view custom_domain = "localhost");

// A registry reference as credential helpers receive it: a host with optional scheme, port and
// path ("https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/x"). Its host decides.
std::optional<RegistryHost> ParseRegistryServerUrl(std::string_view server_url,
                                                   std::string_view custom_domain = "localhost");

}  // namespace cpa::core
