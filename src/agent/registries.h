#pragma once
// Which registries the agent keeps logins for, and which GetAuthorizationToken call serves each.
//
// By default: the region's EKS Anywhere curated packages registry (core/packages_registries.h),
// `<account>.dkr.ecr.<region>.amazonaws.com`, or under --registry-domain (e.g. `localhost` for
// `cpa serve`, optionally with `:PORT`). More with repeated `--registry HOST` and
// `--registry HOST=PROFILE` (a profile of the same config for that registry), each an ECR
// private registry host (core/registry_host.h; the registry domain is accepted besides AWS's).
//
// An ECR token is valid for every registry of its region that the principal may read, so one
// GetAuthorizationToken per distinct (profile, region) serves all registries of that pair
// (GroupByToken).
//
// Pure; thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::agent {

struct RegistryTarget {
  std::string host;              // lowercase, without port
  std::optional<uint16_t> port;  // explicit port, if one was given
  std::string account_id;
  std::string region;
  std::string domain;   // the suffix after the region ("amazonaws.com", "localhost")
  std::string profile;  // the config profile whose credentials get its token
  std::string origin;   // "curated packages registry of us-west-2", "--registry"
};

// `--registry` values: "HOST" or "HOST=PROFILE".
struct RegistryFlag {
  std::string server;
  std::optional<std::string> profile;
};
core::Result<RegistryFlag> ParseRegistryFlag(std::string_view text);

struct RegistryPlanOptions {
  std::string region;           // the agent's region: its packages registry
  std::string registry_domain;  // "" for amazonaws.com; "localhost", "localhost:5000", ...
  bool packages_registry = true;
  std::string default_profile = "default";
  std::vector<RegistryFlag> registries;
};

// The registries, packages registry first, then the flags in order (duplicates merged).
// kInvalidArgument naming the value for a host that is not an ECR private registry, a region
// without a packages registry, a bad profile name, or one host given with two profiles.
core::Result<std::vector<RegistryTarget>> PlanRegistries(const RegistryPlanOptions& options);

struct TokenGroup {
  std::string profile;
  std::string region;
  std::vector<RegistryTarget> registries;
  // The distinct accounts, in order (GetAuthorizationToken's registryIds).
  std::vector<std::string> RegistryIds() const;
};

// Registries grouped by (profile, region), in order of first appearance.
std::vector<TokenGroup> GroupByToken(std::span<const RegistryTarget> registries);

// The server name clients look the login up by: "host" or "host:port". Without an explicit
// port, the port of `proxy_endpoint` (GetAuthorizationToken's) is used when that endpoint is a
// registry host of the same domain: `cpa serve` serves its registries on its own port and says
// so there; AWS's endpoints have none.
std::string ServerFor(const RegistryTarget& registry, std::string_view proxy_endpoint);

}  // namespace cpa::agent
