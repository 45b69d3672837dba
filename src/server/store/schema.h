#pragma once
// The store's schema as ordered migration steps, recorded in PRAGMA user_version.
//
// Migrate() applies every step above the database's version, all in one transaction, so a
// database is either at its old version or at the newest one. A database newer than this build
// (user_version above kSchemaVersion) is refused rather than misread.

#include "core/status.h"
#include "server/store/sqlite.h"

namespace cpa::server::store {

// The schema version this build writes.
int SchemaVersion();

// Brings `db` to SchemaVersion(). Returns the version found before migrating.
core::Result<int> Migrate(Database& db);

}  // namespace cpa::server::store
