#pragma once
// What the agent reports about itself: /healthz and Prometheus /metrics.
//
// /healthz: 200 while every registry has a login in place that has not expired, 503 otherwise
// (before the first success, or once the logins expired because refreshes kept failing); the
// body says which, with the last failure's cause. /metrics (text format 0.0.4):
//   cpa_agent_registries                              registries served
//   cpa_agent_credentials_valid                       1 while /healthz is 200
//   cpa_agent_credentials_expiry_timestamp_seconds    earliest expiry of the logins in place
//   cpa_agent_last_success_timestamp_seconds          end of the last refresh without failure
//   cpa_agent_next_refresh_timestamp_seconds          when the next refresh is due
//   cpa_agent_refreshes_total{outcome}                success | failure
//   cpa_agent_refresh_failures_total{cause}           access_denied, invalid_credentials,
//                                                     network, config, service, output
// Timestamps are omitted until known. No label or value carries a secret.
//
// Thread safety: AgentState's methods may be called from any thread; the renderers are pure.

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "agent/refresher.h"
#include "core/clock.h"

namespace cpa::agent {

struct AgentSnapshot {
  size_t registries = 0;
  std::optional<core::TimePoint> valid_until;
  std::optional<core::TimePoint> last_success;
  std::optional<core::TimePoint> next_refresh;
  uint64_t successes = 0;
  uint64_t failed_refreshes = 0;
  std::map<FailureCause, uint64_t> failures;   // every cause present, zero or not
  std::optional<RefreshFailure> last_failure;  // of the last refresh; nullopt after a success
};

class AgentState {
 public:
  explicit AgentState(size_t registries);

  // Records the report of a refresh that ended at `now` (and its number of registries, unless
  // it has none: settings that could not be read leave the last count).
  void Record(const RefreshReport& report, core::TimePoint now);
  void SetNextRefresh(core::TimePoint when);
  AgentSnapshot Snapshot() const;

 private:
  mutable std::mutex mu_;
  AgentSnapshot s_;  // guarded by mu_
};

struct HealthReport {
  int status = 503;  // 200 or 503
  std::string body;  // one line of text
};

bool CredentialsValid(const AgentSnapshot& s, core::TimePoint now);
HealthReport Health(const AgentSnapshot& s, core::TimePoint now);
std::string RenderMetrics(const AgentSnapshot& s, core::TimePoint now);

}  // namespace cpa::agent
