// SessionRepository::PurgeExpired: which sessions it deletes, and that the credential cache
// forgets them.
#include <gtest/gtest.h>

#include "server/store/store.h"
#include "store_fixture.h"

namespace cpa::server::store {
namespace {

using core::ErrorCode;
using std::chrono::seconds;

class PurgeTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    AddAccounts();
    NewRole r;
    r.account_id = "111111111111";
    r.name = "reader";
    r.trust_policy = testing::kTrustPolicy;
    auto role = store_->roles().Create(r);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    role_ = *role;
  }

  // A session of `reader` issued now for `duration`.
  Session Issue(const std::string& name, seconds duration) {
    NewSession ns = testing::Sess("111111111111", role_.arn, role_.role_id, role_.name, name);
    ns.duration = duration;
    auto s = store_->sessions().Create(ns);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return *s;
  }

  bool Known(const Session& s) { return store_->LookupCredential(s.access_key_id).ok(); }

  Role role_;
};

TEST_F(PurgeTest, DeletesOnlySessionsExpiredLongerThanTheGrace) {
  const seconds grace = std::chrono::hours(1);
  Session a = Issue("a", seconds(900));   // expires at start + 900
  Session b = Issue("b", seconds(3600));  // expires at start + 3600
  Session c = Issue("c", seconds(7200));  // expires at start + 7200

  // Nothing has expired yet.
  auto n = store_->sessions().PurgeExpired(grace);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);

  // a expired exactly `grace` ago: kept (the rule is "expired before now - grace").
  clock_.Advance(seconds(900) + grace);
  n = store_->sessions().PurgeExpired(grace);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(Known(a));
  EXPECT_TRUE((*store_->LookupCredential(a.access_key_id))->ExpiredAt(clock_.Now()));

  // One second later a goes; b expired but within the grace, c still valid.
  clock_.Advance(seconds(1));
  n = store_->sessions().PurgeExpired(grace);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(store_->LookupCredential(a.access_key_id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->sessions().Get(a.access_key_id).status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(Known(b));
  EXPECT_TRUE((*store_->LookupCredential(b.access_key_id))->ExpiredAt(clock_.Now()));
  ASSERT_TRUE(Known(c));
  EXPECT_FALSE((*store_->LookupCredential(c.access_key_id))->ExpiredAt(clock_.Now()));

  // Purging again finds nothing new.
  n = store_->sessions().PurgeExpired(grace);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);

  // Much later b and c go together.
  clock_.Advance(std::chrono::hours(5));
  n = store_->sessions().PurgeExpired(grace);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_FALSE(Known(b));
  EXPECT_FALSE(Known(c));
}

TEST_F(PurgeTest, ZeroGraceDeletesEverySessionPastItsExpiration) {
  Session a = Issue("a", seconds(900));
  clock_.Advance(seconds(900));  // now == expiration: expired, but not before now
  auto n = store_->sessions().PurgeExpired(seconds(0));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  clock_.Advance(seconds(1));
  n = store_->sessions().PurgeExpired(seconds(0));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(Known(a));
}

TEST_F(PurgeTest, CachedCredentialsAreForgotten) {
  Session a = Issue("a", seconds(900));
  // Warm the cache, then purge: the lookup must not answer from the cache.
  ASSERT_TRUE(Known(a));
  clock_.Advance(std::chrono::hours(3));
  auto n = store_->sessions().PurgeExpired(std::chrono::hours(1));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(Known(a));
}

TEST_F(PurgeTest, LongTermKeysAndOtherStateAreUntouched) {
  auto user = store_->users().Create({"222222222222", "alice", "/", ""});
  ASSERT_TRUE(user.ok());
  auto key = store_->access_keys().Create(testing::Key("222222222222", "alice"));
  ASSERT_TRUE(key.ok());
  Issue("a", seconds(900));
  clock_.Advance(std::chrono::hours(24 * 400));
  auto n = store_->sessions().PurgeExpired(std::chrono::hours(1));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_TRUE(store_->LookupCredential(key->access_key_id).ok());
  EXPECT_TRUE(store_->users().Get("222222222222", "alice").ok());
  EXPECT_TRUE(store_->roles().Get("111111111111", "reader").ok());
}

TEST_F(PurgeTest, PurgedSessionsStayGoneAfterReopen) {
  Session a = Issue("a", seconds(900));
  Session b = Issue("b", seconds(43200));
  clock_.Advance(std::chrono::hours(2));
  auto n = store_->sessions().PurgeExpired(std::chrono::hours(1));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  Reopen();
  EXPECT_FALSE(Known(a));
  EXPECT_TRUE(Known(b));
}

}  // namespace
}  // namespace cpa::server::store
