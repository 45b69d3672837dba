#include "profile/locations.h"

#include <gtest/gtest.h>

#include "suite.h"

namespace cpa::profile {
namespace {

using json = nlohmann::json;

TEST(LocationsSuite, AllLocationCasesPass) {
  json suite = testing::LoadSuite("config-file-sep/config-file-location-tests.json");
  ASSERT_TRUE(suite.is_object());
  const json& tests = suite["tests"];
  ASSERT_EQ(tests.size(), 10u) << "config-file-location-tests.json lost cases";
  int passed = 0;
  for (const json& t : tests) {
    SCOPED_TRACE(t["name"].get<std::string>());
    Environment env;
    for (const auto& [k, v] : t["environment"].items()) env.Set(k, v.get<std::string>());
    Platform platform = t["platform"] == "windows" ? Platform::kWindows : Platform::kPosix;
    std::optional<std::string> fallback;
    if (t.contains("languageSpecificHome")) fallback = t["languageSpecificHome"];
    auto loc = ResolveFileLocations(env, platform, fallback);
    if (!loc.ok()) {
      ADD_FAILURE() << loc.status().ToString();
      continue;
    }
    bool ok = true;
    if (loc->config != t["configLocation"]) {
      ADD_FAILURE() << "config " << loc->config;
      ok = false;
    }
    if (loc->credentials != t["credentialsLocation"]) {
      ADD_FAILURE() << "credentials " << loc->credentials;
      ok = false;
    }
    if (ok) ++passed;
  }
  EXPECT_EQ(passed, 10);
  std::cout << "[ suite    ] config-file-location-tests.json: " << passed << "/" << tests.size()
            << " passed\n";
}

TEST(Locations, TildeExpansion) {
  Environment env({{"HOME", "/home/u/"},
                   {"AWS_CONFIG_FILE", "~/cfg/config"},
                   {"AWS_SHARED_CREDENTIALS_FILE", "~other/creds"}});
  auto loc = ResolveFileLocations(env, Platform::kPosix, std::nullopt);
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->config, "/home/u/cfg/config");
  EXPECT_EQ(loc->credentials, "~other/creds");
  EXPECT_EQ(*ExpandHome("~", env, Platform::kPosix, std::nullopt), "/home/u/");
  EXPECT_EQ(*ExpandHome("~\\x", Environment({{"USERPROFILE", "C:\\u"}}), Platform::kWindows,
                        std::nullopt),
            "C:\\u\\x");
}

TEST(Locations, NoHomeIsAnErrorOnlyWhenNeeded) {
  Environment env({{"AWS_CONFIG_FILE", "/c"}, {"AWS_SHARED_CREDENTIALS_FILE", "/k"}});
  auto loc = ResolveFileLocations(env, Platform::kPosix, std::nullopt);
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->config, "/c");
  auto missing = ResolveFileLocations(Environment(), Platform::kPosix, std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::ErrorCode::kNotFound);
  // An empty HOME counts as unset.
  auto empty = ResolveFileLocations(Environment({{"HOME", ""}}), Platform::kPosix, "/pw");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->config, "/pw/.aws/config");
}

}  // namespace
}  // namespace cpa::profile
