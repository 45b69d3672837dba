// One refresh over scripted tokens and recorded outputs: all registries written; a failed group
// keeps its logins in place (and they are written again beside the new ones); nothing is written
// when every group fails; an output failure leaves the logins in place unchanged; logs never
// carry a password.
#include "agent/refresher.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace cpa::agent {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::RecordingOutput;
using testing::ScriptedTokenSource;

const core::TimePoint kT0{seconds(1714564800)};

struct Fixture {
  ScriptedTokenSource source;
  RecordingOutput out;
  core::FakeClock clock{kT0};
  std::vector<std::string> log;
  std::vector<TokenGroup> groups;

  Fixture() {
    RegistryPlanOptions o;
    o.region = "us-west-2";
    o.registry_domain = "localhost";
    o.registries = {{"111111111111.dkr.ecr.us-west-2.localhost", std::nullopt},
                    {"222222222222.dkr.ecr.eu-west-1.localhost:5000", "other"}};
    auto plan = PlanRegistries(o);
    EXPECT_TRUE(plan.ok());
    groups = GroupByToken(*plan);
    EXPECT_EQ(groups.size(), 2u);
  }
  Refresher Make() {
    return Refresher(&source, groups, {&out}, &clock,
                     [this](std::string_view line) { log.emplace_back(line); });
  }
  std::string Log() const {
    std::string all;
    for (const auto& l : log) all += l + "\n";
    return all;
  }
};

TEST(Refresher, WritesEveryRegistry) {
  Fixture f;
  Refresher r = f.Make();
  f.source.PushToken("pw-a", kT0 + hours(12),
                     "https://999999999999.dkr.ecr.us-west-2.localhost:4566");
  f.source.PushToken("pw-b", kT0 + hours(11),
                     "https://999999999999.dkr.ecr.eu-west-1.localhost:4566");
  RefreshReport report = r.Refresh();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.registries, 3u);
  EXPECT_EQ(report.refreshed, 3u);
  EXPECT_EQ(report.valid_until, kT0 + hours(11));
  ASSERT_EQ(f.source.requests.size(), 2u);
  EXPECT_EQ(f.source.requests[0].profile, "default");
  EXPECT_EQ(f.source.requests[0].region, "us-west-2");
  EXPECT_EQ(f.source.requests[0].registry_ids,
            (std::vector<std::string>{"346438352937", "111111111111"}));
  EXPECT_EQ(f.source.requests[1].profile, "other");
  ASSERT_EQ(f.out.writes.size(), 1u);
  const auto& w = f.out.writes[0];
  ASSERT_EQ(w.size(), 3u);
  // The port of cpa serve's proxy endpoint, unless the registry named its own.
  EXPECT_EQ(w[0].server, "111111111111.dkr.ecr.us-west-2.localhost:4566");
  EXPECT_EQ(w[1].server, "222222222222.dkr.ecr.eu-west-1.localhost:5000");
  EXPECT_EQ(w[1].password, "pw-b");
  EXPECT_EQ(w[2].server, "346438352937.dkr.ecr.us-west-2.localhost:4566");
  EXPECT_EQ(w[2].password, "pw-a");
  EXPECT_NE(f.Log().find("token for profile `default` in us-west-2 valid until "
                         "2024-05-02T00:00:00Z (12h0m0s)"),
            std::string::npos)
      << f.Log();
  EXPECT_EQ(f.Log().find("pw-"), std::string::npos);
}

TEST(Refresher, AFailedGroupKeepsItsLoginsInPlace) {
  Fixture f;
  Refresher r = f.Make();
  f.source.PushToken("pw-a", kT0 + hours(12));
  f.source.PushToken("pw-b", kT0 + hours(12));
  ASSERT_TRUE(r.Refresh().ok());

  f.clock.Advance(hours(6));
  f.source.PushToken("pw-a2", kT0 + hours(18));
  f.source.PushFailure(FailureCause::kAccessDenied, core::ErrorCode::kAccessDenied,
                       "sts:AssumeRole: AccessDenied: not authorized");
  RefreshReport report = r.Refresh();
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].cause, FailureCause::kAccessDenied);
  EXPECT_EQ(report.failures[0].message,
            "profile `other` in eu-west-1: sts:AssumeRole: AccessDenied: not authorized");
  EXPECT_EQ(report.refreshed, 2u);
  EXPECT_EQ(report.valid_until, kT0 + hours(12));  // the kept login expires first
  ASSERT_EQ(f.out.writes.size(), 2u);
  const auto& w = f.out.writes[1];
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].password, "pw-a2");
  EXPECT_EQ(w[1].password, "pw-b");  // kept
  EXPECT_NE(f.Log().find("refresh failed [access_denied]: profile `other` in eu-west-1"),
            std::string::npos);
}

TEST(Refresher, NothingIsWrittenWhenEveryGroupFails) {
  Fixture f;
  Refresher r = f.Make();
  f.source.PushFailure(FailureCause::kNetwork, core::ErrorCode::kInternal, "refused");
  f.source.PushFailure(FailureCause::kNetwork, core::ErrorCode::kInternal, "refused");
  RefreshReport report = r.Refresh();
  EXPECT_EQ(report.failures.size(), 2u);
  EXPECT_FALSE(report.valid_until.has_value());
  EXPECT_TRUE(f.out.writes.empty());
}

TEST(Refresher, AnOutputFailureKeepsTheLoginsInPlace) {
  Fixture f;
  Refresher r = f.Make();
  f.source.PushToken("pw-a", kT0 + hours(12));
  f.source.PushToken("pw-b", kT0 + hours(12));
  ASSERT_TRUE(r.Refresh().ok());

  f.out.fail = "cannot write /d/config.json: No space left on device";
  f.source.PushToken("pw-a2", kT0 + hours(20));
  f.source.PushToken("pw-b2", kT0 + hours(20));
  RefreshReport report = r.Refresh();
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].cause, FailureCause::kOutput);
  EXPECT_EQ(report.failures[0].message, "cannot write /d/config.json: No space left on device");
  EXPECT_EQ(report.refreshed, 0u);
  EXPECT_EQ(report.valid_until, kT0 + hours(12));
}

TEST(Refresher, AnOutputStoredInPartReportsItsCausesAndMovesTheLoginsOn) {
  Fixture f;
  Refresher r = f.Make();
  f.out.fail = "Secret team-b/ecr-token: Forbidden";
  f.out.cause = FailureCause::kAccessDenied;
  f.out.partly = true;
  f.source.PushToken("pw-a", kT0 + hours(12));
  f.source.PushToken("pw-b", kT0 + hours(12));
  RefreshReport report = r.Refresh();
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].cause, FailureCause::kAccessDenied);
  // Stored where it could be: those logins are in place, the agent is healthy.
  EXPECT_EQ(report.refreshed, 3u);
  EXPECT_EQ(report.valid_until, kT0 + hours(12));
  EXPECT_NE(f.Log().find("refresh failed [access_denied]: Secret team-b/ecr-token: Forbidden"),
            std::string::npos);
  EXPECT_NE(f.Log().find("wrote 3 registry login(s) to recording output (not everywhere"),
            std::string::npos);
}

TEST(Refresher, ReplanKeepsTheLoginsOfRegistriesStillServed) {
  Fixture f;
  Refresher r = f.Make();
  f.source.PushToken("pw-a", kT0 + hours(12));
  f.source.PushToken("pw-b", kT0 + hours(12));
  ASSERT_TRUE(r.Refresh().ok());
  EXPECT_EQ(r.registries(), 3u);

  // Only the first group is served now, with another source that fails.
  ScriptedTokenSource other;
  other.PushFailure(FailureCause::kNetwork, core::ErrorCode::kInternal, "refused");
  r.Replan(&other, {f.groups[0]});
  EXPECT_EQ(r.registries(), f.groups[0].registries.size());
  EXPECT_EQ(r.ValidUntil(), kT0 + hours(12));
  RefreshReport report = r.Refresh();
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(other.requests.size(), 1u);
  EXPECT_EQ(f.source.requests.size(), 2u);  // the old source is no longer asked
  EXPECT_EQ(report.valid_until, kT0 + hours(12));

  // Back to both groups: the second has no login in place any more.
  r.Replan(&f.source, f.groups);
  EXPECT_FALSE(r.ValidUntil().has_value());
}

}  // namespace
}  // namespace cpa::agent
