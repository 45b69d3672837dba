// Health and metrics: 503 before the first login, 200 while the logins in place are valid (even
// when the last refresh failed), 503 once they expired; the Prometheus text.
#include "agent/agent_state.h"

#include <gtest/gtest.h>

namespace cpa::agent {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const core::TimePoint kT0{seconds(1714564800)};

RefreshReport Success(core::TimePoint until) {
  RefreshReport r;
  r.registries = r.refreshed = 2;
  r.valid_until = until;
  return r;
}

RefreshReport Failure(FailureCause cause, std::string message,
                      std::optional<core::TimePoint> until) {
  RefreshReport r;
  r.registries = 2;
  r.valid_until = until;
  r.failures.push_back({cause, std::move(message)});
  return r;
}

TEST(AgentState, HealthFollowsTheLoginsInPlace) {
  AgentState state(2);
  HealthReport h = Health(state.Snapshot(), kT0);
  EXPECT_EQ(h.status, 503);
  EXPECT_EQ(h.body, "not ready: no registry login written yet\n");

  state.Record(
      Failure(FailureCause::kNetwork, "profile `default` in us-west-2: refused", std::nullopt),
      kT0);
  h = Health(state.Snapshot(), kT0);
  EXPECT_EQ(h.status, 503);
  EXPECT_EQ(h.body,
            "not ready: no registry login written yet; last failure [network]: profile "
            "`default` in us-west-2: refused\n");

  state.Record(Success(kT0 + hours(12)), kT0);
  h = Health(state.Snapshot(), kT0 + hours(1));
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok: 2 registry login(s) valid until 2024-05-02T00:00:00Z (11h0m0s)\n");

  // A failed refresh does not make the agent unhealthy while the logins last.
  state.Record(Failure(FailureCause::kAccessDenied, "denied", kT0 + hours(12)), kT0 + hours(6));
  h = Health(state.Snapshot(), kT0 + hours(6));
  EXPECT_EQ(h.status, 200);
  EXPECT_NE(h.body.find("last failure [access_denied]: denied"), std::string::npos);

  h = Health(state.Snapshot(), kT0 + hours(12));
  EXPECT_EQ(h.status, 503);
  EXPECT_EQ(h.body,
            "expired: the registry logins expired at 2024-05-02T00:00:00Z; last failure "
            "[access_denied]: denied\n");
}

TEST(AgentState, Metrics) {
  AgentState state(2);
  std::string text = RenderMetrics(state.Snapshot(), kT0);
  EXPECT_NE(text.find("cpa_agent_registries 2\n"), std::string::npos);
  EXPECT_NE(text.find("cpa_agent_credentials_valid 0\n"), std::string::npos);
  EXPECT_EQ(text.find("\ncpa_agent_credentials_expiry_timestamp_seconds "), std::string::npos);
  EXPECT_NE(text.find("cpa_agent_refresh_failures_total{cause=\"access_denied\"} 0\n"),
            std::string::npos);

  state.Record(Failure(FailureCause::kNetwork, "x", std::nullopt), kT0);
  state.Record(Failure(FailureCause::kNetwork, "x", std::nullopt), kT0);
  state.Record(Success(kT0 + hours(12)), kT0 + seconds(10));
  state.SetNextRefresh(kT0 + hours(6));
  text = RenderMetrics(state.Snapshot(), kT0 + seconds(10));
  EXPECT_NE(text.find("cpa_agent_credentials_valid 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE cpa_agent_credentials_expiry_timestamp_seconds gauge\n"
                      "cpa_agent_credentials_expiry_timestamp_seconds 1714608000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cpa_agent_last_success_timestamp_seconds 1714564810\n"), std::string::npos);
  EXPECT_NE(text.find("cpa_agent_next_refresh_timestamp_seconds 1714586400\n"), std::string::npos);
  EXPECT_NE(text.find("cpa_agent_refreshes_total{outcome=\"success\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("cpa_agent_refreshes_total{outcome=\"failure\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("cpa_agent_refresh_failures_total{cause=\"network\"} 2\n"),
            std::string::npos);
  for (const char* cause :
       {"access_denied", "invalid_credentials", "config", "service", "output"}) {
    EXPECT_NE(
        text.find("cpa_agent_refresh_failures_total{cause=\"" + std::string(cause) + "\"} 0\n"),
        std::string::npos)
        << cause;
  }
}

}  // namespace
}  // namespace cpa::agent
