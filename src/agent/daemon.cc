#include "agent/daemon.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "agent/go_duration.h"

namespace cpa::agent {

bool StopWaiter::WaitUntil(core::TimePoint deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const auto left = deadline - clock_.Now();
    if (left <= std::chrono::seconds(0)) return true;
    // The clock may jump (suspend, NTP): wake at least every minute to look at it again.
    cv_.wait_for(lock, std::min<std::chrono::seconds>(left, std::chrono::seconds(60)));
  }
  return false;
}

void StopWaiter::RequestStop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

bool StopWaiter::stop_requested() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

int RunDaemon(Refreshable& refresher, RefreshSchedule& schedule, AgentState& state,
              const core::Clock& clock, Waiter& waiter, const LogFn& log) {
  int refreshes = 0;
  while (true) {
    RefreshReport report = refresher.Refresh();
    ++refreshes;
    const core::TimePoint now = clock.Now();
    state.Record(report, now);
    core::TimePoint next = report.ok() && report.valid_until
                               ? schedule.AfterSuccess(now, *report.valid_until)
                               : schedule.AfterFailure(now);
    state.SetNextRefresh(next);
    std::string line = "next refresh at " + core::FormatIso8601(next) + " (in " +
                       FormatGoDuration(next - now) + ")";
    if (!report.ok()) {
      line += ", retry " + std::to_string(schedule.consecutive_failures()) + "; ";
      line +=
          report.valid_until && now < *report.valid_until
              ? "the logins in place stay valid until " + core::FormatIso8601(*report.valid_until)
              : std::string("no valid login in place");
    }
    if (log) log(line);
    if (!waiter.WaitUntil(next)) break;
  }
  return refreshes;
}

}  // namespace cpa::agent
