#include "profile/credential_process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cpa::profile {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CredentialProcess, ParsesFullOutput) {
  auto c = ParseCredentialProcessOutput(
      R"({"Version": 1, "AccessKeyId": "ASIARTESTID", "SecretAccessKey": "TESTSECRETKEY",
          "SessionToken": "TESTSESSIONTOKEN", "AccountId": "123456789002",
          "Expiration": "2022-05-02T18:36:00+00:00"})",
      "123456789001");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIARTESTID");
  EXPECT_EQ(c->secret_access_key, "TESTSECRETKEY");
  EXPECT_EQ(c->session_token, "TESTSESSIONTOKEN");
  EXPECT_EQ(c->account_id, "123456789002");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(c->expiration->time_since_epoch().count(), 1651516560);
}

TEST(CredentialProcess, AccountIdFallsBackToProfile) {
  auto c = ParseCredentialProcessOutput(
      R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S"})", "123456789001");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->account_id, "123456789001");
  EXPECT_FALSE(c->expiration.has_value());
  EXPECT_TRUE(c->session_token.empty());
}

TEST(CredentialProcess, RejectsBadOutputWithoutQuotingIt) {
  auto bad_json = ParseCredentialProcessOutput("invalid json SECRETVALUE");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_THAT(bad_json.status().message(),
              HasSubstr("Error retrieving credentials from external process, could not parse "
                        "response: invalid JSON in response"));
  EXPECT_THAT(bad_json.status().message(), Not(HasSubstr("SECRETVALUE")));

  EXPECT_THAT(ParseCredentialProcessOutput(R"({"AccessKeyId": "A", "SecretAccessKey": "S"})")
                  .status()
                  .message(),
              HasSubstr("Version is missing"));
  EXPECT_THAT(
      ParseCredentialProcessOutput(R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"})")
          .status()
          .message(),
      HasSubstr("unsupported Version"));
  EXPECT_THAT(
      ParseCredentialProcessOutput(R"({"Version": 1, "SecretAccessKey": "S"})").status().message(),
      HasSubstr("AccessKeyId is missing"));
  EXPECT_THAT(
      ParseCredentialProcessOutput(R"({"Version": 1, "AccessKeyId": "A"})").status().message(),
      HasSubstr("SecretAccessKey is missing"));
  EXPECT_THAT(ParseCredentialProcessOutput(
                  R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S",
                      "Expiration": "tomorrow"})")
                  .status()
                  .message(),
              HasSubstr("Expiration is not an ISO 8601"));
  EXPECT_FALSE(ParseCredentialProcessOutput("[1,2]").ok());
}

TEST(CredentialProcess, RunUsesInjectedRunner) {
  CredentialProcess provider{"dev", "get-creds --token SECRETARG", std::nullopt};
  std::string seen;
  auto ok =
      RunCredentialProcess(provider, [&](std::string_view cmd) -> core::Result<ProcessOutput> {
        seen = std::string(cmd);
        return ProcessOutput{0, R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"})"};
      });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(seen, "get-creds --token SECRETARG");
  EXPECT_EQ(ok->source, "credential_process of profile `dev`");

  auto failed = RunCredentialProcess(provider, [](std::string_view) -> core::Result<ProcessOutput> {
    return ProcessOutput{1, ""};
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(),
              HasSubstr("Error retrieving credentials: external process exited with code exit "
                        "status: 1"));
  EXPECT_THAT(failed.status().message(), HasSubstr("profile `dev`"));
  EXPECT_THAT(failed.status().message(), Not(HasSubstr("SECRETARG")));
}

}  // namespace
}  // namespace cpa::profile
