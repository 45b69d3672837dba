#include "profile/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "profile/config_file.h"
#include "profile/refresh.h"

namespace cpa::profile {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

const core::TimePoint kNow = core::TimePoint(seconds(1'700'000'000));

ProviderChain Plan(const std::string& config, const std::string& profile) {
  auto files = ParseConfigFiles(config, "");
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  auto chain = ResolveProfileChain(*files, profile);
  EXPECT_TRUE(chain.ok()) << chain.status().ToString();
  return *chain;
}

TEST(Executor, StaticKeysThenTwoRoles) {
  ProviderChain chain = Plan(
      "[profile a]\nrole_arn = arn:a\nsource_profile = b\nrole_session_name = mine\n"
      "[profile b]\nrole_arn = arn:b\nsource_profile = c\n"
      "[profile c]\naws_access_key_id = AKID-C\naws_secret_access_key = S\n",
      "a");
  core::FakeClock clock(kNow);
  std::vector<std::string> calls;
  ChainExecutor e;
  e.clock = &clock;
  e.assume_role = [&](const Credentials& source,
                      const AssumeRoleStep& step) -> core::Result<Credentials> {
    calls.push_back(source.access_key_id + ">" + step.role_arn + "@" + *step.role_session_name);
    Credentials out;
    out.access_key_id = "ASIA-" + step.role_arn;
    out.secret_access_key = "s";
    out.expiration = clock.Now() + seconds(3600);
    return out;
  };
  auto creds = ExecuteChain(chain, e);
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->access_key_id, "ASIA-arn:a");
  EXPECT_THAT(calls,
              ::testing::ElementsAre("AKID-C>arn:b@cpa-1700000000", "ASIA-arn:b>arn:a@mine"));
}

TEST(Executor, ErrorsNameTheProfile) {
  ChainExecutor e;
  e.assume_role = [](const Credentials&, const AssumeRoleStep&) -> core::Result<Credentials> {
    return core::Status(core::ErrorCode::kAccessDenied, "not authorized");
  };
  auto denied = ExecuteChain(
      Plan("[default]\nrole_arn = arn:r\ncredential_source = Environment\n", "default"),
      ChainExecutor{e.assume_role,
                    {},
                    {},
                    {},
                    Environment({{"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "S"}}),
                    nullptr});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), core::ErrorCode::kAccessDenied);
  EXPECT_THAT(denied.status().message(), HasSubstr("profile `default`: AssumeRole arn:r"));

  auto no_env = ExecuteChain(
      Plan("[default]\nrole_arn = arn:r\ncredential_source = Environment\n", "default"), e);
  ASSERT_FALSE(no_env.ok());
  EXPECT_THAT(no_env.status().message(), HasSubstr("credential_source Environment"));

  auto imds = ExecuteChain(
      Plan("[default]\nrole_arn = arn:r\ncredential_source = Ec2InstanceMetadata\n", "default"), e);
  ASSERT_FALSE(imds.ok());
  EXPECT_THAT(imds.status().message(), HasSubstr("Ec2InstanceMetadata is not supported"));

  auto files = ParseConfigFiles(
      "[profile default]\nsso_session = dev\n[sso-session dev]\nsso_region = us-east-1\n"
      "sso_start_url = https://x\n",
      "");
  auto sso = ExecuteChain(*ResolveProfileChain(*files, "default"), e);
  ASSERT_FALSE(sso.ok());
  EXPECT_THAT(sso.status().message(),
              HasSubstr("selected profile will resolve an access token instead of credentials"));
}

TEST(Executor, WebIdentityReadsTheTokenFile) {
  ChainExecutor e;
  e.read_file = [](const std::string& path) -> core::Result<std::string> {
    return "jwt-from-" + path;
  };
  e.assume_role_with_web_identity = [](const WebIdentityToken& w,
                                       const std::string& token) -> core::Result<Credentials> {
    Credentials c;
    c.access_key_id = token + "|" + w.role_arn + "|" + *w.role_session_name;
    return c;
  };
  auto creds = ExecuteChain(
      Plan("[default]\nrole_arn = arn:w\nweb_identity_token_file = /t\nrole_session_name = s\n",
           "default"),
      e);
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->access_key_id, "jwt-from-/t|arn:w|s");
}

// How an integrator puts the cache in front of a chain.
TEST(Executor, CacheInFrontOfAChain) {
  ProviderChain chain = Plan(
      "[default]\nrole_arn = arn:r\nsource_profile = u\n"
      "[profile u]\naws_access_key_id = A\naws_secret_access_key = S\n",
      "default");
  core::FakeClock clock(kNow);
  int sts_calls = 0;
  ChainExecutor e;
  e.clock = &clock;
  e.assume_role = [&](const Credentials&, const AssumeRoleStep&) -> core::Result<Credentials> {
    ++sts_calls;
    Credentials c;
    c.access_key_id = "ASIA" + std::to_string(sts_calls);
    c.secret_access_key = "s";
    c.expiration = clock.Now() + seconds(3600);
    return c;
  };
  RefreshingCredentialsCache cache([chain, e] { return ExecuteChain(chain, e); }, clock);
  EXPECT_EQ(cache.Get()->access_key_id, "ASIA1");
  clock.Advance(seconds(1800));
  EXPECT_EQ(cache.Get()->access_key_id, "ASIA1");
  clock.Advance(seconds(1000));  // inside the 15-minute advisory window
  EXPECT_EQ(cache.Get()->access_key_id, "ASIA2");
  EXPECT_EQ(sts_calls, 2);
}

}  // namespace
}  // namespace cpa::profile
