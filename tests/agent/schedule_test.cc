// Refresh timing: half of the remaining life minus up to 10 % jitter, a floor, and capped
// exponential backoff with equal jitter after failures; deterministic with seeded randomness.
#include "agent/schedule.h"

#include <gtest/gtest.h>

#include "agent/go_duration.h"

namespace cpa::agent {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const core::TimePoint kT0{seconds(1714564800)};

TEST(RefreshSchedule, HalfTheRemainingLifeWithJitter) {
  core::SeededRandom random(1);
  RefreshSchedule s({}, &random);
  bool saw_jitter = false;
  for (int i = 0; i < 200; ++i) {
    const seconds delay = s.AfterSuccess(kT0, kT0 + hours(12)) - kT0;
    EXPECT_LE(delay, hours(6));
    EXPECT_GE(delay, hours(6) - minutes(36));  // 10 % of 6 h
    saw_jitter = saw_jitter || delay != hours(6);
  }
  EXPECT_TRUE(saw_jitter);
}

TEST(RefreshSchedule, FloorForNearlyExpiredLogins) {
  core::SeededRandom random(2);
  RefreshSchedule s({}, &random);
  EXPECT_EQ(s.AfterSuccess(kT0, kT0 + seconds(20)), kT0 + seconds(30));
  EXPECT_EQ(s.AfterSuccess(kT0, kT0 - hours(1)), kT0 + seconds(30));
}

TEST(RefreshSchedule, BackoffGrowsToItsCapAndResets) {
  core::SeededRandom random(3);
  RefreshSchedule s({}, &random);
  const std::vector<std::pair<seconds, seconds>> bounds = {
      {seconds(2), seconds(5)},     {seconds(5), seconds(10)},    {seconds(10), seconds(20)},
      {seconds(20), seconds(40)},   {seconds(40), seconds(80)},   {seconds(80), seconds(160)},
      {seconds(150), seconds(300)}, {seconds(150), seconds(300)}, {seconds(150), seconds(300)}};
  for (size_t i = 0; i < bounds.size(); ++i) {
    SCOPED_TRACE(i);
    const seconds delay = s.AfterFailure(kT0) - kT0;
    EXPECT_GE(delay, bounds[i].first);
    EXPECT_LE(delay, bounds[i].second);
    EXPECT_EQ(s.consecutive_failures(), static_cast<int>(i + 1));
  }
  s.AfterSuccess(kT0, kT0 + hours(12));
  EXPECT_EQ(s.consecutive_failures(), 0);
  EXPECT_LE(s.AfterFailure(kT0) - kT0, seconds(5));
}

TEST(RefreshSchedule, NoJitterPolicy) {
  core::SeededRandom random(4);
  RefreshSchedule s({.jitter_percent = 0}, &random);
  EXPECT_EQ(s.AfterSuccess(kT0, kT0 + hours(12)), kT0 + hours(6));
  EXPECT_EQ(s.AfterSuccess(kT0, kT0 + seconds(43201)), kT0 + seconds(21600));
}

TEST(GoDuration, Format) {
  EXPECT_EQ(FormatGoDuration(seconds(0)), "0s");
  EXPECT_EQ(FormatGoDuration(seconds(45)), "45s");
  EXPECT_EQ(FormatGoDuration(seconds(300)), "5m0s");
  EXPECT_EQ(FormatGoDuration(seconds(3600)), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(hours(6)), "6h0m0s");
  EXPECT_EQ(FormatGoDuration(seconds(21599)), "5h59m59s");
  EXPECT_EQ(FormatGoDuration(hours(30)), "30h0m0s");
  EXPECT_EQ(FormatGoDuration(seconds(-90)), "-1m30s");
}

}  // namespace
}  // namespace cpa::agent
