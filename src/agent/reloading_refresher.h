#pragma once
// The agent's refresh with its settings read again each time, so that a changed config file or
// aws-secret Secret takes effect without a restart.
//
// Each Refresh:
//   1. loads the settings (SettingsLoader: the files of LoadSettings, or the Secret through the
//      Kubernetes API); a failure fails the refresh with the loader's cause and writes nothing;
//   2. when they differ from the settings in use (config text, REGION), plans again (Planner:
//      region, registries, a new token source); a planning failure is a `config` failure;
//   3. refreshes (refresher.h). While the settings stay the same, the token source (and so its
//      cached assumed-role sessions) and the logins in place are kept; after a change, the
//      logins in place of registries still served are kept too.
// A failed load or plan leaves the logins in place as they were; the report says until when
// they stay valid.
//
// Nothing secret is logged: settings are compared in memory and never printed. Not thread-safe:
// one loop owns it.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/aws_inputs.h"
#include "agent/output.h"
#include "agent/refresher.h"
#include "agent/registries.h"
#include "agent/token_source.h"
#include "core/clock.h"

namespace cpa::agent {

// Settings, or why they could not be had.
struct LoadedSettings {
  core::Result<AwsSettings> settings = core::Status(core::ErrorCode::kInternal, "not loaded");
  FailureCause cause = FailureCause::kConfig;  // when !settings.ok()
};
using SettingsLoader = std::function<LoadedSettings()>;

// What settings turn into. The planner may log (the region and registries it chose).
struct RefreshPlan {
  std::vector<TokenGroup> groups;
  std::unique_ptr<TokenSource> source;
};
using Planner = std::function<core::Result<RefreshPlan>(const AwsSettings& settings)>;

class ReloadingRefresher final : public Refreshable {
 public:
  ReloadingRefresher(SettingsLoader load, Planner plan, std::vector<CredentialsOutput*> outputs,
                     const core::Clock* clock, LogFn log);

  RefreshReport Refresh() override;

 private:
  RefreshReport Failed(FailureCause cause, std::string message) const;

  SettingsLoader load_;
  Planner plan_;
  std::vector<CredentialsOutput*> outputs_;
  const core::Clock* clock_;
  LogFn log_;
  std::string in_use_;  // the settings in use (config text and REGION): secret, never logged
  std::unique_ptr<TokenSource> source_;
  std::unique_ptr<Refresher> refresher_;  // null until the first plan
};

}  // namespace cpa::agent
