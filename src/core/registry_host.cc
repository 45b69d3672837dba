#include "core/registry_host.h"

#include <array>

#include "core/encoding.h"

namespace cpa::core {
namespace {

constexpr std::array<std::string_view, 9> kAwsDomains = {
    "amazonaws.com",
    "amazonaws.com.cn",
    "amazonaws.eu",
    "on.aws",
    "on.amazonwebservices.com.cn",
    "sc2s.sgov.gov",
    "c2s.ic.gov",
    "cloud.adc-e.uk",
    "csp.hci.ic.gov",
};

constexpr std::array<std::string_view, 2> kPublicHosts = {"public.ecr.aws", "ecr-public.aws.com"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// [a-zA-Z0-9][a-zA-Z0-9-_]*
bool IsRegionLabel(std::string_view s) {
  if (s.empty() || !IsAlnum(s[0])) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

// Removes ":port" (digits) and one trailing dot; rejects bracketed IPv6 literals.
std::optional<std::string> HostName(std::string_view host) {
  host = TrimAsciiWhitespace(host);
  if (host.empty() || host.front() == '[') return std::nullopt;
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5) return std::nullopt;
    for (char c : port) {
      if (!IsDigit(c)) return std::nullopt;
    }
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return std::nullopt;
  return AsciiLower(host);
}

}  // namespace

std::span<const std::string_view> AwsRegistryDomains() { return kAwsDomains; }

std::optional<RegistryHost> ParseRegistryHost(std::string_view host,
                                              std::string_view custom_domain) {
  std::optional<std::string> name = HostName(host);
  if (!name) return std::nullopt;
  for (std::string_view p : kPublicHosts) {
    if (*name == p) {
      RegistryHost h;
      h.kind = RegistryKind::kPublic;
      h.name = *name;
      return h;
    }
  }

  // <12 digits>.
  std::string_view rest = *name;
  if (rest.size() < 13 || rest[12] != '.') return std::nullopt;
  for (size_t i = 0; i < 12; ++i) {
    if (!IsDigit(rest[i])) return std::nullopt;
  }
  RegistryHost h;
  h.account_id = std::string(rest.substr(0, 12));
  rest.remove_prefix(13);

  // dkr.ecr | dkr-ecr, then optional -fips, then '.'.
  if (rest.starts_with("dkr.ecr")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("dkr-ecr")) {
    h.dual_stack = true;
    rest.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  if (rest.starts_with("-fips")) {
    h.fips = true;
    rest.remove_prefix(5);
  }
  if (!rest.starts_with('.')) return std::nullopt;
  rest.remove_prefix(1);

  // <region>.<domain>
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view region = rest.substr(0, dot);
  std::string_view domain = rest.substr(dot + 1);
  if (!IsRegionLabel(region)) return std::nullopt;
  bool known = false;
  for (std::string_view d : kAwsDomains) known = known || domain == d;
  if (!known && !custom_domain.empty()) known = domain == AsciiLower(custom_domain);
  if (!known) return std::nullopt;
  h.region = std::string(region);
  h.domain = std::string(domain);
  return h;
}

std::optional<RegistryHost> ParseRegistryServerUrl(std::string_view server_url,
                                                   std::string_view custom_domain) {
  std::string_view s = TrimAsciiWhitespace(server_url);
  if (size_t scheme = s.find("://"); scheme != std::string_view::npos) s.remove_prefix(scheme + 3);
  // Authority ends at the first '/', '?' or '#'; user info (before '@') is dropped.
  size_t end = s.find_first_of("/?#");
  std::string_view authority = s.substr(0, end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return ParseRegistryHost(authority, custom_domain);
}

}  // namespace cpa::core
