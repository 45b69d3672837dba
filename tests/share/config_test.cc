// The config file of spec step 6 and the aws-secret manifest of step 7.
#include "share/config.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace cpa::share {
namespace {

const ShareConfig kSpec{"curated-packages-user",
                        "arn:aws:iam::111111111111:role/curated-packages-role", "us-west-2",
                        "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};

constexpr char kSpecConfig[] =
    "[default]\n"
    "source_profile=curated-packages-user\n"
    "role_arn=arn:aws:iam::111111111111:role/curated-packages-role\n"
    "region=us-west-2\n"
    "\n"
    "[profile curated-packages-user]\n"
    "aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

TEST(Config, RendersTheSpecsShapeExactly) { EXPECT_EQ(RenderConfig(kSpec), kSpecConfig); }

TEST(Config, ParsesItsOwnOutput) {
  auto parsed = ParseShareConfig(kSpecConfig, "DIR/config");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->source_profile, kSpec.source_profile);
  EXPECT_EQ(parsed->role_arn, kSpec.role_arn);
  EXPECT_EQ(parsed->region, kSpec.region);
  EXPECT_EQ(parsed->access_key_id, kSpec.access_key_id);
  EXPECT_EQ(parsed->secret_access_key, kSpec.secret_access_key);
}

TEST(Config, ParsesTheSameFileWrittenByHandWithSpacesAndComments) {
  auto parsed = ParseShareConfig(
      "# shared with 999999999999\n[default]\nrole_arn = arn:aws:iam::1:role/r\n"
      "source_profile = u\n\n[profile u]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n",
      "f");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->source_profile, "u");
  EXPECT_EQ(parsed->region, "");
  EXPECT_EQ(parsed->access_key_id, "AKIA1");
}

TEST(Config, ShapeErrorsAreSpecificAndNeverQuoteTheSecret) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"[profile u]\naws_access_key_id=A\naws_secret_access_key=TOPSECRET\n", "no [default]"},
      {"[default]\nsource_profile=u\n[profile u]\naws_access_key_id=A\n"
       "aws_secret_access_key=TOPSECRET\n",
       "has no role_arn"},
      {"[default]\nrole_arn=arn:aws:iam::1:role/r\naws_secret_access_key=TOPSECRET\n",
       "has no source_profile"},
      {"[default]\nrole_arn=arn:aws:iam::1:role/r\nsource_profile=u\n", "not in the file"},
      {"[default]\nrole_arn=arn:aws:iam::1:role/r\nsource_profile=u\n[profile u]\n"
       "aws_secret_access_key=TOPSECRET\n",
       "lacks aws_access_key_id"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseShareConfig(c.text, "DIR/config");
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.message), std::string::npos)
        << parsed.status().message();
    EXPECT_NE(parsed.status().message().find("DIR/config"), std::string::npos);
    EXPECT_EQ(parsed.status().message().find("TOPSECRET"), std::string::npos);
  }
}

TEST(Secret, RendersTheSpecsManifestWithTheConfigInBase64) {
  const std::string manifest = RenderAwsSecret(kSpecConfig);
  EXPECT_EQ(manifest,
            "apiVersion: v1\n"
            "kind: Secret\n"
            "metadata:\n"
            "  name: aws-secret\n"
            "  namespace: eksa-packages\n"
            "type: Opaque\n"
            "data:\n"
            "  AWS_ACCESS_KEY_ID: \"\"\n"
            "  AWS_SECRET_ACCESS_KEY: \"\"\n"
            "  REGION: \"\"\n"
            "  config: " +
                core::Base64Encode(kSpecConfig) + "\n");
  // One line, however long the file: a wrapped value would not be valid base64 in YAML data.
  const std::string b64 = manifest.substr(manifest.find("config: ") + 8);
  EXPECT_EQ(b64.find('\n'), b64.size() - 1);
  EXPECT_EQ(*core::Base64Decode(b64.substr(0, b64.size() - 1)), kSpecConfig);
}

TEST(Secret, RegionIsBase64WhenGiven) {
  const std::string manifest = RenderAwsSecret(kSpecConfig, "us-west-2");
  EXPECT_NE(manifest.find("  REGION: dXMtd2VzdC0y\n"), std::string::npos);
}

TEST(Config, MaskedRenderingHidesTheSecret) {
  const std::string masked = MaskConfigSecret(kSpec);
  EXPECT_EQ(masked.find(kSpec.secret_access_key), std::string::npos);
  EXPECT_NE(masked.find("aws_secret_access_key=****\n"), std::string::npos);
  EXPECT_NE(masked.find(kSpec.access_key_id), std::string::npos);
}

}  // namespace
}  // namespace cpa::share
