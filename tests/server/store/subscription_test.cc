// SubscriptionRepository: creation and its idempotency token, status from the clock (expiry and
// auto-renewal), listing with filter and pages, updates, soft deletes, tags and the accounts an
// active subscription grants.
#include <gtest/gtest.h>

#include <set>

#include "server/store/store.h"
#include "store_fixture.h"

namespace cpa::server::store {
namespace {

using core::ErrorCode;
using std::chrono::hours;
using std::chrono::seconds;

constexpr const char* kA = "111111111111";
constexpr const char* kB = "222222222222";
constexpr const char* kRegion = "us-west-2";

core::TimePoint Utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  using namespace std::chrono;  // NOLINT(google-build-using-namespace)
  return core::TimePoint(sys_days(year{y} / month{m} / day{d}) + hours(hh) + minutes(mm) +
                         seconds(ss));
}

class SubscriptionTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    AddAccounts();
  }

  NewSubscription New(const std::string& name, const std::string& account = kA) {
    NewSubscription n;
    n.account_id = account;
    n.region = kRegion;
    n.name = name;
    return n;
  }

  Subscription Create(const NewSubscription& n) {
    auto c = store_->subscriptions().Create(n);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return {};
    EXPECT_FALSE(c->replayed);
    return c->subscription;
  }

  std::vector<std::string> Active(const std::string& region = kRegion) {
    auto a = store_->subscriptions().ActiveAccounts(region, clock_.Now());
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : std::vector<std::string>{};
  }

  SubscriptionRepository& subs() { return store_->subscriptions(); }

  static ListSubscriptionsRequest Req(std::vector<std::string> status = {}, std::string token = "",
                                      int max = kDefaultListSubscriptions) {
    ListSubscriptionsRequest r;
    r.account_id = kA;
    r.region = kRegion;
    r.include_status = std::move(status);
    r.next_token = std::move(token);
    r.max_results = max;
    return r;
  }
};

TEST(AddMonthsTest, CalendarMonthsWithClampedDays) {
  EXPECT_EQ(AddMonths(Utc(2024, 5, 1, 12, 0, 0), 12), Utc(2025, 5, 1, 12, 0, 0));
  EXPECT_EQ(AddMonths(Utc(2024, 5, 1, 12, 0, 0), 36), Utc(2027, 5, 1, 12, 0, 0));
  EXPECT_EQ(AddMonths(Utc(2024, 2, 29, 23, 59, 59), 12), Utc(2025, 2, 28, 23, 59, 59));
  EXPECT_EQ(AddMonths(Utc(2024, 2, 29), 48), Utc(2028, 2, 29));
  EXPECT_EQ(AddMonths(Utc(2023, 1, 31), 1), Utc(2023, 2, 28));
  EXPECT_EQ(AddMonths(Utc(2023, 12, 15), 1), Utc(2024, 1, 15));
}

TEST_F(SubscriptionTest, CreateFillsEveryField) {
  NewSubscription n = New("my-subscription");
  n.term.duration = 36;
  n.license_quantity = 3;
  n.auto_renew = true;
  n.tags = {{"environment", "prod"}};
  Subscription s = Create(n);
  EXPECT_EQ(s.id.size(), 36u);
  EXPECT_EQ(s.arn, "arn:aws:eks:us-west-2:111111111111:eks-anywhere-subscription/" + s.id);
  EXPECT_EQ(s.name, "my-subscription");
  EXPECT_EQ(s.term.duration, 36);
  EXPECT_EQ(s.term.unit, "MONTHS");
  EXPECT_EQ(s.license_quantity, 3);
  EXPECT_EQ(s.license_type, "CLUSTER");
  EXPECT_TRUE(s.auto_renew);
  EXPECT_EQ(s.created_at, clock_.Now());
  EXPECT_EQ(s.effective_date, clock_.Now());
  EXPECT_EQ(s.expiration_date, Utc(2027, 5, 1, 12));
  EXPECT_EQ(s.status, "ACTIVE");
  EXPECT_EQ(s.tags, (std::map<std::string, std::string>{{"environment", "prod"}}));
  ASSERT_EQ(s.licenses.size(), 3u);
  std::set<std::string> ids;
  for (const auto& l : s.licenses) {
    EXPECT_EQ(l.id.size(), 34u);
    EXPECT_EQ(l.id.rfind("l-", 0), 0u);
    EXPECT_FALSE(l.token.empty());
    ids.insert(l.id);
  }
  EXPECT_EQ(ids.size(), 3u);
  ASSERT_EQ(s.LicenseArns().size(), 3u);
  EXPECT_EQ(s.LicenseArns()[0],
            "arn:aws:license-manager::111111111111:license:" + s.licenses[0].id);

  // It survives a restart unchanged.
  Reopen();
  auto g = subs().Get(kA, kRegion, s.id);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->name, s.name);
  EXPECT_EQ(g->expiration_date, s.expiration_date);
  EXPECT_EQ(g->tags, s.tags);
  ASSERT_EQ(g->licenses.size(), 3u);
  EXPECT_EQ(g->licenses[2].token, s.licenses[2].token);
}

TEST_F(SubscriptionTest, GetIsScopedToAccountAndRegion) {
  Subscription s = Create(New("one"));
  EXPECT_TRUE(subs().Get(kA, kRegion, s.id).ok());
  EXPECT_EQ(subs().Get(kB, kRegion, s.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(subs().Get(kA, "us-east-1", s.id).status().code(), ErrorCode::kNotFound);
  auto missing = subs().Get(kA, kRegion, "e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "No subscription found with id: e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964");
}

TEST_F(SubscriptionTest, InvalidInputIsRejectedWithoutWriting) {
  struct Case {
    const char* what;
    std::function<void(NewSubscription&)> change;
  };
  std::vector<Case> cases = {
      {"empty name", [](NewSubscription& n) { n.name = ""; }},
      {"long name", [](NewSubscription& n) { n.name = std::string(101, 'a'); }},
      {"leading hyphen", [](NewSubscription& n) { n.name = "-a"; }},
      {"space", [](NewSubscription& n) { n.name = "a b"; }},
      {"dot", [](NewSubscription& n) { n.name = "a.b"; }},
      {"duration 24", [](NewSubscription& n) { n.term.duration = 24; }},
      {"unit YEARS", [](NewSubscription& n) { n.term.unit = "YEARS"; }},
      {"quantity 0", [](NewSubscription& n) { n.license_quantity = 0; }},
      {"quantity 101", [](NewSubscription& n) { n.license_quantity = 101; }},
      {"license type", [](NewSubscription& n) { n.license_type = "NODE"; }},
      {"empty token", [](NewSubscription& n) { n.client_request_token = ""; }},
      {"account", [](NewSubscription& n) { n.account_id = "12"; }},
  };
  for (const auto& c : cases) {
    NewSubscription n = New("valid");
    c.change(n);
    auto r = subs().Create(n);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << c.what;
  }
  NewSubscription unknown = New("x", "333333333333");
  EXPECT_EQ(subs().Create(unknown).status().code(), ErrorCode::kNotFound);
  // Names may start with a digit and hold hyphens and underscores; 100 characters is fine.
  Create(New("0-a_B"));
  Create(New(std::string(100, 'z')));
  auto page = subs().List(Req());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
}

TEST_F(SubscriptionTest, NamesAreUniqueAmongLiveSubscriptionsOfAnAccountAndRegion) {
  Subscription s = Create(New("shared"));
  auto dup = subs().Create(New("shared"));
  EXPECT_EQ(dup.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(dup.status().message(), "A subscription with name shared already exists.");
  Create(New("shared", kB));  // another account
  NewSubscription east = New("shared");
  east.region = "us-east-1";
  Create(east);  // another region
  // Once deleted (after it expired), the name is free again.
  clock_.Advance(hours(24 * 366));
  ASSERT_TRUE(subs().Delete(kA, kRegion, s.id).ok());
  Subscription again = Create(New("shared"));
  EXPECT_NE(again.id, s.id);
}

TEST_F(SubscriptionTest, TokenReplaysTheSameSubscriptionAndRejectsOtherParameters) {
  NewSubscription n = New("tokened");
  n.client_request_token = "token-1";
  n.tags = {{"k", "v"}};
  Subscription first = Create(n);

  clock_.Advance(seconds(30));
  auto replay = subs().Create(n);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->subscription.id, first.id);
  EXPECT_EQ(replay->subscription.created_at, first.created_at);
  EXPECT_EQ(replay->subscription.licenses.size(), first.licenses.size());

  NewSubscription other = n;
  other.license_quantity = 2;
  auto mismatch = subs().Create(other);
  EXPECT_EQ(mismatch.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(mismatch.status().message(),
            "The client request token token-1 was already used with different parameters.");
  other = n;
  other.tags = {{"k", "w"}};
  EXPECT_EQ(subs().Create(other).status().code(), ErrorCode::kInvalidArgument);
  other = n;
  other.name = "renamed";
  EXPECT_EQ(subs().Create(other).status().code(), ErrorCode::kInvalidArgument);

  // Tokens are per account and region.
  NewSubscription b = n;
  b.account_id = kB;
  auto in_b = subs().Create(b);
  ASSERT_TRUE(in_b.ok());
  EXPECT_FALSE(in_b->replayed);
  EXPECT_NE(in_b->subscription.id, first.id);

  auto page = subs().List(Req());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 1u);
}

TEST_F(SubscriptionTest, StatusFollowsTheClock) {
  Subscription s = Create(New("yearly"));
  EXPECT_EQ(s.expiration_date, Utc(2025, 5, 1, 12));
  clock_.Set(Utc(2025, 5, 1, 11, 59, 59));
  EXPECT_EQ(subs().Get(kA, kRegion, s.id)->status, "ACTIVE");
  EXPECT_EQ(Active(), std::vector<std::string>{kA});
  clock_.Set(Utc(2025, 5, 1, 12));
  auto g = subs().Get(kA, kRegion, s.id);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->status, "EXPIRED");
  EXPECT_EQ(g->expiration_date, Utc(2025, 5, 1, 12));
  EXPECT_TRUE(Active().empty());
}

TEST_F(SubscriptionTest, AutoRenewalMovesTheExpirationByWholeTerms) {
  NewSubscription n = New("renewing");
  n.auto_renew = true;
  Subscription s = Create(n);
  clock_.Set(Utc(2026, 6, 1));  // two renewals later
  auto g = subs().Get(kA, kRegion, s.id);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->status, "ACTIVE");
  EXPECT_EQ(g->expiration_date, Utc(2027, 5, 1, 12));
  EXPECT_EQ(g->effective_date, s.effective_date);
  EXPECT_EQ(Active(), std::vector<std::string>{kA});

  // Turning renewal off keeps the term in progress, which then runs out.
  auto u = subs().UpdateAutoRenew(kA, kRegion, s.id, false);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_FALSE(u->auto_renew);
  EXPECT_EQ(u->expiration_date, Utc(2027, 5, 1, 12));
  EXPECT_EQ(u->status, "ACTIVE");
  clock_.Set(Utc(2027, 5, 1, 12));
  g = subs().Get(kA, kRegion, s.id);
  EXPECT_EQ(g->status, "EXPIRED");
  EXPECT_EQ(g->expiration_date, Utc(2027, 5, 1, 12));
  EXPECT_TRUE(Active().empty());
}

TEST_F(SubscriptionTest, TurningRenewalOnLaterRenewsFromTheRecordedTerm) {
  Subscription s = Create(New("late"));
  clock_.Set(Utc(2025, 1, 1));
  auto u = subs().UpdateAutoRenew(kA, kRegion, s.id, true);
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->auto_renew);
  EXPECT_EQ(u->expiration_date, Utc(2025, 5, 1, 12));
  clock_.Set(Utc(2025, 5, 2));
  EXPECT_EQ(subs().Get(kA, kRegion, s.id)->expiration_date, Utc(2026, 5, 1, 12));
  EXPECT_EQ(subs().Get(kA, kRegion, s.id)->status, "ACTIVE");
  EXPECT_EQ(subs().UpdateAutoRenew(kB, kRegion, s.id, true).status().code(), ErrorCode::kNotFound);
}

TEST_F(SubscriptionTest, ListFiltersByStatusAndPagesWithAnOpaqueToken) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    NewSubscription n = New("s" + std::to_string(i));
    n.term.duration = i < 3 ? 12 : 36;
    ids.push_back(Create(n).id);
    clock_.Advance(seconds(i % 2));  // some share a creation second: id breaks the tie
  }
  Create(New("other-account", kB));
  clock_.Set(Utc(2025, 6, 1));  // the 12-month ones have expired

  auto all = subs().List(Req());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 7u);
  EXPECT_TRUE(all->next_token.empty());
  std::vector<std::string> order;
  for (const auto& s : all->items) order.push_back(s.id);

  std::vector<std::string> paged;
  std::string token;
  int pages = 0;
  do {
    auto p = subs().List(Req({}, token, 2));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_LE(p->items.size(), 2u);
    for (const auto& s : p->items) paged.push_back(s.id);
    token = p->next_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(paged, order);
  EXPECT_EQ(pages, 4);

  auto expired = subs().List(Req({"EXPIRED"}, "", 2));
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->items.size(), 2u);
  EXPECT_FALSE(expired->next_token.empty());
  auto rest = subs().List(Req({"EXPIRED"}, expired->next_token, 2));
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_TRUE(rest->next_token.empty());
  for (const auto& s : rest->items) EXPECT_EQ(s.status, "EXPIRED");

  auto active = subs().List(Req({"ACTIVE", "CREATING"}));
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->items.size(), 4u);
  auto none = subs().List(Req({"DELETING"}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());

  EXPECT_EQ(subs().List(Req({}, "", 0)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(subs().List(Req({}, "", 101)).status().code(), ErrorCode::kInvalidArgument);
  auto bad = subs().List(Req({}, "bogus"));
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "The nextToken is invalid.");
}

TEST_F(SubscriptionTest, AtMostTenLiveSubscriptionsPerAccountAndRegion) {
  std::vector<Subscription> made;
  for (int i = 0; i < kMaxSubscriptionsPerRegion; ++i) {
    made.push_back(Create(New("n" + std::to_string(i))));
  }
  auto over = subs().Create(New("one-too-many"));
  EXPECT_EQ(over.status().code(), ErrorCode::kLimitExceeded);
  NewSubscription east = New("elsewhere");
  east.region = "us-east-1";
  Create(east);
  clock_.Advance(hours(24 * 400));
  ASSERT_TRUE(subs().Delete(kA, kRegion, made[0].id).ok());
  Create(New("one-too-many"));
}

TEST_F(SubscriptionTest, DeleteIsSoftAndReleasesNameAndToken) {
  NewSubscription n = New("gone");
  n.client_request_token = "tok";
  Subscription s = Create(n);
  clock_.Advance(hours(24 * 366));
  auto d = subs().Delete(kA, kRegion, s.id);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, s.id);
  EXPECT_EQ(d->status, "EXPIRED");
  EXPECT_EQ(subs().Get(kA, kRegion, s.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(subs().Delete(kA, kRegion, s.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(subs().UpdateAutoRenew(kA, kRegion, s.id, true).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(subs().Tag(kA, kRegion, s.id, {{"a", "b"}}).status().code(), ErrorCode::kNotFound);
  auto page = subs().List(Req());
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  // The same token now creates a new subscription.
  auto again = subs().Create(n);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->replayed);
  EXPECT_NE(again->subscription.id, s.id);
}

TEST_F(SubscriptionTest, TagsMergeAndRemove) {
  NewSubscription n = New("tagged");
  n.tags = {{"a", "1"}, {"b", "2"}};
  Subscription s = Create(n);
  auto t = subs().Tag(kA, kRegion, s.id, {{"b", "20"}, {"c", "3"}});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->tags, (std::map<std::string, std::string>{{"a", "1"}, {"b", "20"}, {"c", "3"}}));
  auto u = subs().Untag(kA, kRegion, s.id, {"a", "missing"});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->tags, (std::map<std::string, std::string>{{"b", "20"}, {"c", "3"}}));
  EXPECT_EQ(subs().Get(kA, kRegion, s.id)->tags, u->tags);

  std::map<std::string, std::string> many;
  for (int i = 0; i < 49; ++i) many["k" + std::to_string(i)] = "v";
  auto over = subs().Tag(kA, kRegion, s.id, many);
  EXPECT_EQ(over.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(subs().Get(kA, kRegion, s.id)->tags.size(), 2u);  // nothing written
  many.erase("k0");
  EXPECT_TRUE(subs().Tag(kA, kRegion, s.id, many).ok());
  EXPECT_EQ(subs().Get(kA, kRegion, s.id)->tags.size(), 50u);
}

TEST_F(SubscriptionTest, ActiveAccountsPerRegion) {
  EXPECT_TRUE(Active().empty());
  Subscription a = Create(New("a"));
  Create(New("a2"));  // a second one of the same account counts once
  clock_.Advance(hours(24 * 200));
  Create(New("b", kB));
  NewSubscription east = New("east");
  east.region = "us-east-1";
  Create(east);
  EXPECT_EQ(Active(), (std::vector<std::string>{kA, kB}));
  EXPECT_EQ(Active("us-east-1"), std::vector<std::string>{kA});
  EXPECT_TRUE(Active("eu-west-1").empty());
  // A's us-west-2 subscriptions expire a year after creation; B's is still running.
  clock_.Advance(hours(24 * 170));
  EXPECT_EQ(Active(), std::vector<std::string>{kB});
  // A past `now` sees what was active then.
  auto then = subs().ActiveAccounts(kRegion, a.created_at);
  ASSERT_TRUE(then.ok());
  EXPECT_EQ(*then, std::vector<std::string>{kA});
}

TEST_F(SubscriptionTest, WritesBumpTheGeneration) {
  uint64_t g0 = store_->generation();
  Subscription s = Create(New("gen"));
  uint64_t g1 = store_->generation();
  EXPECT_GT(g1, g0);
  ASSERT_TRUE(subs().UpdateAutoRenew(kA, kRegion, s.id, true).ok());
  EXPECT_GT(store_->generation(), g1);
}

}  // namespace
}  // namespace cpa::server::store
