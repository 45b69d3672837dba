#pragma once
// One refresh: a token per (profile, region) group, the logins of every registry, written to
// every output.
//
// The refresher remembers the login in place for each registry. A group that fails keeps its
// registries' previous logins (they are written again beside the new ones, so an output that
// replaces its whole content, like a Kubernetes Secret, loses nothing); if every group fails,
// nothing is written and the outputs stay exactly as they were. The logins in place change only
// when every output stored them (an output with several destinations counts when some of them
// did: its failed ones are reported, with their causes, and retried at the next refresh).
//
// Replan swaps the token source and the groups (the settings changed) and keeps the logins in
// place of the registries still served.
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

struct RefreshReport {
  size_t registries = 0;
  size_t refreshed = 0;  // registries whose new login was written
  // The earliest expiry among the logins in place; nullopt while some registry has none.
  std::optional<core::TimePoint> valid_until;
  std::vector<RefreshFailure> failures;
  bool ok() const { return failures.empty(); }
};

// What the refresh loop (daemon.h) drives.
class Refreshable {
 public:
  virtual ~Refreshable() = default;
  virtual RefreshReport Refresh() = 0;
};

class Refresher final : public Refreshable {
 public:
  Refresher(TokenSource* source, std::vector<TokenGroup> groups,
            std::vector<CredentialsOutput*> outputs, const core::Clock* clock, LogFn log);

  RefreshReport Refresh() override;

  // New settings: another token source and registry plan. Logins in place of registries that
  // are no longer served are forgotten (and no longer written).
  void Replan(TokenSource* source, std::vector<TokenGroup> groups);
  size_t registries() const;
  // The earliest expiry among the logins in place; nullopt while some registry has none.
  std::optional<core::TimePoint> ValidUntil() const;

 private:
  struct Login {
    RegistryAuth auth;
    core::TimePoint expires_at;
  };
  static std::string Key(const RegistryTarget& r);

  TokenSource* source_;
  std::vector<TokenGroup> groups_;
  std::vector<CredentialsOutput*> outputs_;
  const core::Clock* clock_;
  LogFn log_;
  std::map<std::string, Login> in_place_;  // by registry (host[:explicit port])
};

}  // namespace cpa::agent
