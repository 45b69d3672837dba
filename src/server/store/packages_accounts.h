#pragma once
// The curated packages registry account of each region, for the server's store. The table itself
// lives in core/packages_registries.h, shared with the CLI; these names keep the store's spelling.

#include "core/packages_registries.h"

namespace cpa::server::store {

using core::kPackagesRegistryAccounts;
using core::PackagesAccountForRegion;
using core::PackagesRegistryAccount;
using core::RegionOfPackagesAccount;

}  // namespace cpa::server::store
