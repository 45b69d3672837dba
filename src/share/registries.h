#pragma once
// The packages registry of a region: the region table (core/packages_registries.h) as `cpa
// registries` shows it, registry host parsing, and the choice between a subscription's
// packageRegistry and the table (spec step 1).
//
// Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::share {

struct RegistryHost {
  std::string account_id;
  std::string region;
  std::string host;  // without scheme, port or path
};

// "<account>.dkr.ecr.<region>.<domain>" (amazonaws.com on AWS, the --registry-domain of a local
// `cpa serve`), optionally with a scheme, port or path, as a subscription's packageRegistry
// reads. kInvalidArgument naming the text otherwise.
core::Result<RegistryHost> ParseRegistryHost(std::string_view text);

// The table, one row per region, sorted by region.
struct RegistryRow {
  std::string region;
  std::string account_id;
  std::string host;
  bool in_docs_table = false;
};
std::vector<RegistryRow> RegistryTable();

// The row of `region`; kNotFound naming the region (and how to list them) when it has none.
core::Result<RegistryRow> RegistryForRegion(std::string_view region);

// `cpa registries` output: the aligned table, or one region's account and host.
std::string RenderRegistryTableText();
std::string RenderRegistryTableJson();
std::string RenderRegistryText(const RegistryRow& row);
std::string RenderRegistryJson(const RegistryRow& row);

// Where the packages account came from.
enum class AccountSource { kSubscription, kTable };

struct PackagesAccount {
  std::string account_id;
  std::string host;
  AccountSource source = AccountSource::kTable;
  std::string explanation;            // "packageRegistry of subscription <id>", "region table"
  std::string reason;                 // why the table was used, when it was
  std::vector<std::string> warnings;  // e.g. the subscription's account differs from the table
};

// What the subscription lookup saw: the subscription id and its packageRegistry (may be empty),
// or the reason there is none (lookup failed, no subscription).
struct SubscriptionFinding {
  std::string subscription_id;
  std::string package_registry;
  std::string unavailable_reason;  // set when no subscription could be used
};

// Step 1: the subscription's packageRegistry when it has one (it must be in `region`), else the
// region table, saying which. Fails when neither gives an account.
core::Result<PackagesAccount> ChoosePackagesAccount(std::string_view region,
                                                    const SubscriptionFinding& finding);

}  // namespace cpa::share
