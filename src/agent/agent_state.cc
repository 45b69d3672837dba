#include "agent/agent_state.h"

#include "agent/go_duration.h"

namespace cpa::agent {
namespace {

int64_t Epoch(core::TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

AgentState::AgentState(size_t registries) {
  s_.registries = registries;
  for (FailureCause c : kAllFailureCauses) s_.failures[c] = 0;
}

void AgentState::Record(const RefreshReport& report, core::TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (report.registries > 0) s_.registries = report.registries;  // the plan may change
  s_.valid_until = report.valid_until;
  if (report.ok()) {
    ++s_.successes;
    s_.last_success = now;
    s_.last_failure.reset();
    return;
  }
  ++s_.failed_refreshes;
  for (const RefreshFailure& f : report.failures) ++s_.failures[f.cause];
  s_.last_failure = report.failures.back();
}

void AgentState::SetNextRefresh(core::TimePoint when) {
  std::lock_guard<std::mutex> lock(mu_);
  s_.next_refresh = when;
}

AgentSnapshot AgentState::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return s_;
}

bool CredentialsValid(const AgentSnapshot& s, core::TimePoint now) {
  return s.valid_until && now < *s.valid_until;
}

HealthReport Health(const AgentSnapshot& s, core::TimePoint now) {
  HealthReport h;
  std::string failure;
  if (s.last_failure) {
    failure = "; last failure [" + std::string(FailureCauseName(s.last_failure->cause)) +
              "]: " + s.last_failure->message;
  }
  if (CredentialsValid(s, now)) {
    h.status = 200;
    h.body = "ok: " + std::to_string(s.registries) + " registry login(s) valid until " +
             core::FormatIso8601(*s.valid_until) + " (" + FormatGoDuration(*s.valid_until - now) +
             ")" + failure + "\n";
  } else if (s.valid_until) {
    h.body = "expired: the registry logins expired at " + core::FormatIso8601(*s.valid_until) +
             failure + "\n";
  } else {
    h.body = "not ready: no registry login written yet" + failure + "\n";
  }
  return h;
}

std::string RenderMetrics(const AgentSnapshot& s, core::TimePoint now) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, std::optional<int64_t> value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
    if (value) out += std::string(name) + " " + std::to_string(*value) + "\n";
  };
  auto at = [](const std::optional<core::TimePoint>& t) -> std::optional<int64_t> {
    return t ? std::optional<int64_t>(Epoch(*t)) : std::nullopt;
  };
  gauge("cpa_agent_registries", "Registries the agent keeps logins for.",
        static_cast<int64_t>(s.registries));
  gauge("cpa_agent_credentials_valid",
        "1 while every registry has an unexpired login in place, else 0.",
        CredentialsValid(s, now) ? 1 : 0);
  gauge("cpa_agent_credentials_expiry_timestamp_seconds",
        "Earliest expiry of the registry logins in place (Unix time).", at(s.valid_until));
  gauge("cpa_agent_last_success_timestamp_seconds",
        "End of the last refresh without failure (Unix time).", at(s.last_success));
  gauge("cpa_agent_next_refresh_timestamp_seconds", "When the next refresh is due (Unix time).",
        at(s.next_refresh));
  out +=
      "# HELP cpa_agent_refreshes_total Refreshes by outcome.\n"
      "# TYPE cpa_agent_refreshes_total counter\n"
      "cpa_agent_refreshes_total{outcome=\"success\"} " +
      std::to_string(s.successes) + "\ncpa_agent_refreshes_total{outcome=\"failure\"} " +
      std::to_string(s.failed_refreshes) + "\n";
  out +=
      "# HELP cpa_agent_refresh_failures_total Failures by cause (one refresh may have several).\n"
      "# TYPE cpa_agent_refresh_failures_total counter\n";
  for (const auto& [cause, count] : s.failures) {
    out += "cpa_agent_refresh_failures_total{cause=\"" + std::string(FailureCauseName(cause)) +
           "\"} " + std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace cpa::agent
