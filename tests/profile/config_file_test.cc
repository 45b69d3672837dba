#include "profile/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "suite.h"

namespace cpa::profile {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

json SectionsToJson(const std::map<std::string, Section>& sections) {
  json out = json::object();
  for (const auto& [name, section] : sections) {
    json props = json::object();
    for (const auto& [key, prop] : section.properties) {
      if (prop.sub_properties) {
        json sub = json::object();
        for (const auto& [sk, sv] : *prop.sub_properties) sub[sk] = sv;
        props[key] = sub;
      } else {
        props[key] = prop.value;
      }
    }
    out[name] = props;
  }
  return out;
}

TEST(ConfigFileSuite, AllParserCasesPass) {
  json suite = testing::LoadSuite("config-file-sep/config-file-parser-tests.json");
  ASSERT_TRUE(suite.is_object());
  const json& tests = suite["tests"];
  ASSERT_EQ(tests.size(), 118u) << "config-file-parser-tests.json lost cases";
  int passed = 0;
  for (const json& t : tests) {
    SCOPED_TRACE(t["name"].get<std::string>());
    const json& in = t["input"];
    const json& out = t["output"];
    auto parsed = ParseConfigFiles(in.value("configFile", ""), in.value("credentialsFile", ""));
    bool ok = true;
    if (out.contains("errorContaining")) {
      if (parsed.ok()) {
        ADD_FAILURE() << "expected an error containing " << out["errorContaining"];
        ok = false;
      } else if (parsed.status().message().find(out["errorContaining"].get<std::string>()) ==
                 std::string::npos) {
        ADD_FAILURE() << "error " << parsed.status().message() << " lacks "
                      << out["errorContaining"];
        ok = false;
      }
    } else {
      if (!parsed.ok()) {
        ADD_FAILURE() << parsed.status().ToString();
        ok = false;
      } else {
        if (out.contains("profiles") && SectionsToJson(parsed->profiles) != out["profiles"]) {
          ADD_FAILURE() << "profiles: got " << SectionsToJson(parsed->profiles).dump() << " want "
                        << out["profiles"].dump();
          ok = false;
        }
        if (out.contains("ssoSessions") &&
            SectionsToJson(parsed->sso_sessions) != out["ssoSessions"]) {
          ADD_FAILURE() << "ssoSessions: got " << SectionsToJson(parsed->sso_sessions).dump()
                        << " want " << out["ssoSessions"].dump();
          ok = false;
        }
      }
    }
    if (ok) ++passed;
  }
  EXPECT_EQ(passed, 118);
  std::cout << "[ suite    ] config-file-parser-tests.json: " << passed << "/" << tests.size()
            << " passed\n";
}

TEST(ConfigFile, ErrorsNameFileAndLine) {
  auto r = ParseFile("[profile a]\nx = 1\n\nbad line\n", FileKind::kConfig, "/home/u/.aws/config");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "/home/u/.aws/config line 4: Expected an '=' sign defining a property");
}

TEST(ConfigFile, ErrorsNeverQuoteTheLine) {
  auto r = ParseFile("[default]\naws_secret_access_key wJalrXUtnFEMI\n", FileKind::kCredentials,
                     "creds");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), Not(HasSubstr("wJalr")));
}

TEST(ConfigFile, SpecStepSixShape) {
  const char* text =
      "[default]\n"
      "source_profile=curated-packages-user\n"
      "role_arn=arn:aws:iam::111111111111:role/curated-packages-role\n"
      "region=us-west-2\n"
      "\n"
      "[profile curated-packages-user]\n"
      "aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n"
      "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
  auto r = ParseConfigFiles(text, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->profiles.size(), 2u);
  EXPECT_EQ(r->FindProfile("default")->Get("ROLE_ARN"),
            "arn:aws:iam::111111111111:role/curated-packages-role");
  EXPECT_EQ(r->FindProfile("curated-packages-user")->Get("aws_access_key_id"),
            "AKIAIOSFODNN7EXAMPLE");
  EXPECT_TRUE(r->warnings.empty());
}

TEST(ConfigFile, ServicesSectionsAndSubProperties) {
  auto r = ParseConfigFiles(
      "[default]\nservices = urls\n[services urls]\nsts =\n  endpoint_url = http://x\n", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Section* s = r->FindServices("urls");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->GetSub("STS", "Endpoint_URL"), "http://x");
  EXPECT_EQ(s->GetSub("sts", "missing"), std::nullopt);
  EXPECT_EQ(r->FindProfile("default")->Get("services"), "urls");
}

TEST(ConfigFile, CredentialsFileWinsAndWarningsNameTheFile) {
  auto r = ParseConfigFiles("[profile a]\nregion = us-east-1\nkey = c\n[bogus]\n",
                            "[a]\nkey = k\n[profile b]\n", "cfg", "creds");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->FindProfile("a")->Get("key"), "k");
  EXPECT_EQ(r->FindProfile("a")->Get("region"), "us-east-1");
  EXPECT_EQ(r->FindProfile("b"), nullptr);
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_THAT(r->warnings[0], HasSubstr("cfg line 4"));
  EXPECT_THAT(r->warnings[1], HasSubstr("creds line 3"));
}

TEST(ConfigFile, ToStringMasksSecrets) {
  auto r = ParseConfigFiles("",
                            "[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                            "aws_secret_access_key = wJalrXUtnFEMI\naws_session_token = tok123\n");
  ASSERT_TRUE(r.ok());
  std::string s = r->FindProfile("a")->ToString();
  EXPECT_THAT(s, Not(HasSubstr("wJalr")));
  EXPECT_THAT(s, Not(HasSubstr("tok123")));
  EXPECT_THAT(s, HasSubstr("aws_secret_access_key=****"));
}

TEST(ConfigFile, ValidIdentifiers) {
  EXPECT_TRUE(IsValidIdentifier("a-b_c/d.e%f@g:h+i"));
  EXPECT_FALSE(IsValidIdentifier(""));
  EXPECT_FALSE(IsValidIdentifier("in valid"));
  EXPECT_FALSE(IsValidIdentifier("a]b"));
}

}  // namespace
}  // namespace cpa::profile
