#pragma once
// The AWS-owned EKS Anywhere curated packages registry account of each region: the one table
// shared by `cpa serve` (which hosts these registries) and the CLI (`cpa registries`, `cpa share`).
//
// Source: eks-anywhere pkg/curatedpackages/registry_constants.go
// (prodRegionalPrivateRegistryURIByRegion, revision aebd9a06) and the docs table
// clustermgmt/support/packages-registries.md, as transcribed in the eksa-curated-packages
// reference §10.1. 32 regions in code, 29 in the docs (ap-northeast-3, ap-southeast-7 and
// mx-central-1 are in the code only). Account ids are strings: keep the leading zeros.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace cpa::core {

struct PackagesRegistryAccount {
  std::string_view region;
  std::string_view account_id;
  bool in_docs_table;
};

inline constexpr std::array<PackagesRegistryAccount, 32> kPackagesRegistryAccounts = {{
    {"af-south-1", "783635962247", true},      {"ap-east-1", "804323328300", true},
    {"ap-northeast-1", "143143237519", true},  {"ap-northeast-2", "447311122189", true},
    {"ap-northeast-3", "376465423944", false}, {"ap-south-1", "357015164304", true},
    {"ap-south-2", "388483641499", true},      {"ap-southeast-1", "654894141437", true},
    {"ap-southeast-2", "299286866837", true},  {"ap-southeast-3", "703305448174", true},
    {"ap-southeast-4", "106475008004", true},  {"ap-southeast-5", "396913739932", true},
    {"ap-southeast-7", "141666480881", false}, {"ca-central-1", "064352486547", true},
    {"ca-west-1", "571600859530", true},       {"eu-central-1", "364992945014", true},
    {"eu-central-2", "551422459769", true},    {"eu-north-1", "826441621985", true},
    {"eu-south-1", "787863792200", true},      {"eu-south-2", "127214161500", true},
    {"eu-west-1", "090204409458", true},       {"eu-west-2", "371148654473", true},
    {"eu-west-3", "282646289008", true},       {"il-central-1", "131750224677", true},
    {"me-central-1", "454241080883", true},    {"me-south-1", "158698011868", true},
    {"mx-central-1", "295916874491", false},   {"sa-east-1", "517745584577", true},
    {"us-east-1", "331113665574", true},       {"us-east-2", "297090588151", true},
    {"us-west-1", "440460740297", true},       {"us-west-2", "346438352937", true},
}};

// The account that served trials and subscriptions bought before October 2023 (§10.3).
inline constexpr std::string_view kLegacyPackagesAccount = "783794618700";

inline std::optional<std::string_view> PackagesAccountForRegion(std::string_view region) {
  for (const auto& e : kPackagesRegistryAccounts) {
    if (e.region == region) return e.account_id;
  }
  return std::nullopt;
}

inline std::optional<std::string_view> RegionOfPackagesAccount(std::string_view account_id) {
  for (const auto& e : kPackagesRegistryAccounts) {
    if (e.account_id == account_id) return e.region;
  }
  return std::nullopt;
}

// "<account>.dkr.ecr.<region>.amazonaws.com", the host clients pull curated packages from.
inline std::string PackagesRegistryHost(std::string_view account_id, std::string_view region) {
  return std::string(account_id) + ".dkr.ecr." + std::string(region) + ".amazonaws.com";
}

}  // namespace cpa::core
