#pragma once
// One refresh: a token per (profile, region) group, the logins of every registry, written to
// every output.
//
// The refresher remembers the login in place for each registry. A group that fails keeps its
// registries' previous logins (they are written again beside the new ones, so an output that
// replaces its whole content, like a Kubernetes Secret, loses nothing); if every group fails,
// nothing is written and the outputs stay exactly as they were. The logins in place change only
// when every output was written.
//
// Log lines (through `log`) name profiles, regions, registries, expiry times and failure causes;
// never a password, key or token. Not thread-safe: one loop owns a Refresher.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/docker_config.h"
#include "agent/output.h"
#include "agent/registries.h"
#include "agent/token_source.h"
#include "core/clock.h"

namespace cpa::agent {

using LogFn = std::function<void(std::string_view line)>;

struct RefreshFailure {
  FailureCause cause;
  std::string message;  // "profile `default` in us-west-2: ..."; no secrets
};

struct RefreshReport {
  size_t registries = 0;
  size_t refreshed = 0;  // registries whose new login was written
  // The earliest expiry among the logins in place; nullopt while some registry has none.
  std::optional<core::TimePoint> valid_until;
  std::vector<RefreshFailure> failures;
  bool ok() const { return failures.empty(); }
};

class Refresher {
 public:
  Refresher(TokenSource* source, std::vector<TokenGroup> groups,
            std::vector<CredentialsOutput*> outputs, const core::Clock* clock, LogFn log);

  RefreshReport Refresh();

 private:
  struct Login {
    RegistryAuth auth;
    core::TimePoint expires_at;
  };
  static std::string Key(const RegistryTarget& r);
  std::optional<core::TimePoint> ValidUntil() const;

  TokenSource* source_;
  std::vector<TokenGroup> groups_;
  std::vector<CredentialsOutput*> outputs_;
  const core::Clock* clock_;
  LogFn log_;
  std::map<std::string, Login> in_place_;  // by registry (host[:explicit port])
};

}  // namespace cpa::agent
