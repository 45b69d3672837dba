#include "profile/refresh.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "suite.h"

namespace cpa::profile {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

const core::TimePoint kStart = core::TimePoint(seconds(1'700'000'000));

Credentials Make(std::string akid, std::optional<core::TimePoint> expiration) {
  Credentials c;
  c.access_key_id = std::move(akid);
  c.secret_access_key = "secret-" + c.access_key_id;
  c.session_token = "token-" + c.access_key_id;
  c.expiration = expiration;
  return c;
}

// One case of credentials-refresh-tests.json. The cached set ("given") is primed with a one-hour
// lifetime (15-minute advisory window) and the clock then moved to put it in the named state.
void RunCase(const json& t, int* passed) {
  const json& given = t["given"];
  core::FakeClock clock(kStart);
  RefreshOptions options;
  options.random = [] { return 0.5; };
  if (given.contains("configuredAdvisoryWindowSeconds")) {
    options.advisory_window = seconds(given["configuredAdvisoryWindowSeconds"].get<int>());
  }
  if (given.contains("refreshBackoffSeconds")) {
    options.backoff_min = options.backoff_max = seconds(given["refreshBackoffSeconds"].get<int>());
  }

  std::optional<std::string> response;  // what the source answers in the current step
  int lifetime = 3600;
  int contacts = 0;
  std::optional<Credentials> last_fresh;
  auto fetch = [&]() -> core::Result<Credentials> {
    ++contacts;
    if (!response) {
      ADD_FAILURE() << "source contacted in a step that defines no response";
      return core::Status(core::ErrorCode::kInternal, "no response");
    }
    if (*response == "freshCredentials") {
      last_fresh = Make("AKID-fresh-" + std::to_string(contacts), clock.Now() + seconds(lifetime));
      return *last_fresh;
    }
    if (*response == "staleCredentials") return Make("AKID-stale", clock.Now());
    if (*response == "error") {
      return core::Status(core::ErrorCode::kInternal, "connection reset by peer");
    }
    if (*response == "nonRecoverableError") {
      return core::Status(core::ErrorCode::kAccessDenied, "not authorized to perform AssumeRole");
    }
    ADD_FAILURE() << "unknown response " << *response;
    return core::Status(core::ErrorCode::kInternal, "unknown");
  };
  RefreshingCredentialsCache cache(fetch, clock, options);

  std::optional<Credentials> cached;
  const std::string state = given["cachedCredentials"];
  if (state != "none") {
    cached = Make(given.value("accessKeyId", "AKID-1"), kStart + seconds(3600));
    cache.Prime(*cached);
    if (state == "advisory")
      clock.Advance(seconds(3600 - 600));  // 10 min left
    else if (state == "mandatory")
      clock.Advance(seconds(3600 - 30));
    else if (state == "expired")
      clock.Advance(seconds(3600 + 60));
    else if (state != "valid")
      ADD_FAILURE() << "unknown state " << state;
  }

  bool ok = true;
  int step_no = 0;
  for (const json& step : t["steps"]) {
    SCOPED_TRACE("step " + std::to_string(++step_no));
    const std::string type = step["type"];
    if (type == "advanceTime") {
      clock.Advance(seconds(step["seconds"].get<int>()));
      continue;
    }
    if (type == "invalidate") {
      cache.Invalidate();
      continue;
    }
    if (type != "getCredentials") {
      ADD_FAILURE() << "unknown step " << type;
      ok = false;
      continue;
    }
    response =
        step.contains("response") ? std::optional<std::string>(step["response"]) : std::nullopt;
    lifetime = step.value("lifetimeSeconds", 3600);
    last_fresh.reset();
    const int before = contacts;
    auto got = cache.GetWithDetails();
    const json& want = step["expected"];
    const std::string result = want["result"];
    auto fail = [&](const std::string& why) {
      ADD_FAILURE() << why;
      ok = false;
    };
    if ((contacts > before) != want["sourceContacted"].get<bool>()) fail("sourceContacted");
    if (got.source_contacted != want["sourceContacted"].get<bool>()) fail("source_contacted flag");
    if (got.rate_limited != want["rateLimited"].get<bool>()) fail("rateLimited");
    if (result == "cachedCredentials") {
      if (!got.credentials.ok() || !cached || *got.credentials != *cached) fail("not the cached");
    } else if (result == "newCredentials") {
      if (!got.credentials.ok() || !last_fresh || *got.credentials != *last_fresh) {
        fail("not the new credentials");
      } else {
        cached = *last_fresh;
      }
    } else if (result == "noCredentialsError") {
      if (got.credentials.ok()) fail("expected no credentials");
    } else if (result == "nonRecoverableError") {
      if (got.credentials.ok() ||
          got.credentials.status().code() != core::ErrorCode::kAccessDenied) {
        fail("expected the non-recoverable error");
      }
    } else {
      fail("unknown result " + result);
    }
    if (want.contains("advisoryWindowSeconds") &&
        cache.advisory_window() != seconds(want["advisoryWindowSeconds"].get<int>())) {
      fail("advisory window");
    }
  }
  if (ok) ++*passed;
}

TEST(RefreshSuite, AllRefreshCasesPass) {
  json tests = testing::LoadSuite("credential-refresh-aws-sdk-cpp/credentials-refresh-tests.json");
  ASSERT_TRUE(tests.is_array());
  ASSERT_EQ(tests.size(), 24u) << "credentials-refresh-tests.json lost cases";
  int passed = 0;
  for (const json& t : tests) {
    SCOPED_TRACE(t["documentation"].get<std::string>());
    RunCase(t, &passed);
  }
  EXPECT_EQ(passed, 24);
  std::cout << "[ suite    ] credentials-refresh-tests.json: " << passed << "/" << tests.size()
            << " passed\n";
}

TEST(Refresh, AdvisoryWindowTable) {
  using R = RefreshingCredentialsCache;
  EXPECT_EQ(R::AdvisoryWindowForLifetime(seconds(1200)), seconds(300));
  EXPECT_EQ(R::AdvisoryWindowForLifetime(seconds(1201)), seconds(900));
  EXPECT_EQ(R::AdvisoryWindowForLifetime(seconds(5399)), seconds(900));
  EXPECT_EQ(R::AdvisoryWindowForLifetime(seconds(5400)), seconds(3600));
}

TEST(Refresh, NonExpiringCredentialsAreFetchedOnceUntilInvalidated) {
  core::FakeClock clock(kStart);
  int calls = 0;
  RefreshingCredentialsCache cache(
      [&]() -> core::Result<Credentials> {
        ++calls;
        return Make("AKID-" + std::to_string(calls), std::nullopt);
      },
      clock);
  EXPECT_EQ(cache.Get()->access_key_id, "AKID-1");
  clock.Advance(seconds(86400 * 30));
  EXPECT_EQ(cache.Get()->access_key_id, "AKID-1");
  EXPECT_EQ(cache.advisory_window(), std::nullopt);
  cache.Invalidate();
  EXPECT_EQ(cache.Get()->access_key_id, "AKID-2");
  EXPECT_EQ(calls, 2);
}

TEST(Refresh, DefaultBackoffIsFiveToTenMinutes) {
  core::FakeClock clock(kStart);
  bool fail = false;
  int calls = 0;
  RefreshOptions options;
  options.random = [] { return 0.999999; };
  RefreshingCredentialsCache cache(
      [&]() -> core::Result<Credentials> {
        ++calls;
        if (fail) return core::Status(core::ErrorCode::kInternal, "down");
        return Make("A", clock.Now() + seconds(3600));
      },
      clock, options);
  ASSERT_TRUE(cache.Get().ok());
  clock.Advance(seconds(3600 - 60));  // mandatory
  fail = true;
  EXPECT_TRUE(cache.GetWithDetails().source_contacted);
  clock.Advance(seconds(599));
  EXPECT_TRUE(cache.GetWithDetails().rate_limited);
  clock.Advance(seconds(1));
  EXPECT_TRUE(cache.GetWithDetails().source_contacted);
  EXPECT_EQ(calls, 3);
}

TEST(Refresh, ConcurrentCallersShareOneFetch) {
  core::FakeClock clock(kStart);
  std::atomic<int> calls{0};
  RefreshingCredentialsCache cache(
      [&]() -> core::Result<Credentials> {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return Make("A", clock.Now() + seconds(3600));
      },
      clock);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        if (cache.Get().ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace cpa::profile
