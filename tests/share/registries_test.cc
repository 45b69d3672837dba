// The region table (core/packages_registries.h) as the CLI shows it, registry host parsing, and
// the choice of the packages account (spec step 1).
#include "share/registries.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/arn.h"
#include "core/packages_registries.h"

namespace cpa::share {
namespace {

TEST(RegistryTable, AllThirtyTwoRegionsSortedWithTwelveDigitAccounts) {
  auto rows = RegistryTable();
  ASSERT_EQ(rows.size(), 32u);
  std::set<std::string> regions;
  std::set<std::string> accounts;
  int code_only = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (i > 0) {
      EXPECT_LT(rows[i - 1].region, r.region);
    }
    EXPECT_TRUE(core::IsAccountId(r.account_id)) << r.region;
    EXPECT_EQ(r.host, r.account_id + ".dkr.ecr." + r.region + ".amazonaws.com");
    regions.insert(r.region);
    accounts.insert(r.account_id);
    if (!r.in_docs_table) ++code_only;
  }
  EXPECT_EQ(regions.size(), 32u);
  EXPECT_EQ(accounts.size(), 32u);
  EXPECT_EQ(code_only, 3);
  EXPECT_EQ(RegistryForRegion("ca-central-1")->account_id, "064352486547");
  EXPECT_EQ(RegistryForRegion("eu-west-1")->account_id, "090204409458");
  EXPECT_EQ(RegistryForRegion("us-west-2")->account_id, "346438352937");
  EXPECT_FALSE(RegistryForRegion("mx-central-1")->in_docs_table);
  EXPECT_EQ(core::RegionOfPackagesAccount("346438352937"), "us-west-2");
}

TEST(RegistryTable, UnknownRegionIsNotFoundAndSaysWhereToLook) {
  auto row = RegistryForRegion("us-gov-west-1");
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), core::ErrorCode::kNotFound);
  EXPECT_NE(row.status().message().find("cpa registries"), std::string::npos);
}

TEST(RegistryTable, Renderings) {
  const std::string text = RenderRegistryTableText();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 33);
  EXPECT_EQ(text.find("REGION"), 0u);
  EXPECT_NE(text.find("ap-northeast-3  376465423944  376465423944.dkr.ecr.ap-northeast-3."
                      "amazonaws.com  (not in the docs table)"),
            std::string::npos);
  auto json = nlohmann::json::parse(RenderRegistryTableJson());
  ASSERT_EQ(json["Registries"].size(), 32u);
  EXPECT_EQ(json["Registries"][0]["Region"], "af-south-1");
  EXPECT_EQ(RenderRegistryText(*RegistryForRegion("us-west-2")),
            "346438352937\t346438352937.dkr.ecr.us-west-2.amazonaws.com\n");
  auto one = nlohmann::json::parse(RenderRegistryJson(*RegistryForRegion("eu-west-1")));
  EXPECT_EQ(one["AccountId"], "090204409458");
  EXPECT_EQ(one["InDocsTable"], true);
}

TEST(ParseRegistryHost, AcceptsHostsUrlsAndOtherDomains) {
  auto a = ParseRegistryHost("346438352937.dkr.ecr.us-west-2.amazonaws.com");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->account_id, "346438352937");
  EXPECT_EQ(a->region, "us-west-2");
  EXPECT_EQ(a->host, "346438352937.dkr.ecr.us-west-2.amazonaws.com");
  auto b = ParseRegistryHost("https://064352486547.dkr.ecr.ca-central-1.amazonaws.com/v2/x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->account_id, "064352486547");
  EXPECT_EQ(b->host, "064352486547.dkr.ecr.ca-central-1.amazonaws.com");
  auto c = ParseRegistryHost("346438352937.dkr.ecr.us-west-2.localhost:8443");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "346438352937.dkr.ecr.us-west-2.localhost");
  for (const char* bad : {"", "public.ecr.aws/eks-anywhere", "34643835293.dkr.ecr.us-west-2.x",
                          "346438352937.dkr.ecr.us-west-2", "346438352937.ecr.dkr.us-west-2.x",
                          "346438352937.dkr.ecr..amazonaws.com", "346438352937.dkr.ecr.r.a..b"}) {
    auto r = ParseRegistryHost(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), core::ErrorCode::kInvalidArgument);
    }
  }
}

TEST(ChoosePackagesAccount, SubscriptionWins) {
  auto r = ChoosePackagesAccount("us-west-2",
                                 {"sub-1", "346438352937.dkr.ecr.us-west-2.amazonaws.com", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source, AccountSource::kSubscription);
  EXPECT_EQ(r->account_id, "346438352937");
  EXPECT_NE(r->explanation.find("sub-1"), std::string::npos);
  EXPECT_TRUE(r->warnings.empty());
}

TEST(ChoosePackagesAccount, SubscriptionAccountDifferingFromTheTableIsUsedWithAWarning) {
  auto r = ChoosePackagesAccount("us-west-2",
                                 {"sub-1", "783794618700.dkr.ecr.us-west-2.amazonaws.com", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->account_id, "783794618700");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("346438352937"), std::string::npos);
}

TEST(ChoosePackagesAccount, SubscriptionInAnotherRegionIsAnError) {
  auto r = ChoosePackagesAccount("us-east-1",
                                 {"sub-1", "346438352937.dkr.ecr.us-west-2.amazonaws.com", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("us-west-2"), std::string::npos);
}

TEST(ChoosePackagesAccount, TableWhenNoRegistrySayingWhy) {
  auto r = ChoosePackagesAccount("eu-west-1", {"", "", "no active subscription"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source, AccountSource::kTable);
  EXPECT_EQ(r->account_id, "090204409458");
  EXPECT_EQ(r->reason, "no active subscription");
  auto s = ChoosePackagesAccount("eu-west-1", {"sub-2", "", ""});
  ASSERT_TRUE(s.ok());
  EXPECT_NE(s->reason.find("sub-2 has no packageRegistry"), std::string::npos);
  auto none = ChoosePackagesAccount("xx-east-9", {"", "", "no subscription"});
  EXPECT_EQ(none.status().code(), core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cpa::share
