// The settings read again before every refresh: planned once while they stay the same (the
// token source, and its sessions, kept), planned again when the config or REGION changes, and a
// failed load or plan that fails the refresh with its cause, writes nothing and keeps the
// logins in place; the counts reach the agent's state.
#include "agent/reloading_refresher.h"

#include <gtest/gtest.h>

#include <deque>

#include "agent/agent_state.h"
#include "fakes.h"

namespace cpa::agent {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::RecordingOutput;
using testing::ScriptedTokenSource;

const core::TimePoint kT0{seconds(1714564800)};
constexpr char kConfig[] = "[default]\nregion = us-west-2\naws_access_key_id = AKIA\n";

struct Fixture {
  LoadedSettings next;  // what the loader answers
  int loads = 0;
  std::vector<std::string> planned;           // the region of each plan
  std::vector<ScriptedTokenSource*> sources;  // owned by the refresher
  // Tokens for the next source planned (all of them go to it).
  std::deque<std::pair<std::string, core::TimePoint>> tokens = {{"pw-1", kT0 + hours(12)}};
  RecordingOutput out;
  core::FakeClock clock{kT0};
  std::vector<std::string> log;

  Fixture() { SetConfig(kConfig); }
  void SetConfig(std::string text, std::string region = "") {
    auto s = SettingsFromSecretData({{"config", std::move(text)}, {"REGION", std::move(region)}},
                                    "Secret eksa-packages/aws-secret");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    next.settings = std::move(s);
  }
  ReloadingRefresher Make() {
    return ReloadingRefresher(
        [this] {
          ++loads;
          return next;
        },
        [this](const AwsSettings& settings) -> core::Result<RefreshPlan> {
          CPA_ASSIGN_OR_RETURN(RegionChoice region,
                               ChooseRegion(settings, "default", "", profile::Environment()));
          planned.push_back(region.region);
          RegistryPlanOptions options;
          options.region = region.region;
          CPA_ASSIGN_OR_RETURN(auto registries, PlanRegistries(options));
          RefreshPlan plan;
          plan.groups = GroupByToken(registries);
          auto source = std::make_unique<ScriptedTokenSource>();
          for (const auto& [password, expires_at] : tokens) {
            source->PushToken(password, expires_at);
          }
          tokens.clear();
          sources.push_back(source.get());
          plan.source = std::move(source);
          return plan;
        },
        {&out}, &clock, [this](std::string_view line) { log.emplace_back(line); });
  }
  std::string Log() const {
    std::string all;
    for (const auto& l : log) all += l + "\n";
    return all;
  }
};

TEST(ReloadingRefresher, PlansOnceWhileTheSettingsStayTheSame) {
  Fixture f;
  f.tokens.push_back({"pw-2", kT0 + hours(18)});
  ReloadingRefresher r = f.Make();
  ASSERT_TRUE(r.Refresh().ok());
  f.clock.Advance(hours(6));
  RefreshReport second = r.Refresh();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(f.loads, 2);
  EXPECT_EQ(f.planned, (std::vector<std::string>{"us-west-2"}));
  ASSERT_EQ(f.sources.size(), 1u);  // the same source: its cached sessions are kept
  ASSERT_EQ(f.out.writes.size(), 2u);
  EXPECT_EQ(f.out.writes[1][0].password, "pw-2");
  EXPECT_EQ(second.valid_until, kT0 + hours(18));
  EXPECT_EQ(f.Log().find("changed"), std::string::npos);
}

TEST(ReloadingRefresher, AChangedSecretIsPlannedAgainWithoutRestart) {
  Fixture f;
  ReloadingRefresher r = f.Make();
  ASSERT_TRUE(r.Refresh().ok());
  EXPECT_EQ(f.out.writes[0][0].server, "346438352937.dkr.ecr.us-west-2.amazonaws.com");

  // Another region in the config: another registry, from a new token source.
  f.tokens = {{"pw-2", kT0 + hours(12)}};
  f.SetConfig("[default]\nregion = eu-west-1\naws_access_key_id = AKIA\n");
  RefreshReport report = r.Refresh();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(f.planned, (std::vector<std::string>{"us-west-2", "eu-west-1"}));
  ASSERT_EQ(f.sources.size(), 2u);
  ASSERT_EQ(f.out.writes.size(), 2u);
  ASSERT_EQ(f.out.writes[1].size(), 1u);  // the old region's registry is no longer served
  EXPECT_EQ(f.out.writes[1][0].server, "090204409458.dkr.ecr.eu-west-1.amazonaws.com");
  EXPECT_NE(f.Log().find("the AWS settings in Secret eksa-packages/aws-secret changed"),
            std::string::npos);

  // REGION alone counts too (here it does not change the region: the profile's wins).
  f.tokens = {{"pw-3", kT0 + hours(12)}};
  f.SetConfig("[default]\nregion = eu-west-1\naws_access_key_id = AKIA\n", "us-east-1");
  ASSERT_TRUE(r.Refresh().ok());
  EXPECT_EQ(f.planned.size(), 3u);
}

TEST(ReloadingRefresher, AFailedLoadWritesNothingAndKeepsTheLoginsInPlace) {
  Fixture f;
  ReloadingRefresher r = f.Make();
  // Before any success: nothing in place.
  f.next.settings = core::Status(core::ErrorCode::kAccessDenied,
                                 "get secret eksa-packages/aws-secret: Forbidden (HTTP 403)");
  f.next.cause = FailureCause::kAccessDenied;
  RefreshReport first = r.Refresh();
  ASSERT_EQ(first.failures.size(), 1u);
  EXPECT_EQ(first.failures[0].cause, FailureCause::kAccessDenied);
  EXPECT_EQ(first.registries, 0u);
  EXPECT_FALSE(first.valid_until.has_value());
  EXPECT_TRUE(f.out.writes.empty());
  EXPECT_NE(f.Log().find("refresh failed [access_denied]: get secret eksa-packages/aws-secret: "
                         "Forbidden (HTTP 403); nothing is written"),
            std::string::npos);

  f.SetConfig(kConfig);
  ASSERT_TRUE(r.Refresh().ok());
  ASSERT_EQ(f.out.writes.size(), 1u);

  // A malformed config later: the refresh fails [config], the logins in place stay valid.
  auto bad = SettingsFromSecretData({{"config", "[default\nregion = us-west-2\n"}},
                                    "Secret eksa-packages/aws-secret");
  ASSERT_FALSE(bad.ok());
  f.next.settings = bad.status();
  f.next.cause = FailureCause::kConfig;
  RefreshReport report = r.Refresh();
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].cause, FailureCause::kConfig);
  EXPECT_NE(report.failures[0].message.find("Secret eksa-packages/aws-secret key `config` line 1"),
            std::string::npos)
      << report.failures[0].message;
  EXPECT_EQ(report.registries, 1u);
  EXPECT_EQ(report.valid_until, kT0 + hours(12));
  EXPECT_EQ(f.out.writes.size(), 1u);
  EXPECT_EQ(f.planned.size(), 1u);
  EXPECT_NE(f.Log().find("; the logins in place are kept"), std::string::npos);
}

TEST(ReloadingRefresher, APlanThatFailsIsAConfigFailureAndIsRetried) {
  Fixture f;
  f.SetConfig("[default]\naws_access_key_id = AKIA\n");  // no region anywhere
  ReloadingRefresher r = f.Make();
  RefreshReport report = r.Refresh();
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].cause, FailureCause::kConfig);
  EXPECT_NE(report.failures[0].message.find("no region"), std::string::npos);
  EXPECT_TRUE(f.out.writes.empty());
  // Fixed in the Secret: the next refresh plans and writes.
  f.SetConfig(kConfig);
  EXPECT_TRUE(r.Refresh().ok());
  EXPECT_EQ(f.out.writes.size(), 1u);
}

TEST(ReloadingRefresher, FeedsTheAgentsState) {
  Fixture f;
  ReloadingRefresher r = f.Make();
  AgentState state(0);
  state.Record(r.Refresh(), f.clock.Now());
  f.next.settings = core::Status(core::ErrorCode::kInternal, "connection refused");
  f.next.cause = FailureCause::kNetwork;
  state.Record(r.Refresh(), f.clock.Now());
  AgentSnapshot s = state.Snapshot();
  EXPECT_EQ(s.registries, 1u);  // from the plan, and kept by the failed load
  EXPECT_EQ(s.successes, 1u);
  EXPECT_EQ(s.failures[FailureCause::kNetwork], 1u);
  EXPECT_TRUE(CredentialsValid(s, f.clock.Now()));
  EXPECT_NE(RenderMetrics(s, f.clock.Now()).find("cpa_agent_registries 1"), std::string::npos);
}

}  // namespace
}  // namespace cpa::agent
