// AwsTokenSource over a scripted transport: static keys, the spec's source_profile + role_arn
// chain (AssumeRole, then GetAuthorizationToken signed with the role's session, cached for the
// next call), endpoint overrides, and each failure cause.
#include "agent/token_source.h"

#include <gtest/gtest.h>

#include "agent/aws_inputs.h"
#include "fakes.h"

namespace cpa::agent {
namespace {

using testing::EcrTokenResponse;
using testing::ScriptedTransport;

constexpr int64_t kNow = 1714564800;  // 2024-05-01T12:00:00Z

constexpr char kSpecConfig[] =
    "[default]\n"
    "source_profile=curated-packages-user\n"
    "role_arn=arn:aws:iam::111111111111:role/curated-packages-role\n"
    "region=us-west-2\n"
    "\n"
    "[profile curated-packages-user]\n"
    "aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

std::string AssumeRoleXml() {
  return R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId>
<Arn>arn:aws:sts::111111111111:assumed-role/curated-packages-role/s</Arn></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAROLEKEY</AccessKeyId><SecretAccessKey>ROLESECRET</SecretAccessKey>
<SessionToken>ROLETOKEN</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration></Credentials>
</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>
</AssumeRoleResponse>)";
}

std::string Header(const awsapi::HttpRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (core::AsciiIEquals(k, name)) return v;
  }
  return "";
}

struct Fixture {
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  core::FakeClock clock{core::TimePoint(std::chrono::seconds(kNow))};
  core::SeededRandom random{7};
  std::vector<std::chrono::milliseconds> sleeps;

  std::unique_ptr<AwsTokenSource> Source(const std::string& config, profile::Environment env = {}) {
    auto settings = SettingsFromConfigText(config, "--config /c", "/c");
    EXPECT_TRUE(settings.ok()) << settings.status().ToString();
    env.Set("AWS_ENDPOINT_URL", "http://cpa.test:4566");
    env.Set("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT");  // ignored: an explicit profile wins
    env.Set("AWS_SECRET_ACCESS_KEY", "envsecret");
    auto shared = SharedConfigFor(*settings, env);
    EXPECT_TRUE(shared.ok()) << shared.status().ToString();
    AwsTokenSourceOptions o;
    o.transport = transport;
    o.clock = &clock;
    o.random = &random;
    o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    return std::make_unique<AwsTokenSource>(std::move(shared->first), std::move(shared->second), o);
  }
};

TEST(AwsTokenSource, StaticKeys) {
  Fixture f;
  auto source = f.Source("[default]\naws_access_key_id=AKIASTATIC\naws_secret_access_key=s\n");
  f.transport->Push(200, EcrTokenResponse("pw-1", kNow + 43200,
                                          "https://346438352937.dkr.ecr.us-west-2.amazonaws.com"));
  FetchOutcome o = source->Fetch({"default", "us-west-2", {"346438352937"}});
  ASSERT_TRUE(o.ok()) << o.status.ToString();
  EXPECT_EQ(o.token->username, "AWS");
  EXPECT_EQ(o.token->password, "pw-1");
  EXPECT_EQ(o.token->expires_at, core::TimePoint(std::chrono::seconds(kNow + 43200)));
  ASSERT_EQ(f.transport->requests.size(), 1u);
  const awsapi::HttpRequest& r = f.transport->requests[0];
  EXPECT_EQ(r.url, "http://cpa.test:4566/");
  EXPECT_EQ(Header(r, "X-Amz-Target"),
            "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
  EXPECT_NE(Header(r, "Authorization").find("Credential=AKIASTATIC/20240501/us-west-2/ecr/"),
            std::string::npos);
  EXPECT_EQ(r.body, R"({"registryIds":["346438352937"]})");
  EXPECT_EQ(Header(r, "User-Agent"), "cpa-agent");
}

TEST(AwsTokenSource, SpecChainAssumesTheRoleOnce) {
  Fixture f;
  auto source = f.Source(kSpecConfig);
  f.transport->Push(200, AssumeRoleXml());
  f.transport->Push(200, EcrTokenResponse("pw-1", kNow + 43200, ""));
  FetchOutcome o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_TRUE(o.ok()) << o.status.ToString();
  ASSERT_EQ(f.transport->requests.size(), 2u);
  const awsapi::HttpRequest& sts = f.transport->requests[0];
  EXPECT_NE(sts.body.find("Action=AssumeRole"), std::string::npos);
  EXPECT_NE(sts.body.find("curated-packages-role"), std::string::npos);
  EXPECT_NE(
      Header(sts, "Authorization").find("Credential=AKIAIOSFODNN7EXAMPLE/20240501/us-west-2/sts/"),
      std::string::npos);
  const awsapi::HttpRequest& ecr = f.transport->requests[1];
  EXPECT_NE(Header(ecr, "Authorization").find("Credential=ASIAROLEKEY/"), std::string::npos);
  EXPECT_EQ(Header(ecr, "X-Amz-Security-Token"), "ROLETOKEN");

  // The session is cached: the next refresh calls ECR only.
  f.clock.Advance(std::chrono::minutes(10));
  f.transport->Push(200, EcrTokenResponse("pw-2", kNow + 44000, ""));
  o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_TRUE(o.ok()) << o.status.ToString();
  EXPECT_EQ(o.token->password, "pw-2");
  EXPECT_EQ(f.transport->requests.size(), 3u);
}

TEST(AwsTokenSource, AccessDeniedOnAssumeRole) {
  Fixture f;
  auto source = f.Source(kSpecConfig);
  f.transport->Push(
      403,
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: "
      "arn:aws:iam::999999999999:user/curated-packages-user is not authorized to perform: "
      "sts:AssumeRole on resource: arn:aws:iam::111111111111:role/curated-packages-role"
      "</Message></Error><RequestId>r</RequestId></ErrorResponse>");
  FetchOutcome o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.cause, FailureCause::kAccessDenied);
  EXPECT_EQ(o.status.code(), core::ErrorCode::kAccessDenied);
  EXPECT_NE(o.status.message().find("sts:AssumeRole"), std::string::npos) << o.status.message();
  EXPECT_EQ(o.status.message().find("wJalrXUtnFEMI"), std::string::npos);
}

TEST(AwsTokenSource, NoHttpAnswerIsANetworkFailure) {
  Fixture f;
  auto source = f.Source("[default]\naws_access_key_id=AKIASTATIC\naws_secret_access_key=s\n");
  for (int i = 0; i < 3; ++i) {
    f.transport->PushError(core::Status(core::ErrorCode::kInternal,
                                        "HTTP request to http://cpa.test:4566 failed: Connection "
                                        "refused"));
  }
  FetchOutcome o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.cause, FailureCause::kNetwork);
  EXPECT_NE(o.status.message().find("Connection refused"), std::string::npos);
  EXPECT_EQ(f.transport->requests.size(), 3u);  // the SDKs' standard retries
  EXPECT_EQ(f.sleeps.size(), 2u);
}

TEST(AwsTokenSource, BadKeysAreInvalidCredentials) {
  Fixture f;
  auto source = f.Source("[default]\naws_access_key_id=AKIASTATIC\naws_secret_access_key=s\n");
  f.transport->Push(400, R"({"__type":"UnrecognizedClientException","message":"The security )"
                         R"(token included in the request is invalid."})");
  FetchOutcome o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.cause, FailureCause::kInvalidCredentials);
}

TEST(AwsTokenSource, ConfigurationErrors) {
  Fixture f;
  auto source = f.Source(kSpecConfig);
  FetchOutcome o = source->Fetch({"nobody", "us-west-2", {}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.cause, FailureCause::kConfig);
  EXPECT_NE(o.status.message().find("nobody"), std::string::npos);
  EXPECT_TRUE(f.transport->requests.empty());
}

TEST(AwsTokenSource, ExpiredOrMalformedTokensAreServiceFailures) {
  Fixture f;
  auto source = f.Source("[default]\naws_access_key_id=AKIASTATIC\naws_secret_access_key=s\n");
  f.transport->Push(200, EcrTokenResponse("pw", kNow - 1, ""));
  FetchOutcome o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.cause, FailureCause::kService);
  EXPECT_NE(o.status.message().find("expired at 2024-05-01T11:59:59Z"), std::string::npos);

  f.transport->Push(200, R"({"authorizationData":[]})");
  o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.cause, FailureCause::kService);

  f.transport->Push(200, R"({"authorizationData":[{"authorizationToken":"bm9jb2xvbg==",)"
                         R"("expiresAt":1714608000}]})");
  o = source->Fetch({"default", "us-west-2", {}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.cause, FailureCause::kService);
}

TEST(ClassifyFailure, Table) {
  using core::ErrorCode;
  auto cause = [](ErrorCode c, bool no_answer = false) {
    return ClassifyFailure(core::Status(c, "m"), no_answer);
  };
  EXPECT_EQ(cause(ErrorCode::kAccessDenied), FailureCause::kAccessDenied);
  EXPECT_EQ(cause(ErrorCode::kAccessDenied, true), FailureCause::kNetwork);
  EXPECT_EQ(cause(ErrorCode::kExpiredToken), FailureCause::kInvalidCredentials);
  EXPECT_EQ(cause(ErrorCode::kSignatureDoesNotMatch), FailureCause::kInvalidCredentials);
  EXPECT_EQ(cause(ErrorCode::kValidationError), FailureCause::kConfig);
  EXPECT_EQ(cause(ErrorCode::kInternal), FailureCause::kService);
  EXPECT_EQ(cause(ErrorCode::kLimitExceeded), FailureCause::kService);
  EXPECT_EQ(FailureCauseName(FailureCause::kInvalidCredentials), "invalid_credentials");
  EXPECT_EQ(FailureCauseName(FailureCause::kOutput), "output");
}

}  // namespace
}  // namespace cpa::agent
