#include "server/store/schema.h"

#include <string>
#include <vector>

namespace cpa::server::store {
namespace {

// Each entry upgrades from version i to i+1. Never edit a released step; append a new one.
// Names of users, roles and managed policies are unique per account regardless of ASCII case,
// as in IAM: the columns use COLLATE NOCASE, which also orders listings case-insensitively.
// Times are Unix seconds (UTC).
const std::vector<const char*>& Steps() {
  static const std::vector<const char*> steps = {
      // 1: IAM and STS.
      R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
  id          TEXT PRIMARY KEY CHECK (length(id) = 12),
  name        TEXT NOT NULL,
  aws_owned   INTEGER NOT NULL DEFAULT 0,
  region      TEXT NOT NULL DEFAULT '',
  create_date INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
  pk          INTEGER PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL COLLATE NOCASE,
  path        TEXT NOT NULL,
  unique_id   TEXT NOT NULL UNIQUE,
  create_date INTEGER NOT NULL,
  UNIQUE (account_id, name)
);

CREATE TABLE roles (
  pk                   INTEGER PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES accounts(id),
  name                 TEXT NOT NULL COLLATE NOCASE,
  path                 TEXT NOT NULL,
  unique_id            TEXT NOT NULL UNIQUE,
  trust_policy         TEXT NOT NULL,
  description          TEXT NOT NULL DEFAULT '',
  max_session_duration INTEGER NOT NULL DEFAULT 3600,
  create_date          INTEGER NOT NULL,
  UNIQUE (account_id, name)
);

-- account_id is a 12-digit account or 'aws' for AWS-managed policies (hence no foreign key).
CREATE TABLE managed_policies (
  pk              INTEGER PRIMARY KEY,
  account_id      TEXT NOT NULL,
  name            TEXT NOT NULL COLLATE NOCASE,
  path            TEXT NOT NULL,
  unique_id       TEXT NOT NULL UNIQUE,
  description     TEXT NOT NULL DEFAULT '',
  default_version INTEGER NOT NULL,
  next_version    INTEGER NOT NULL,
  create_date     INTEGER NOT NULL,
  update_date     INTEGER NOT NULL,
  UNIQUE (account_id, name)
);

CREATE TABLE policy_versions (
  policy_pk   INTEGER NOT NULL REFERENCES managed_policies(pk) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  document    TEXT NOT NULL,
  create_date INTEGER NOT NULL,
  PRIMARY KEY (policy_pk, version)
) WITHOUT ROWID;

CREATE TABLE user_policy_attachments (
  user_pk   INTEGER NOT NULL REFERENCES users(pk),
  policy_pk INTEGER NOT NULL REFERENCES managed_policies(pk),
  PRIMARY KEY (user_pk, policy_pk)
) WITHOUT ROWID;
CREATE INDEX user_policy_attachments_by_policy ON user_policy_attachments(policy_pk);

CREATE TABLE role_policy_attachments (
  role_pk   INTEGER NOT NULL REFERENCES roles(pk),
  policy_pk INTEGER NOT NULL REFERENCES managed_policies(pk),
  PRIMARY KEY (role_pk, policy_pk)
) WITHOUT ROWID;
CREATE INDEX role_policy_attachments_by_policy ON role_policy_attachments(policy_pk);

CREATE TABLE user_inline_policies (
  user_pk  INTEGER NOT NULL REFERENCES users(pk),
  name     TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (user_pk, name)
) WITHOUT ROWID;

CREATE TABLE role_inline_policies (
  role_pk  INTEGER NOT NULL REFERENCES roles(pk),
  name     TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (role_pk, name)
) WITHOUT ROWID;

-- Long-term keys (AKIA...). user_pk NULL: a root key of the account.
-- secret: nonce || AES-256-GCM ciphertext || tag, with the key id as associated data.
CREATE TABLE access_keys (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  user_pk     INTEGER REFERENCES users(pk),
  secret      BLOB NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1,
  create_date INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_keys_by_user ON access_keys(account_id, user_pk);

-- Temporary credentials issued by STS (ASIA...). The session token is kept only as its SHA-256.
-- role_id/role_arn are copied, not referenced: a session outlives a deleted role.
CREATE TABLE sessions (
  id                  TEXT PRIMARY KEY,
  account_id          TEXT NOT NULL REFERENCES accounts(id),
  secret              BLOB NOT NULL,
  token_sha256        BLOB NOT NULL,
  role_arn            TEXT NOT NULL,
  role_id             TEXT NOT NULL,
  role_name           TEXT NOT NULL,
  session_name        TEXT NOT NULL,
  source_identity     TEXT,
  source_arn          TEXT NOT NULL DEFAULT '',
  session_policy      TEXT,
  session_policy_arns TEXT NOT NULL DEFAULT '',
  role_chained        INTEGER NOT NULL DEFAULT 0,
  issued              INTEGER NOT NULL,
  expiration          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_expiration ON sessions(expiration);
)sql",
      // 2: ECR registries: repositories, their policies and tags, images (manifests), tags, blobs.
      // Blob bytes live in files under DIR/registry/blobs (content-addressed); the database says
      // which repository may serve which blob (a blob is reachable in a repository only once it
      // was uploaded or mounted there, or a manifest of the repository references it).
      R"sql(
CREATE TABLE repositories (
  pk              INTEGER PRIMARY KEY,
  account_id      TEXT NOT NULL REFERENCES accounts(id),
  region          TEXT NOT NULL,
  name            TEXT NOT NULL,
  tag_mutability  TEXT NOT NULL DEFAULT 'MUTABLE',
  -- imageTagMutabilityExclusionFilters (the *_WITH_EXCLUSION modes): a JSON array of wildcards.
  tag_exclusions  TEXT NOT NULL DEFAULT '[]',
  scan_on_push    INTEGER NOT NULL DEFAULT 0,
  encryption_type TEXT NOT NULL DEFAULT 'AES256',
  kms_key         TEXT NOT NULL DEFAULT '',
  policy          TEXT,
  create_date     INTEGER NOT NULL,
  UNIQUE (account_id, region, name)
);

CREATE TABLE repository_tags (
  repository_pk INTEGER NOT NULL REFERENCES repositories(pk) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  PRIMARY KEY (repository_pk, key)
) WITHOUT ROWID;

CREATE TABLE blobs (
  digest      TEXT PRIMARY KEY,
  size        INTEGER NOT NULL,
  create_date INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE repository_blobs (
  repository_pk INTEGER NOT NULL REFERENCES repositories(pk) ON DELETE CASCADE,
  digest        TEXT NOT NULL REFERENCES blobs(digest),
  media_type    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (repository_pk, digest)
) WITHOUT ROWID;
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);

CREATE TABLE images (
  repository_pk  INTEGER NOT NULL REFERENCES repositories(pk) ON DELETE CASCADE,
  digest         TEXT NOT NULL,
  media_type     TEXT NOT NULL,
  artifact_type  TEXT NOT NULL DEFAULT '',
  subject        TEXT NOT NULL DEFAULT '',
  manifest       BLOB NOT NULL,
  size           INTEGER NOT NULL,
  pushed_at      INTEGER NOT NULL,
  last_pull      INTEGER,
  PRIMARY KEY (repository_pk, digest)
) WITHOUT ROWID;
-- The OCI referrers of a manifest (manifests whose `subject` names it).
CREATE INDEX images_by_subject ON images(repository_pk, subject) WHERE subject != '';

-- What a manifest references: blobs (config, layers) and, for indexes, other manifests.
CREATE TABLE image_references (
  repository_pk INTEGER NOT NULL,
  image_digest  TEXT NOT NULL,
  digest        TEXT NOT NULL,
  is_manifest   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (repository_pk, image_digest, digest),
  FOREIGN KEY (repository_pk, image_digest) REFERENCES images(repository_pk, digest)
    ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX image_references_by_digest ON image_references(repository_pk, digest);

CREATE TABLE image_tags (
  repository_pk INTEGER NOT NULL,
  tag           TEXT NOT NULL,
  digest        TEXT NOT NULL,
  PRIMARY KEY (repository_pk, tag),
  FOREIGN KEY (repository_pk, digest) REFERENCES images(repository_pk, digest) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX image_tags_by_digest ON image_tags(repository_pk, digest);

-- Chunked uploads in progress; the bytes are in DIR/registry/uploads/<id>.
CREATE TABLE uploads (
  id            TEXT PRIMARY KEY,
  repository_pk INTEGER NOT NULL REFERENCES repositories(pk) ON DELETE CASCADE,
  size          INTEGER NOT NULL DEFAULT 0,
  create_date   INTEGER NOT NULL,
  update_date   INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
      // 3: EKS Anywhere subscriptions. Soft-deleted rows keep their data (delete_date set);
      // names are unique among live ones. licenses: JSON [{"id","token"}]; tags: JSON object.
      R"sql(
CREATE TABLE subscriptions (
  id                   TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES accounts(id),
  region               TEXT NOT NULL,
  name                 TEXT NOT NULL,
  term_duration        INTEGER NOT NULL,
  term_unit            TEXT NOT NULL,
  license_quantity     INTEGER NOT NULL,
  license_type         TEXT NOT NULL,
  auto_renew           INTEGER NOT NULL DEFAULT 0,
  licenses             TEXT NOT NULL DEFAULT '[]',
  tags                 TEXT NOT NULL DEFAULT '{}',
  client_request_token TEXT,
  request_hash         TEXT NOT NULL DEFAULT '',
  create_date          INTEGER NOT NULL,
  effective_date       INTEGER NOT NULL,
  expiration_date      INTEGER NOT NULL,
  delete_date          INTEGER
) WITHOUT ROWID;
CREATE INDEX subscriptions_by_account ON subscriptions(account_id, region, create_date);
CREATE INDEX subscriptions_by_region ON subscriptions(region) WHERE delete_date IS NULL;
CREATE UNIQUE INDEX subscriptions_by_name
  ON subscriptions(account_id, region, name) WHERE delete_date IS NULL;
CREATE UNIQUE INDEX subscriptions_by_token
  ON subscriptions(account_id, region, client_request_token)
  WHERE client_request_token IS NOT NULL;
)sql",
  };
  return steps;
}

core::Result<int> ReadUserVersion(Database& db) {
  CPA_ASSIGN_OR_RETURN(auto q, db.Prepare("PRAGMA user_version"));
  CPA_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return core::Status(core::ErrorCode::kInternal, "sqlite: no user_version");
  return static_cast<int>(q->Int(0));
}

}  // namespace

int SchemaVersion() { return static_cast<int>(Steps().size()); }

core::Result<int> Migrate(Database& db) {
  CPA_ASSIGN_OR_RETURN(int before, ReadUserVersion(db));
  const int target = SchemaVersion();
  if (before > target) {
    return core::Status(core::ErrorCode::kInternal,
                        "database schema version " + std::to_string(before) +
                            " is newer than this build supports (" + std::to_string(target) +
                            "); use a newer cpa");
  }
  if (before == target) return before;
  Transaction tx(db);
  CPA_RETURN_IF_ERROR(tx.status());
  for (int v = before; v < target; ++v) {
    core::Status s = db.Exec(Steps()[static_cast<size_t>(v)]);
    if (!s.ok()) {
      return core::Status(
          core::ErrorCode::kInternal,
          "schema migration to version " + std::to_string(v + 1) + ": " + s.message());
    }
  }
  CPA_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(target)));
  CPA_RETURN_IF_ERROR(tx.Commit());
  return before;
}

}  // namespace cpa::server::store
