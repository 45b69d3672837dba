// EKS Anywhere subscriptions (restJson1) through a scripted transport.
#include "awsapi/eks.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cpa::awsapi {
namespace {

using testing::HeaderOf;
using testing::TestEnv;
using Json = nlohmann::json;

constexpr char kSubscription[] = R"({"subscription":{
  "id":"e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964",
  "arn":"arn:aws:eks:us-west-2:111111111111:eks-anywhere-subscription/e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964",
  "name":"my-subscription",
  "createdAt":1696944816.869,
  "effectiveDate":1696944816.869,
  "expirationDate":1728567216.869,
  "licenseQuantity":1,
  "licenseType":"CLUSTER",
  "term":{"duration":12,"unit":"MONTHS"},
  "status":"ACTIVE",
  "packageRegistry":"346438352937.dkr.ecr.us-west-2.amazonaws.com",
  "autoRenew":false,
  "licenseArns":["arn:aws:license-manager::111111111111:license:l-4f36acf12e6d491484812927b327c066"],
  "licenses":[{"id":"lic-1","token":"tok-1"}],
  "tags":{"environment":"prod"}
}})";

class EksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = EksClient::Create(env_.Config());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    eks_.emplace(std::move(client).value());
  }
  const HttpRequest& Sent() {
    const HttpRequest& r = env_.transport->last();
    EXPECT_NE(HeaderOf(r, "Authorization")->find("/us-west-2/eks/aws4_request"), std::string::npos);
    auto verified = testing::VerifySignature(r, env_.clock);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    return r;
  }

  TestEnv env_;
  std::optional<EksClient> eks_;
};

void ExpectSubscription(const EksAnywhereSubscription& s) {
  EXPECT_EQ(s.id, "e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964");
  EXPECT_EQ(s.arn,
            "arn:aws:eks:us-west-2:111111111111:eks-anywhere-subscription/"
            "e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964");
  EXPECT_EQ(s.name, "my-subscription");
  EXPECT_EQ(s.created_at->time_since_epoch().count(), 1696944816);
  EXPECT_EQ(s.effective_date->time_since_epoch().count(), 1696944816);
  EXPECT_EQ(s.expiration_date->time_since_epoch().count(), 1728567216);
  EXPECT_EQ(s.license_quantity, 1);
  EXPECT_EQ(s.license_type, "CLUSTER");
  EXPECT_EQ(s.term.duration, 12);
  EXPECT_EQ(s.term.unit, "MONTHS");
  EXPECT_EQ(s.status, "ACTIVE");
  EXPECT_EQ(s.package_registry, "346438352937.dkr.ecr.us-west-2.amazonaws.com");
  EXPECT_EQ(s.auto_renew, false);
  ASSERT_EQ(s.license_arns.size(), 1u);
  ASSERT_EQ(s.licenses.size(), 1u);
  EXPECT_EQ(s.licenses[0].id, "lic-1");
  EXPECT_EQ(s.licenses[0].token, "tok-1");
  EXPECT_EQ(s.tags.at("environment"), "prod");
}

TEST_F(EksTest, DescribeEksAnywhereSubscription) {
  env_.transport->Push(200, kSubscription, {{"x-amzn-RequestId", "eks-1"}});
  DescribeEksAnywhereSubscriptionRequest req;
  req.id = "e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964";
  auto out = eks_->DescribeEksAnywhereSubscription(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HttpRequest& r = Sent();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url,
            "https://eks.us-west-2.amazonaws.com/eks-anywhere-subscriptions/"
            "e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964");
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(HeaderOf(r, "Content-Type"));
  ExpectSubscription(out->subscription);
  EXPECT_EQ(out->request_id, "eks-1");
}

TEST_F(EksTest, DescribeEncodesTheIdLabel) {
  env_.transport->Push(200, kSubscription);
  DescribeEksAnywhereSubscriptionRequest req;
  req.id = "a/b c";
  ASSERT_TRUE(eks_->DescribeEksAnywhereSubscription(req).ok());
  EXPECT_EQ(Sent().url, "https://eks.us-west-2.amazonaws.com/eks-anywhere-subscriptions/a%2Fb%20c");
  req.id = "";
  EXPECT_EQ(eks_->DescribeEksAnywhereSubscription(req).status().code(),
            core::ErrorCode::kMissingParameter);
}

TEST_F(EksTest, ListEksAnywhereSubscriptions) {
  env_.transport->Push(200, R"({"subscriptions":[)" +
                                std::string(Json::parse(kSubscription)["subscription"].dump()) +
                                R"(],"nextToken":"t2"})");
  ListEksAnywhereSubscriptionsRequest req;
  req.max_results = 10;
  req.next_token = "t 1";
  req.include_status = {"ACTIVE", "EXPIRING"};
  auto out = eks_->ListEksAnywhereSubscriptions(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HttpRequest& r = Sent();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url,
            "https://eks.us-west-2.amazonaws.com/eks-anywhere-subscriptions?maxResults=10&"
            "nextToken=t%201&includeStatus=ACTIVE&includeStatus=EXPIRING");
  ASSERT_EQ(out->subscriptions.size(), 1u);
  ExpectSubscription(out->subscriptions[0]);
  EXPECT_EQ(out->next_token, "t2");

  env_.transport->Push(200, R"({"subscriptions":[]})");
  ASSERT_TRUE(eks_->ListEksAnywhereSubscriptions().ok());
  EXPECT_EQ(Sent().url, "https://eks.us-west-2.amazonaws.com/eks-anywhere-subscriptions");
}

TEST_F(EksTest, CreateEksAnywhereSubscription) {
  env_.transport->Push(200, kSubscription);
  CreateEksAnywhereSubscriptionRequest req;
  req.name = "my-subscription";
  req.term = {12, "MONTHS"};
  req.license_quantity = 1;
  req.license_type = "Cluster";
  req.auto_renew = false;
  req.tags = {{"environment", "prod"}};
  auto out = eks_->CreateEksAnywhereSubscription(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HttpRequest& r = Sent();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://eks.us-west-2.amazonaws.com/eks-anywhere-subscriptions");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  Json body = Json::parse(r.body);
  std::string token = body["clientRequestToken"];
  EXPECT_EQ(token.size(), 36u);  // a generated UUID
  body.erase("clientRequestToken");
  EXPECT_EQ(body, Json::parse(R"({"name":"my-subscription","term":{"duration":12,"unit":"MONTHS"},
    "licenseQuantity":1,"licenseType":"Cluster","autoRenew":false,"tags":{"environment":"prod"}})"));
  ExpectSubscription(out->subscription);

  env_.transport->Push(200, kSubscription);
  req.client_request_token = "fixed-token";
  ASSERT_TRUE(eks_->CreateEksAnywhereSubscription(req).ok());
  EXPECT_EQ(Json::parse(Sent().body)["clientRequestToken"], "fixed-token");
}

TEST_F(EksTest, RestJsonErrors) {
  env_.transport->Push(
      404, R"({"__type":"Other","message":"No subscription found","subscriptionId":"x"})",
      {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"},
       {"x-amzn-RequestId", "eks-err"}});
  env_.transport->Push(400, R"({"code":"InvalidParameterException","message":"bad term"})");
  DescribeEksAnywhereSubscriptionRequest req;
  req.id = "x";
  auto a = eks_->DescribeEksAnywhereSubscription(req);
  EXPECT_EQ(a.status().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(*a.aws_error(),
            (AwsErrorInfo{"ResourceNotFoundException", "No subscription found", "eks-err", 404}));
  auto b = eks_->DescribeEksAnywhereSubscription(req);
  EXPECT_EQ(b.status().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(b.aws_code(), "InvalidParameterException");
}

}  // namespace
}  // namespace cpa::awsapi
