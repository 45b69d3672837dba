// Standard retry mode with an injected clock, randomness and sleep.
#include "awsapi/retry.h"

#include <gtest/gtest.h>

#include <cstring>

#include "awsapi/ecr.h"
#include "awsapi/sts.h"
#include "test_util.h"

namespace cpa::awsapi {
namespace {

using testing::HeaderOf;
using testing::TestEnv;

constexpr char kIdentity[] = R"(<GetCallerIdentityResponse><GetCallerIdentityResult>
  <Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account>
  </GetCallerIdentityResult></GetCallerIdentityResponse>)";
constexpr char kThrottled[] = R"(<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>
  <Message>Rate exceeded</Message></Error><RequestId>t</RequestId></ErrorResponse>)";

TEST(Retry, ThrottlingIsRetriedWithJitteredBackoffAndFreshSignatures) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config());
  ASSERT_TRUE(sts.ok());
  env.transport->Push(400, kThrottled);
  env.transport->Push(503, "");
  env.transport->Push(200, kIdentity);
  auto out = sts->GetCallerIdentity();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(env.transport->requests.size(), 3u);
  ASSERT_EQ(env.sleeps.size(), 2u);
  EXPECT_LT(env.sleeps[0], std::chrono::milliseconds(1000));  // random * min(2^0 s, 20 s)
  EXPECT_LT(env.sleeps[1], std::chrono::milliseconds(2000));  // random * min(2^1 s, 20 s)
  // Each attempt is signed with the clock's time at that attempt.
  for (const auto& r : env.transport->requests) {
    EXPECT_TRUE(testing::VerifySignature(r, env.clock).ok());
  }
  // A success refunds the retry cost.
  EXPECT_EQ(sts->service_client().RetryQuotaAvailableForTest(), RetryQuota::kCapacity);
}

TEST(Retry, GivesUpAfterThreeAttempts) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config());
  for (int i = 0; i < 5; ++i)
    env.transport->Push(
        500, "<ErrorResponse><Error><Code>ServiceFailure</Code></Error></ErrorResponse>");
  auto out = sts->GetCallerIdentity();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(env.transport->requests.size(), 3u);
  EXPECT_EQ(env.sleeps.size(), 2u);
  EXPECT_EQ(out.aws_code(), "ServiceFailure");
  EXPECT_EQ(out.status().code(), core::ErrorCode::kInternal);
  EXPECT_EQ(sts->service_client().RetryQuotaAvailableForTest(),
            RetryQuota::kCapacity - 2 * RetryQuota::kRetryCost);
}

TEST(Retry, MaxAttemptsIsConfigurable) {
  TestEnv env;
  ClientConfig config = env.Config();
  config.retry.max_attempts = 5;
  auto sts = StsClient::Create(config);
  for (int i = 0; i < 4; ++i) env.transport->Push(400, kThrottled);
  env.transport->Push(200, kIdentity);
  EXPECT_TRUE(sts->GetCallerIdentity().ok());
  EXPECT_EQ(env.transport->requests.size(), 5u);

  config.retry.max_attempts = 1;
  auto once = StsClient::Create(config);
  env.transport->Push(400, kThrottled);
  EXPECT_FALSE(once->GetCallerIdentity().ok());
  EXPECT_EQ(env.transport->requests.size(), 6u);
}

TEST(Retry, ClientErrorsAreNotRetried) {
  TestEnv env;
  auto ecr = EcrClient::Create(env.Config());
  env.transport->Push(400, R"({"__type":"RepositoryNotFoundException","message":"m"})");
  EXPECT_FALSE(ecr->DescribeRepositories({}).ok());
  EXPECT_EQ(env.transport->requests.size(), 1u);
  EXPECT_TRUE(env.sleeps.empty());
}

TEST(Retry, JsonThrottlingIsRetried) {
  TestEnv env;
  auto ecr = EcrClient::Create(env.Config());
  env.transport->Push(400, R"({"__type":"ThrottlingException","message":"slow down"})");
  env.transport->Push(429, R"({"__type":"TooManyRequestsException"})");
  env.transport->Push(200, R"({"authorizationData":[]})");
  EXPECT_TRUE(ecr->GetAuthorizationToken().ok());
  EXPECT_EQ(env.transport->requests.size(), 3u);
}

TEST(Retry, TransportFailures) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config());
  env.transport->PushError(core::Status(core::ErrorCode::kInternal, "connection reset"));
  env.transport->Push(200, kIdentity);
  EXPECT_TRUE(sts->GetCallerIdentity().ok());
  EXPECT_EQ(env.transport->requests.size(), 2u);

  // A permanent failure (e.g. TLS verification) is not retried.
  env.transport->PushError(
      core::Status(core::ErrorCode::kInvalidArgument, "certificate verify failed"));
  auto out = sts->GetCallerIdentity();
  EXPECT_EQ(env.transport->requests.size(), 3u);
  EXPECT_EQ(out.status().message(), "sts:GetCallerIdentity: certificate verify failed");
  EXPECT_FALSE(out.aws_error());

  // Retried transient failures say how many attempts were made.
  for (int i = 0; i < 3; ++i) {
    env.transport->PushError(core::Status(core::ErrorCode::kInternal, "connection refused"));
  }
  auto refused = sts->GetCallerIdentity();
  EXPECT_EQ(refused.status().message(),
            "sts:GetCallerIdentity: connection refused (after 3 attempts)");
}

TEST(Retry, QuotaStopsRetryStorms) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config());
  // Drain the bucket: each failed operation takes two retries of cost 10.
  int operations = 0;
  while (sts->service_client().RetryQuotaAvailableForTest() >= RetryQuota::kTransportErrorCost) {
    for (int i = 0; i < 3; ++i)
      env.transport->PushError(core::Status(core::ErrorCode::kInternal, "down"));
    EXPECT_FALSE(sts->GetCallerIdentity().ok());
    ++operations;
    ASSERT_LT(operations, 100);
  }
  env.transport->responses.clear();
  size_t before = env.transport->requests.size();
  env.transport->PushError(core::Status(core::ErrorCode::kInternal, "down"));
  env.transport->Push(200, kIdentity);
  EXPECT_FALSE(sts->GetCallerIdentity().ok());  // no retry left
  EXPECT_EQ(env.transport->requests.size(), before + 1);
}

TEST(Retry, Classification) {
  for (const char* code :
       {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "RequestThrottledException", "SlowDown"}) {
    EXPECT_EQ(ClassifyAwsError({code, "", "", 400}), RetryKind::kThrottling) << code;
  }
  for (const char* code : {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
                           "IDPCommunicationError"}) {
    EXPECT_NE(ClassifyAwsError({code, "", "", 400}), RetryKind::kNone) << code;
  }
  for (int status : {500, 502, 503, 504}) {
    EXPECT_EQ(ClassifyAwsError({"X", "", "", status}), RetryKind::kTransient) << status;
  }
  EXPECT_EQ(ClassifyAwsError({"X", "", "", 501}), RetryKind::kNone);
  EXPECT_EQ(ClassifyAwsError({"AccessDenied", "", "", 403}), RetryKind::kNone);
  EXPECT_EQ(ClassifyAwsError({"ExpiredToken", "", "", 400}), RetryKind::kNone);
}

// Always draws 79999, so Uniform(bound) is bound - 1 for bounds 1000, 4000 and 20000.
class MaxRandom final : public core::Random {
 public:
  void Fill(uint8_t* out, size_t n) override {
    uint64_t v = 79999;
    std::memcpy(out, &v, std::min(n, sizeof v));
  }
};

TEST(Retry, BackoffIsCappedAt20Seconds) {
  MaxRandom random;
  RetryOptions options;
  // The ceiling grows 1, 2, 4, ... s and stops at 20 s.
  EXPECT_LT(BackoffDelay(1, options, random), std::chrono::milliseconds(1000));
  EXPECT_GE(BackoffDelay(1, options, random), std::chrono::milliseconds(900));
  EXPECT_LT(BackoffDelay(3, options, random), std::chrono::milliseconds(4000));
  EXPECT_GE(BackoffDelay(3, options, random), std::chrono::milliseconds(3000));
  EXPECT_LT(BackoffDelay(6, options, random), std::chrono::milliseconds(20000));
  EXPECT_GE(BackoffDelay(6, options, random), std::chrono::milliseconds(19000));
  EXPECT_LT(BackoffDelay(60, options, random), std::chrono::milliseconds(20000));
  core::SeededRandom seeded(1);
  for (int i = 0; i < 100; ++i) {
    auto d = BackoffDelay(2, options, seeded);
    EXPECT_GE(d.count(), 0);
    EXPECT_LT(d.count(), 2000);
  }
}

}  // namespace
}  // namespace cpa::awsapi
