#include "core/arn.h"

#include <gtest/gtest.h>

namespace cpa::core {
namespace {

TEST(Arn, ParsesAndFormats) {
  auto arn = Arn::Parse("arn:aws:iam::111111111111:role/curated-packages-role");
  ASSERT_TRUE(arn.ok()) << arn.status().ToString();
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->service, "iam");
  EXPECT_EQ(arn->region, "");
  EXPECT_EQ(arn->account, "111111111111");
  EXPECT_EQ(arn->resource, "role/curated-packages-role");
  EXPECT_EQ(arn->ResourceType(), "role");
  EXPECT_EQ(arn->ResourceId(), "curated-packages-role");
  EXPECT_EQ(arn->ToString(), "arn:aws:iam::111111111111:role/curated-packages-role");
}

TEST(Arn, ResourceKeepsColonsAndSlashes) {
  auto arn = Arn::Parse("arn:aws:sts::111111111111:assumed-role/r/session:x");
  ASSERT_TRUE(arn.ok());
  EXPECT_EQ(arn->resource, "assumed-role/r/session:x");
  EXPECT_EQ(arn->ResourceType(), "assumed-role");
  auto ecr = Arn::Parse("arn:aws-cn:ecr:cn-north-1:123456789012:repository/a/b");
  ASSERT_TRUE(ecr.ok());
  EXPECT_EQ(ecr->partition, "aws-cn");
  EXPECT_EQ(ecr->region, "cn-north-1");
  EXPECT_EQ(ecr->ResourceId(), "a/b");
  auto root = Arn::Parse("arn:aws:iam::999999999999:root");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->ResourceType(), "root");
  EXPECT_EQ(root->ResourceId(), "");
}

TEST(Arn, WildcardsAllowed) {
  auto arn = Arn::Parse("arn:aws:ecr:*:783794618700:repository/*");
  ASSERT_TRUE(arn.ok());
  EXPECT_EQ(arn->region, "*");
}

TEST(Arn, MalformedArnsHaveSpecificErrors) {
  struct Case {
    const char* text;
    const char* fragment;
  } cases[] = {
      {"", "empty"},
      {"arn:aws:iam", "6 parts, found 3"},
      {"arn:aws:iam::111111111111", "6 parts, found 5"},
      {"urn:aws:iam::111111111111:root", "must start with 'arn:'"},
      {"arn::iam::111111111111:root", "partition is empty"},
      {"arn:AWS:iam::111111111111:root", "partition contains"},
      {"arn:aws::::x", "service is empty"},
      {"arn:aws:iam::111111111111:", "resource is empty"},
      {"arn:aws:iam::111111111111:ro\nle", "control character"},
  };
  for (const auto& c : cases) {
    auto arn = Arn::Parse(c.text);
    ASSERT_FALSE(arn.ok()) << c.text;
    EXPECT_EQ(arn.status().code(), ErrorCode::kMalformedArn);
    EXPECT_NE(arn.status().message().find(c.fragment), std::string::npos)
        << c.text << " -> " << arn.status().message();
  }
}

TEST(Arn, AccountIds) {
  EXPECT_TRUE(IsAccountId("000000000001"));
  EXPECT_FALSE(IsAccountId("12345678901"));
  EXPECT_FALSE(IsAccountId("1234567890123"));
  EXPECT_FALSE(IsAccountId("12345678901a"));
  EXPECT_FALSE(IsAccountId("aws"));
}

}  // namespace
}  // namespace cpa::core
