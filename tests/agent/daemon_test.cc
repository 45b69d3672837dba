// The refresh loop on a fake clock: success at half-life, retries with backoff while the logins
// in place keep the agent healthy, recovery, and a stop; plus StopWaiter across threads.
#include "agent/daemon.h"

#include <gtest/gtest.h>

#include <thread>

#include "fakes.h"

namespace cpa::agent {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::RecordingOutput;
using testing::ScriptedTokenSource;

const core::TimePoint kT0{seconds(1714564800)};

// Jumps the fake clock to each deadline; stops after `limit` waits.
class FakeWaiter final : public Waiter {
 public:
  FakeWaiter(core::FakeClock* clock, int limit) : clock_(clock), limit_(limit) {}
  bool WaitUntil(core::TimePoint deadline) override {
    deadlines.push_back(deadline);
    if (static_cast<int>(deadlines.size()) >= limit_) return false;
    clock_->Set(deadline);
    return true;
  }
  std::vector<core::TimePoint> deadlines;

 private:
  core::FakeClock* clock_;
  int limit_;
};

TEST(RunDaemon, RefreshesRetriesAndRecovers) {
  core::FakeClock clock(kT0);
  ScriptedTokenSource source;
  RecordingOutput out;
  auto plan = PlanRegistries({.region = "us-west-2"});
  ASSERT_TRUE(plan.ok());
  std::vector<std::string> log;
  LogFn log_fn = [&](std::string_view l) { log.emplace_back(l); };
  Refresher refresher(&source, GroupByToken(*plan), {&out}, &clock, log_fn);
  core::SeededRandom random(9);
  RefreshSchedule schedule({.jitter_percent = 0}, &random);
  AgentState state(plan->size());

  source.PushToken("pw-1", kT0 + hours(12));                                          // t0: ok
  source.PushFailure(FailureCause::kNetwork, core::ErrorCode::kInternal, "refused");  // t0+6h
  source.PushFailure(FailureCause::kNetwork, core::ErrorCode::kInternal, "refused");
  source.PushToken("pw-2", kT0 + hours(18) + seconds(30));  // recovers
  FakeWaiter waiter(&clock, 4);
  const int refreshes = RunDaemon(refresher, schedule, state, clock, waiter, log_fn);
  EXPECT_EQ(refreshes, 4);
  ASSERT_EQ(waiter.deadlines.size(), 4u);
  EXPECT_EQ(waiter.deadlines[0], kT0 + hours(6));
  EXPECT_GE(waiter.deadlines[1] - waiter.deadlines[0], seconds(2));
  EXPECT_LE(waiter.deadlines[1] - waiter.deadlines[0], seconds(5));
  EXPECT_GE(waiter.deadlines[2] - waiter.deadlines[1], seconds(5));
  EXPECT_LE(waiter.deadlines[2] - waiter.deadlines[1], seconds(10));
  // After recovery: half of the new token's remaining life.
  const seconds left = (kT0 + hours(18) + seconds(30)) - waiter.deadlines[2];
  EXPECT_EQ(waiter.deadlines[3] - waiter.deadlines[2], left / 2);

  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(out.writes[1][0].password, "pw-2");
  AgentSnapshot s = state.Snapshot();
  EXPECT_EQ(s.successes, 2u);
  EXPECT_EQ(s.failed_refreshes, 2u);
  EXPECT_EQ(s.failures[FailureCause::kNetwork], 2u);
  EXPECT_EQ(s.next_refresh, waiter.deadlines[3]);
  EXPECT_FALSE(s.last_failure.has_value());

  bool logged_retry = false;
  for (const auto& l : log) {
    logged_retry = logged_retry ||
                   l.find("retry 1; the logins in place stay valid until 2024-05-02T00:00:00Z") !=
                       std::string::npos;
  }
  EXPECT_TRUE(logged_retry);
}

TEST(StopWaiter, DeadlineAndStop) {
  core::FakeClock clock(kT0);
  StopWaiter waiter(clock);
  EXPECT_TRUE(waiter.WaitUntil(kT0));  // already due
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    waiter.RequestStop();
  });
  EXPECT_FALSE(waiter.WaitUntil(kT0 + hours(1)));
  stopper.join();
  EXPECT_TRUE(waiter.stop_requested());
  EXPECT_FALSE(waiter.WaitUntil(kT0 + hours(1)));
}

}  // namespace
}  // namespace cpa::agent
