// The spec's three IAM documents and the semantic comparison used for drift detection.
#include "share/documents.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cpa::share {
namespace {

using nlohmann::json;

// The spec's step 2 document with the packages account filled in.
constexpr char kSpecEcrPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ECRRead",
      "Effect": "Allow",
      "Action": [
        "ecr:DescribeImageScanFindings",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeRegistry",
        "ecr:DescribePullThroughCacheRules",
        "ecr:DescribeImageReplicationStatus",
        "ecr:ListTagsForResource",
        "ecr:ListImages",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:BatchCheckLayerAvailability"
      ],
      "Resource": "arn:aws:ecr:*:346438352937:repository/*"
    },
    {
      "Sid": "ECRLogin",
      "Effect": "Allow",
      "Action": [
        "ecr:GetAuthorizationToken"
      ],
      "Resource": "*"
    }
  ]
}
)";

TEST(Documents, EcrReadPolicyIsTheSpecsDocumentVerbatim) {
  EXPECT_EQ(EcrReadPolicyDocument("346438352937"), kSpecEcrPolicy);
  // Leading zeros of account ids stay.
  EXPECT_NE(EcrReadPolicyDocument("064352486547").find("arn:aws:ecr:*:064352486547:repository/*"),
            std::string::npos);
}

TEST(Documents, TrustPolicyDelegatesToTheTargetAccountRoot) {
  json doc = json::parse(TrustPolicyDocument("999999999999"));
  EXPECT_EQ(doc, json::parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]})"));
}

TEST(Documents, AssumeRolePolicyHasTheSpecsSingleStatement) {
  json doc =
      json::parse(AssumeRolePolicyDocument("arn:aws:iam::111111111111:role/curated-packages-role"));
  EXPECT_EQ(doc, json::parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/curated-packages-role"}})"));
}

TEST(Documents, PartitionIsUsedInArns) {
  EXPECT_NE(EcrReadPolicyDocument("346438352937", "aws-cn").find("arn:aws-cn:ecr:*:"),
            std::string::npos);
  EXPECT_NE(TrustPolicyDocument("999999999999", "aws-us-gov").find("arn:aws-us-gov:iam::"),
            std::string::npos);
}

TEST(Equivalence, FormattingAndOrderDoNotMatter) {
  const std::string expected = EcrReadPolicyDocument("346438352937");
  EXPECT_TRUE(EquivalentPolicies(expected, expected));
  json doc = json::parse(expected);
  // Compact, statements reversed, actions reversed and lower-cased, a duplicate action.
  std::swap(doc["Statement"][0], doc["Statement"][1]);
  auto& actions = doc["Statement"][1]["Action"];
  std::reverse(actions.begin(), actions.end());
  actions[0] = "ECR:batchcheckLAYERavailability";
  actions.push_back("ecr:ListImages");
  doc["Statement"][0]["Action"] = "ecr:GetAuthorizationToken";  // scalar for a 1-element list
  EXPECT_TRUE(EquivalentPolicies(doc.dump(), expected));
}

TEST(Equivalence, AccountIdPrincipalEqualsItsRootArn) {
  const std::string expected = TrustPolicyDocument("999999999999");
  EXPECT_TRUE(EquivalentPolicies(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"999999999999"},
          "Action":["sts:AssumeRole"]}})",
      expected));
  EXPECT_FALSE(EquivalentPolicies(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"888888888888"},
          "Action":"sts:AssumeRole"}})",
      expected));
}

TEST(Equivalence, RealDifferencesAreDrift) {
  const std::string expected = EcrReadPolicyDocument("346438352937");
  json base = json::parse(expected);

  json fewer = base;
  fewer["Statement"][0]["Action"].erase(0);
  EXPECT_FALSE(EquivalentPolicies(fewer.dump(), expected));

  json other_account = base;
  other_account["Statement"][0]["Resource"] = "arn:aws:ecr:*:783794618700:repository/*";
  EXPECT_FALSE(EquivalentPolicies(other_account.dump(), expected));

  json extra = base;
  extra["Statement"].push_back({{"Effect", "Allow"}, {"Action", "s3:*"}, {"Resource", "*"}});
  EXPECT_FALSE(EquivalentPolicies(extra.dump(), expected));

  json deny = base;
  deny["Statement"][1]["Effect"] = "Deny";
  EXPECT_FALSE(EquivalentPolicies(deny.dump(), expected));

  json sid = base;
  sid["Statement"][1]["Sid"] = "Login";
  EXPECT_FALSE(EquivalentPolicies(sid.dump(), expected));

  json condition = base;
  condition["Statement"][0]["Condition"] = {{"Bool", {{"aws:SecureTransport", "true"}}}};
  EXPECT_FALSE(EquivalentPolicies(condition.dump(), expected));

  EXPECT_FALSE(EquivalentPolicies("not json", expected));
  EXPECT_FALSE(EquivalentPolicies("", expected));
}

}  // namespace
}  // namespace cpa::share
