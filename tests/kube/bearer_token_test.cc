#include "kube/bearer_token.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;
using testing::FakeFiles;

TEST(BearerToken, NoneAndFixed) {
  EXPECT_EQ(*BearerToken().Get(), "");
  auto fixed = BearerToken::Fixed("  abc  \n");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(*fixed->Get(), "abc");
  EXPECT_EQ(BearerToken::Fixed("").status().code(), ErrorCode::kInvalidArgument);
  auto injected = BearerToken::Fixed("abc\r\nX-Other: 1");
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.status().message().find("abc"), std::string::npos) << "token echoed";
}

TEST(BearerToken, FileIsReReadAfterTheRefreshPeriod) {
  FakeFiles fs;
  fs.files["/t"] = "first\n";
  core::FakeClock clock(core::TimePoint(std::chrono::seconds(1'700'000'000)));
  BearerToken token = BearerToken::FromFile("/t", fs.Reader(), &clock);
  EXPECT_EQ(*token.Get(), "first");
  fs.files["/t"] = "second";
  clock.Advance(std::chrono::seconds(59));
  EXPECT_EQ(*token.Get(), "first");  // cached
  EXPECT_EQ(fs.reads["/t"], 1);
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*token.Get(), "second");
  EXPECT_EQ(fs.reads["/t"], 2);
  BearerToken copy = token;  // copies share the cache
  EXPECT_EQ(*copy.Get(), "second");
  EXPECT_EQ(fs.reads["/t"], 2);
}

TEST(BearerToken, AFailedReReadKeepsTheLastGoodToken) {
  FakeFiles fs;
  fs.files["/t"] = "good";
  core::FakeClock clock(core::TimePoint(std::chrono::seconds(1'700'000'000)));
  BearerToken token = BearerToken::FromFile("/t", fs.Reader(), &clock);
  EXPECT_EQ(*token.Get(), "good");
  fs.files.erase("/t");
  clock.Advance(std::chrono::seconds(120));
  EXPECT_EQ(*token.Get(), "good");
  fs.files["/t"] = "";
  clock.Advance(std::chrono::seconds(120));
  EXPECT_EQ(*token.Get(), "good");
}

TEST(BearerToken, AFirstReadThatFailsIsAnError) {
  FakeFiles fs;
  core::FakeClock clock(core::TimePoint(std::chrono::seconds(1'700'000'000)));
  auto missing = BearerToken::FromFile("/t", fs.Reader(), &clock).Get();
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "cannot read token file: /t: no such file");
  fs.files["/t"] = "\n";
  auto empty = BearerToken::FromFile("/t", fs.Reader(), &clock).Get();
  EXPECT_EQ(empty.status().message(), "token file /t: the token is empty");
}

}  // namespace
}  // namespace cpa::kube
