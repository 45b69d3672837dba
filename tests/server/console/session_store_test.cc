#include "server/console/session_store.h"

#include <gtest/gtest.h>

#include <set>

namespace cpa::server::console {
namespace {

constexpr int64_t kStart = 1714564800;  // 2024-05-01T12:00:00Z

class SessionStoreTest : public ::testing::Test {
 protected:
  Principal Root() {
    Principal p;
    p.credentials = {"AKIAEXAMPLE", "secret", ""};
    p.account_id = "111111111111";
    p.arn = "arn:aws:iam::111111111111:root";
    return p;
  }
  core::FakeClock clock_{core::TimePoint(std::chrono::seconds(kStart))};
  core::SeededRandom random_{7};
};

TEST_F(SessionStoreTest, CreateFindRemove) {
  SessionStore store(clock_, random_);
  auto [id, session] = store.Create(Root());
  EXPECT_EQ(id.size(), 64u);
  EXPECT_EQ(session.csrf_token.size(), 64u);
  EXPECT_NE(id, session.csrf_token);
  auto found = store.Find(id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->principal.arn, "arn:aws:iam::111111111111:root");
  EXPECT_EQ(found->principal.credentials.secret_access_key, "secret");
  EXPECT_EQ(found->csrf_token, session.csrf_token);
  EXPECT_FALSE(store.Find(id.substr(0, 63) + (id[63] == 'a' ? "b" : "a")).has_value());
  EXPECT_FALSE(store.Find("short").has_value());
  store.Remove(id);
  EXPECT_FALSE(store.Find(id).has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(SessionStoreTest, IdsAreDistinct) {
  SessionStore store(clock_, random_);
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) ids.insert(store.Create(Root()).first);
  EXPECT_EQ(ids.size(), 50u);
}

TEST_F(SessionStoreTest, IdleTimeoutRestartsOnUse) {
  SessionOptions o;
  o.idle_timeout = std::chrono::minutes(10);
  o.max_lifetime = std::chrono::hours(1);
  SessionStore store(clock_, random_, o);
  auto [id, s] = store.Create(Root());
  EXPECT_EQ(s.expires, clock_.Now() + std::chrono::minutes(10));
  clock_.Advance(std::chrono::minutes(9));
  ASSERT_TRUE(store.Find(id).has_value());  // restarts the idle timer
  clock_.Advance(std::chrono::minutes(9));
  ASSERT_TRUE(store.Find(id).has_value());
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_FALSE(store.Find(id).has_value());
  EXPECT_EQ(store.size(), 0u);  // an expired session is dropped when seen
}

TEST_F(SessionStoreTest, LifetimeEndsEvenWhenInUse) {
  SessionOptions o;
  o.idle_timeout = std::chrono::minutes(10);
  o.max_lifetime = std::chrono::minutes(25);
  SessionStore store(clock_, random_, o);
  auto [id, s] = store.Create(Root());
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(std::chrono::minutes(6));
    auto f = store.Find(id);
    ASSERT_TRUE(f.has_value()) << i;
    EXPECT_LE(f->expires, s.created + std::chrono::minutes(25));
  }
  clock_.Advance(std::chrono::minutes(2));  // 26 minutes after sign-in
  EXPECT_FALSE(store.Find(id).has_value());
}

TEST_F(SessionStoreTest, OldestIsDroppedPastTheLimit) {
  SessionOptions o;
  o.max_sessions = 3;
  SessionStore store(clock_, random_, o);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(store.Create(Root()).first);
    clock_.Advance(std::chrono::seconds(1));
  }
  ASSERT_TRUE(store.Find(ids[0]).has_value());  // now the most recently used
  ids.push_back(store.Create(Root()).first);
  EXPECT_EQ(store.size(), 3u);
  EXPECT_TRUE(store.Find(ids[0]).has_value());
  EXPECT_FALSE(store.Find(ids[1]).has_value());
  EXPECT_TRUE(store.Find(ids[2]).has_value());
  EXPECT_TRUE(store.Find(ids[3]).has_value());
}

TEST(SessionCookieTest, Attributes) {
  EXPECT_EQ(SessionCookie("abc", std::chrono::hours(12), false),
            "cpa_console=abc; Path=/console; Max-Age=43200; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionCookie("abc", std::chrono::seconds(5), true),
            "cpa_console=abc; Path=/console; Max-Age=5; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(ClearedSessionCookie(false),
            "cpa_console=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST(SessionCookieTest, CookieValue) {
  http::Request r;
  r.headers = {{"cookie", "a=1; cpa_console = xyz ;b=2"}, {"Cookie", "cpa_console=later"}};
  EXPECT_EQ(CookieValue(r, "cpa_console").value_or(""), "xyz");
  EXPECT_EQ(CookieValue(r, "b").value_or(""), "2");
  EXPECT_FALSE(CookieValue(r, "cpa").has_value());
  r.headers = {{"Cookie", "junk; =; cpa_console="}};
  EXPECT_EQ(CookieValue(r, "cpa_console").value_or("unset"), "");
}

}  // namespace
}  // namespace cpa::server::console
