#pragma once
// The YAML bootstrap file: accounts, their root keys, managed policies, roles, users,
// attachments, inline policies and access keys, so that a store starts from a known state.
// The format is documented in README.md ("Bootstrap file").
//
// Parsing reports the first problem as InvalidArgument "<file>:<line>:<column>: <message>"
// (YAML syntax, unknown or missing keys, wrong types, invalid names, policy documents rejected by
// the policy engine). Applying fills in what is missing, in one transaction: an entity that
// exists already is left exactly as it is, together with its keys, attachments and inline
// policies, so applying the same file on every start is idempotent.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/store/access_key.h"

namespace cpa::server::store {

class Store;

struct BootstrapKey {
  std::string access_key_id;      // empty: generated
  std::string secret_access_key;  // empty: generated
  AccessKeyStatus status = AccessKeyStatus::kActive;
};

struct BootstrapInlinePolicy {
  std::string name;
  std::string document;  // JSON
};

struct BootstrapPolicy {
  std::string name;
  std::string path = "/";
  std::string description;
  std::string document;  // JSON
};

struct BootstrapRole {
  std::string name;
  std::string path = "/";
  std::string description;
  int max_session_duration = 3600;
  std::string trust_policy;           // JSON
  std::vector<std::string> attached;  // policy ARNs (names resolved at parse time)
  std::vector<BootstrapInlinePolicy> inline_policies;
};

struct BootstrapUser {
  std::string name;
  std::string path = "/";
  std::vector<std::string> attached;
  std::vector<BootstrapInlinePolicy> inline_policies;
  std::vector<BootstrapKey> access_keys;
};

struct BootstrapAccount {
  std::string id;
  std::string name;
  std::vector<BootstrapKey> root_access_keys;  // none: one is generated
  std::vector<BootstrapPolicy> policies;
  std::vector<BootstrapRole> roles;
  std::vector<BootstrapUser> users;
};

struct Bootstrap {
  std::vector<BootstrapAccount> accounts;
};

// `source` names the text in error messages (the file path).
core::Result<Bootstrap> ParseBootstrap(std::string_view yaml, std::string_view source);
core::Result<Bootstrap> LoadBootstrapFile(const std::string& path);

// Creates what is missing (see above). Keys created by this call, secrets included, are
// appended to `created_keys` when it is not null.
core::Status ApplyBootstrap(Store& store, const Bootstrap& bootstrap,
                            std::vector<AccessKey>* created_keys = nullptr);

}  // namespace cpa::server::store
