// Docker config merging (other registries and unknown keys kept, aliases of our registries
// replaced, corrupt files refused), the Secret payload and the ecr-token Secret manifest.
#include "agent/docker_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace cpa::agent {
namespace {

using nlohmann::json;

const std::vector<RegistryAuth> kAuths = {
    {"346438352937.dkr.ecr.us-west-2.amazonaws.com", "AWS", "pass-1"},
    {"111111111111.dkr.ecr.us-east-1.localhost:4566", "AWS", "pass-2"},
};

TEST(NormalizeAuthKey, AsDockerDoes) {
  EXPECT_EQ(NormalizeAuthKey("https://Host.Example:5000/v1/"), "host.example:5000");
  EXPECT_EQ(NormalizeAuthKey("http://host"), "host");
  EXPECT_EQ(NormalizeAuthKey("host:5000"), "host:5000");
  EXPECT_EQ(NormalizeAuthKey("quay.io/org/repo"), "quay.io");
}

TEST(MergeDockerConfig, NewFile) {
  auto text = MergeDockerConfig("", kAuths);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->back(), '\n');
  json doc = json::parse(*text);
  const json& e = doc["auths"]["346438352937.dkr.ecr.us-west-2.amazonaws.com"];
  EXPECT_EQ(e["username"], "AWS");
  EXPECT_EQ(e["password"], "pass-1");
  EXPECT_EQ(e["auth"], core::Base64Encode("AWS:pass-1"));
  EXPECT_TRUE(doc["auths"].contains("111111111111.dkr.ecr.us-east-1.localhost:4566"));
  EXPECT_EQ(doc.size(), 1u);
}

TEST(MergeDockerConfig, KeepsOthersAndReplacesAliases) {
  const std::string existing = R"({
  "credHelpers": {"public.ecr.aws": "ecr-login"},
  "auths": {
    "quay.io": {"auth": "cXVheTpwdw=="},
    "https://346438352937.dkr.ecr.us-west-2.amazonaws.com": {"auth": "b2xkOm9sZA=="},
    "346438352937.dkr.ecr.us-west-2.amazonaws.com/v2/": {"auth": "b2xkOm9sZA=="},
    "111111111111.dkr.ecr.us-east-1.localhost": {"auth": "b3RoZXI6cG9ydA=="}
  },
  "psFormat": "table {{.ID}}"
})";
  auto text = MergeDockerConfig(existing, kAuths);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  json doc = json::parse(*text);
  EXPECT_EQ(doc["credHelpers"]["public.ecr.aws"], "ecr-login");
  EXPECT_EQ(doc["psFormat"], "table {{.ID}}");
  const json& auths = doc["auths"];
  EXPECT_EQ(auths["quay.io"]["auth"], "cXVheTpwdw==");
  // Both aliases of the packages registry are gone; the bare key holds the new login.
  EXPECT_FALSE(auths.contains("https://346438352937.dkr.ecr.us-west-2.amazonaws.com"));
  EXPECT_FALSE(auths.contains("346438352937.dkr.ecr.us-west-2.amazonaws.com/v2/"));
  EXPECT_EQ(auths["346438352937.dkr.ecr.us-west-2.amazonaws.com"]["password"], "pass-1");
  // Another port is another registry.
  EXPECT_TRUE(auths.contains("111111111111.dkr.ecr.us-east-1.localhost"));
  EXPECT_EQ(auths.size(), 4u);
  // Top-level order is kept.
  EXPECT_LT(text->find("credHelpers"), text->find("psFormat"));
}

TEST(MergeDockerConfig, UrlKeyStyle) {
  auto text = MergeDockerConfig("{\"auths\":{\"346438352937.dkr.ecr.us-west-2.amazonaws.com\":{}}}",
                                kAuths, AuthKeyStyle::kHttpsUrl);
  ASSERT_TRUE(text.ok());
  json auths = json::parse(*text)["auths"];
  EXPECT_TRUE(auths.contains("https://346438352937.dkr.ecr.us-west-2.amazonaws.com"));
  EXPECT_FALSE(auths.contains("346438352937.dkr.ecr.us-west-2.amazonaws.com"));
}

TEST(MergeDockerConfig, RefusesWhatIsNotADockerConfig) {
  for (const char* bad : {"{\"auths\": [1]}", "[1,2]", "{\"auths\": {\"x\": 1}, ", "password123"}) {
    SCOPED_TRACE(bad);
    auto r = MergeDockerConfig(bad, kAuths);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().find("password123"), std::string::npos);
  }
  EXPECT_TRUE(MergeDockerConfig("  \n", kAuths).ok());
  EXPECT_TRUE(MergeDockerConfig("{}", kAuths).ok());
  EXPECT_TRUE(MergeDockerConfig("{\"auths\": null}", kAuths).ok());
}

TEST(RenderDockerConfigJson, TheRefreshersBytes) {
  // The reference's §3.5 example shape: compact, its field order, the placeholder email.
  const std::string payload = RenderDockerConfigJson({kAuths.data(), 1});
  EXPECT_EQ(payload,
            R"({"auths":{"https://346438352937.dkr.ecr.us-west-2.amazonaws.com":{"username":"AWS",)"
            R"("password":"pass-1","email":"test@test.com","auth":")" +
                core::Base64Encode("AWS:pass-1") + R"("}}})");
  EXPECT_EQ(RenderDockerConfigJson({}), R"({"auths":{}})");
  // Keys sorted; the last entry for a key wins; empty values become placeholders.
  const std::vector<RegistryAuth> auths = {
      {"b.example", "AWS", "x"}, {"a.example", "", ""}, {"b.example", "AWS", "y"}};
  EXPECT_EQ(RenderDockerConfigJson(auths, AuthKeyStyle::kHost),
            R"({"auths":{"a.example":{"username":"username","password":"password",)"
            R"("email":"test@test.com","auth":"dXNlcm5hbWU6cGFzc3dvcmQ="},)"
            R"("b.example":{"username":"AWS","password":"y","email":"test@test.com",)"
            R"("auth":")" +
                core::Base64Encode("AWS:y") + R"("}}})");
}

TEST(RenderDockerConfigJson, TheReferenceExampleLiterally) {
  // Reference section 3.5, every byte spelled out (base64("AWS:pass") = QVdTOnBhc3M=).
  const std::vector<RegistryAuth> auths = {
      {"783794618700.dkr.ecr.us-west-2.amazonaws.com", "AWS", "pass"}};
  EXPECT_EQ(
      RenderDockerConfigJson(auths),
      R"({"auths":{"https://783794618700.dkr.ecr.us-west-2.amazonaws.com":)"
      R"({"username":"AWS","password":"pass","email":"test@test.com","auth":"QVdTOnBhc3M="}}})");
}

}  // namespace
}  // namespace cpa::agent
