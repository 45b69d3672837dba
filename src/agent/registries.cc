#include "agent/registries.h"

#include <charconv>
#include <utility>

#include "core/encoding.h"
#include "core/packages_registries.h"
#include "core/registry_host.h"
#include "profile/config_file.h"

namespace cpa::agent {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

constexpr std::string_view kAwsDomain = "amazonaws.com";

std::string Quote(std::string_view s) { return "`" + std::string(s) + "`"; }

// The authority of a server reference (scheme, path and user info removed), lowercased.
std::string AuthorityOf(std::string_view server) {
  std::string_view s = core::TrimAsciiWhitespace(server);
  if (size_t scheme = s.find("://"); scheme != std::string_view::npos) s.remove_prefix(scheme + 3);
  s = s.substr(0, s.find_first_of("/?#"));
  if (size_t at = s.rfind('@'); at != std::string_view::npos) s.remove_prefix(at + 1);
  return core::AsciiLower(s);
}

// Splits "host[:port]"; nullopt port when absent; false when the port is malformed.
bool SplitPort(std::string_view authority, std::string* host, std::optional<uint16_t>* port) {
  *port = std::nullopt;
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    *host = std::string(authority);
    return true;
  }
  std::string_view digits = authority.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 ||
      value > 65535) {
    return false;
  }
  *host = std::string(authority.substr(0, colon));
  *port = static_cast<uint16_t>(value);
  return true;
}

std::string HostPort(const RegistryTarget& r) {
  return r.port ? r.host + ":" + std::to_string(*r.port) : r.host;
}

}  // namespace

Result<RegistryFlag> ParseRegistryFlag(std::string_view text) {
  RegistryFlag flag;
  // A profile name cannot contain '/', so the last '=' after the host's path separates it.
  size_t eq = text.rfind('=');
  if (eq != std::string_view::npos) {
    std::string profile(core::TrimAsciiWhitespace(text.substr(eq + 1)));
    if (profile.empty() || !profile::IsValidIdentifier(profile)) {
      return Status(ErrorCode::kInvalidArgument,
                    "--registry " + Quote(text) + ": " + Quote(profile) + " is not a profile name");
    }
    flag.profile = std::move(profile);
    text = text.substr(0, eq);
  }
  flag.server = std::string(core::TrimAsciiWhitespace(text));
  if (flag.server.empty()) {
    return Status(ErrorCode::kInvalidArgument, "--registry needs HOST or HOST=PROFILE");
  }
  return flag;
}

Result<std::vector<RegistryTarget>> PlanRegistries(const RegistryPlanOptions& options) {
  std::string domain(kAwsDomain);
  std::optional<uint16_t> domain_port;
  if (!options.registry_domain.empty()) {
    std::string d = AuthorityOf(options.registry_domain);
    if (d.starts_with('.')) d.erase(0, 1);
    if (!SplitPort(d, &domain, &domain_port) || domain.empty()) {
      return Status(
          ErrorCode::kInvalidArgument,
          "--registry-domain " + Quote(options.registry_domain) + " is not DOMAIN or DOMAIN:PORT");
    }
  }
  // Hosts under the configured domain are accepted besides AWS's; "localhost" (cpa serve's
  // default) otherwise.
  const std::string custom_domain = domain == kAwsDomain ? "localhost" : domain;

  std::vector<RegistryTarget> out;
  auto add = [&](RegistryTarget t) -> Status {
    for (RegistryTarget& existing : out) {
      if (existing.host != t.host || existing.port != t.port) continue;
      if (existing.profile != t.profile) {
        return Status(ErrorCode::kInvalidArgument,
                      "registry " + HostPort(t) + " is given with two profiles, " +
                          Quote(existing.profile) + " and " + Quote(t.profile));
      }
      return Status::Ok();
    }
    out.push_back(std::move(t));
    return Status::Ok();
  };

  if (options.packages_registry) {
    auto account = core::PackagesAccountForRegion(options.region);
    if (!account) {
      return Status(ErrorCode::kInvalidArgument,
                    "region " + Quote(options.region) +
                        " has no EKS Anywhere curated packages registry (`cpa registries` lists "
                        "them); use --no-packages-registry with --registry HOST");
    }
    RegistryTarget t;
    t.account_id = std::string(*account);
    t.region = options.region;
    t.domain = domain;
    t.host = t.account_id + ".dkr.ecr." + t.region + "." + domain;
    t.port = domain_port;
    t.profile = options.default_profile;
    t.origin = "curated packages registry of " + options.region;
    if (!core::ParseRegistryHost(t.host, custom_domain)) {
      return Status(ErrorCode::kInvalidArgument,
                    "--registry-domain " + Quote(options.registry_domain) +
                        " does not make an ECR registry host (" + t.host + ")");
    }
    CPA_RETURN_IF_ERROR(add(std::move(t)));
  }

  for (const RegistryFlag& flag : options.registries) {
    auto parsed = core::ParseRegistryServerUrl(flag.server, custom_domain);
    const std::string authority = AuthorityOf(flag.server);
    RegistryTarget t;
    if (!parsed || parsed->kind != core::RegistryKind::kPrivate ||
        !SplitPort(authority, &t.host, &t.port)) {
      return Status(ErrorCode::kInvalidArgument,
                    "--registry " + Quote(flag.server) +
                        " is not an ECR private registry host (ACCOUNT.dkr.ecr.REGION." +
                        (domain == kAwsDomain ? "amazonaws.com" : domain) + "[:PORT])");
    }
    if (!t.host.empty() && t.host.back() == '.') t.host.pop_back();
    t.account_id = parsed->account_id;
    t.region = parsed->region;
    t.domain = parsed->domain;
    t.profile = flag.profile.value_or(options.default_profile);
    t.origin = "--registry";
    CPA_RETURN_IF_ERROR(add(std::move(t)));
  }
  if (out.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "no registries: --no-packages-registry needs at least one --registry HOST");
  }
  return out;
}

std::vector<std::string> TokenGroup::RegistryIds() const {
  std::vector<std::string> ids;
  for (const RegistryTarget& r : registries) {
    bool seen = false;
    for (const std::string& id : ids) seen = seen || id == r.account_id;
    if (!seen) ids.push_back(r.account_id);
  }
  return ids;
}

std::vector<TokenGroup> GroupByToken(std::span<const RegistryTarget> registries) {
  std::vector<TokenGroup> groups;
  for (const RegistryTarget& r : registries) {
    TokenGroup* group = nullptr;
    for (TokenGroup& g : groups) {
      if (g.profile == r.profile && g.region == r.region) group = &g;
    }
    if (group == nullptr) group = &groups.emplace_back(TokenGroup{r.profile, r.region, {}});
    group->registries.push_back(r);
  }
  return groups;
}

std::string ServerFor(const RegistryTarget& registry, std::string_view proxy_endpoint) {
  if (registry.port) return HostPort(registry);
  std::string host;
  std::optional<uint16_t> port;
  const std::string authority = AuthorityOf(proxy_endpoint);
  auto endpoint = core::ParseRegistryHost(authority, registry.domain);
  if (endpoint && endpoint->kind == core::RegistryKind::kPrivate &&
      endpoint->domain == registry.domain && SplitPort(authority, &host, &port) && port) {
    // 443 is https's default: clients name such a registry without a port.
    if (*port != 443) return registry.host + ":" + std::to_string(*port);
  }
  return registry.host;
}

}  // namespace cpa::agent
