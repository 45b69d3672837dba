#include "agent/reloading_refresher.h"

#include <utility>

namespace cpa::agent {

ReloadingRefresher::ReloadingRefresher(SettingsLoader load, Planner plan,
                                       std::vector<CredentialsOutput*> outputs,
                                       const core::Clock* clock, LogFn log)
    : load_(std::move(load)),
      plan_(std::move(plan)),
      outputs_(std::move(outputs)),
      clock_(clock),
      log_(log ? std::move(log) : LogFn([](std::string_view) {})) {}

RefreshReport ReloadingRefresher::Failed(FailureCause cause, std::string message) const {
  RefreshReport report;
  if (refresher_) {
    report.registries = refresher_->registries();
    report.valid_until = refresher_->ValidUntil();
  }
  log_("refresh failed [" + std::string(FailureCauseName(cause)) + "]: " + message +
       (report.valid_until ? "; the logins in place are kept" : "; nothing is written"));
  report.failures.push_back({cause, std::move(message)});
  return report;
}

RefreshReport ReloadingRefresher::Refresh() {
  LoadedSettings loaded = load_();
  if (!loaded.settings.ok()) return Failed(loaded.cause, loaded.settings.status().message());
  const AwsSettings& settings = *loaded.settings;
  // Both the config (or the keys turned into one) and REGION decide the plan.
  std::string fingerprint = settings.config_text;
  fingerprint += '\0';
  fingerprint += settings.secret_region;
  if (!refresher_ || fingerprint != in_use_) {
    if (refresher_) log_("the AWS settings in " + settings.origin + " changed: planning again");
    auto plan = plan_(settings);
    if (!plan.ok()) return Failed(FailureCause::kConfig, plan.status().message());
    if (!refresher_) {
      refresher_ = std::make_unique<Refresher>(plan->source.get(), std::move(plan->groups),
                                               outputs_, clock_, log_);
    } else {
      refresher_->Replan(plan->source.get(), std::move(plan->groups));
    }
    source_ = std::move(plan->source);  // the old source is released once no longer used
    in_use_ = std::move(fingerprint);
  }
  return refresher_->Refresh();
}

}  // namespace cpa::agent
