#include "core/clock.h"

#include <gtest/gtest.h>

namespace cpa::core {
namespace {

using std::chrono::seconds;

TEST(Clock, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(TimePoint(seconds(1440938160)));
  EXPECT_EQ(FormatAmzDate(clock.Now()), "20150830T123600Z");
  clock.Advance(seconds(3600));
  EXPECT_EQ(FormatIso8601(clock.Now()), "2015-08-30T13:36:00Z");
  EXPECT_EQ(FormatScopeDate(clock.Now()), "20150830");
}

TEST(Clock, SystemClockIsRecent) {
  EXPECT_GT(DefaultClock().Now().time_since_epoch().count(), 1700000000);
}

TEST(AmzDate, ParseRoundTrip) {
  auto t = ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->time_since_epoch().count(), 1440938160);
  EXPECT_EQ(FormatAmzDate(*t), "20150830T123600Z");
  for (const char* bad : {"", "20150830T123600", "2015-08-30T12:36:00Z", "20151330T123600Z",
                          "20150230T123600Z", "20150830T250000Z", "2015083XT123600Z"}) {
    EXPECT_FALSE(ParseAmzDate(bad).ok()) << bad;
  }
}

TEST(Iso8601, ParseVariants) {
  EXPECT_EQ(ParseIso8601("2015-08-30T12:36:00Z")->time_since_epoch().count(), 1440938160);
  EXPECT_EQ(ParseIso8601("2015-08-30T12:36:00.123Z")->time_since_epoch().count(), 1440938160);
  EXPECT_EQ(ParseIso8601("2015-08-30T14:36:00+02:00")->time_since_epoch().count(), 1440938160);
  EXPECT_EQ(ParseIso8601("2015-08-30T10:36:00-02:00")->time_since_epoch().count(), 1440938160);
  EXPECT_EQ(ParseIso8601("2024-02-29T00:00:00Z")->time_since_epoch().count(), 1709164800);
  for (const char* bad :
       {"2015-08-30", "2015-08-30T12:36:00", "2023-02-29T00:00:00Z", "2015-08-30T12:36:00.Z",
        "2015-08-30 12:36:00Z", "2015-08-30T12:36:00Zjunk"}) {
    EXPECT_FALSE(ParseIso8601(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace cpa::core
