#include "profile/chain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "suite.h"

namespace cpa::profile {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

std::map<std::string, Section> SectionsFromJson(const json& j) {
  std::map<std::string, Section> out;
  for (const auto& [name, props] : j.items()) {
    Section s;
    s.name = name;
    for (const auto& [k, v] : props.items()) s.properties[k] = Property{v.get<std::string>(), {}};
    out[name] = s;
  }
  return out;
}

void PutOptional(json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}

// The suite's representation of a chain.
json ChainToJson(const ProviderChain& chain) {
  json steps = json::array();
  struct Visitor {
    json operator()(const StaticKeys& k) const {
      json j = {{"access_key_id", k.credentials.access_key_id},
                {"secret_access_key", k.credentials.secret_access_key}};
      if (!k.credentials.session_token.empty()) j["session_token"] = k.credentials.session_token;
      if (!k.credentials.account_id.empty()) j["account_id"] = k.credentials.account_id;
      return {{"AccessKey", j}};
    }
    json operator()(const NamedSource& s) const {
      return {{"NamedSource", std::string(CredentialSourceName(s.source))}};
    }
    json operator()(const WebIdentityToken& w) const {
      json j = {{"role_arn", w.role_arn}, {"web_identity_token_file", w.web_identity_token_file}};
      PutOptional(j, "role_session_name", w.role_session_name);
      return {{"WebIdentityToken", j}};
    }
    json operator()(const CredentialProcess& c) const {
      return {{"CredentialProcess", {{"command", c.command}}}};
    }
    json operator()(const SsoConfig& s) const {
      json j = json::object();
      PutOptional(j, "sso_session", s.sso_session);
      PutOptional(j, "sso_account_id", s.sso_account_id);
      PutOptional(j, "sso_region", s.sso_region);
      PutOptional(j, "sso_role_name", s.sso_role_name);
      PutOptional(j, "sso_start_url", s.sso_start_url);
      return {{"Sso", j}};
    }
  };
  steps.push_back(std::visit(Visitor{}, chain.base));
  for (const auto& role : chain.roles) {
    json j = {{"role_arn", role.role_arn}};
    PutOptional(j, "external_id", role.external_id);
    PutOptional(j, "role_session_name", role.role_session_name);
    steps.push_back({{"AssumeRole", j}});
  }
  return steps;
}

TEST(ChainSuite, AllAssumeRoleCasesPass) {
  json tests = testing::LoadSuite("credential-providers-smithy-rs/assume-role-tests.json");
  ASSERT_TRUE(tests.is_array());
  ASSERT_EQ(tests.size(), 28u) << "assume-role-tests.json lost cases";
  int passed = 0, valid = 0, errors = 0;
  for (const json& t : tests) {
    SCOPED_TRACE(t["docs"].get<std::string>());
    ConfigFile files;
    files.profiles = SectionsFromJson(t["input"]["profiles"]);
    if (t["input"].contains("sso_sessions")) {
      files.sso_sessions = SectionsFromJson(t["input"]["sso_sessions"]);
    }
    auto chain = ResolveProfileChain(files, t["input"]["selected_profile"].get<std::string>());
    const json& out = t["output"];
    if (out.contains("Error")) {
      ++errors;
      if (chain.ok()) {
        ADD_FAILURE() << "expected error " << out["Error"] << ", got " << chain->ToString();
      } else if (chain.status().message().find(out["Error"].get<std::string>()) ==
                 std::string::npos) {
        ADD_FAILURE() << "error " << chain.status().message() << " lacks " << out["Error"];
      } else {
        ++passed;
      }
    } else {
      ++valid;
      if (!chain.ok()) {
        ADD_FAILURE() << chain.status().ToString();
      } else if (ChainToJson(*chain) != out["ProfileChain"]) {
        ADD_FAILURE() << "got " << ChainToJson(*chain).dump() << " want "
                      << out["ProfileChain"].dump();
      } else {
        ++passed;
      }
    }
  }
  EXPECT_EQ(valid, 13);
  EXPECT_EQ(errors, 15);
  EXPECT_EQ(passed, 28);
  std::cout << "[ suite    ] assume-role-tests.json: " << passed << "/" << tests.size()
            << " passed\n";
}

ConfigFile Parse(const std::string& config, const std::string& credentials = "") {
  auto r = ParseConfigFiles(config, credentials);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ConfigFile{};
}

const char* kSpecConfig =
    "[default]\n"
    "source_profile=curated-packages-user\n"
    "role_arn=arn:aws:iam::111111111111:role/curated-packages-role\n"
    "region=us-west-2\n"
    "\n"
    "[profile curated-packages-user]\n"
    "aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

TEST(Chain, SpecStepSixResolvesToStaticKeysThenAssumeRole) {
  ConfigFile files = Parse(kSpecConfig);
  auto chain = PlanCredentialChain(files, Environment());
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  const auto* keys = std::get_if<StaticKeys>(&chain->base);
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->profile, "curated-packages-user");
  EXPECT_EQ(keys->credentials.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  ASSERT_EQ(chain->roles.size(), 1u);
  EXPECT_EQ(chain->roles[0].profile, "default");
  EXPECT_EQ(chain->roles[0].role_arn, "arn:aws:iam::111111111111:role/curated-packages-role");
  std::string text = chain->ToString();
  EXPECT_THAT(text, Not(HasSubstr("wJalr")));
  EXPECT_THAT(text, HasSubstr("****************MPLE"));
  EXPECT_THAT(text, HasSubstr("AssumeRole arn:aws:iam::111111111111:role/curated-packages-role"));

  auto region = ResolveRegion(files, Environment(), "default");
  ASSERT_TRUE(region.has_value());
  EXPECT_EQ(region->region, "us-west-2");
  EXPECT_EQ(region->source, "profile `default`");
}

TEST(Chain, LongChainsAndStepOptions) {
  ConfigFile files = Parse(
      "[profile a]\nrole_arn = arn:a\nsource_profile = b\nexternal_id = ext\n"
      "duration_seconds = 3600\nrole_session_name = sess\n"
      "[profile b]\nrole_arn = arn:b\nsource_profile = c\n"
      "[profile c]\nrole_arn = arn:c\nsource_profile = d\n"
      "[profile d]\nrole_arn = arn:d\ncredential_source = Environment\n");
  auto chain = ResolveProfileChain(files, "a");
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  const auto* source = std::get_if<NamedSource>(&chain->base);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->source, CredentialSource::kEnvironment);
  ASSERT_EQ(chain->roles.size(), 4u);
  EXPECT_EQ(chain->roles[0].role_arn, "arn:d");
  EXPECT_EQ(chain->roles[3].role_arn, "arn:a");
  EXPECT_EQ(chain->roles[3].external_id, "ext");
  EXPECT_EQ(chain->roles[3].duration_seconds, 3600);
  EXPECT_EQ(chain->roles[3].role_session_name, "sess");
}

TEST(Chain, BadDurationAndUnknownCredentialSource) {
  auto r1 =
      ResolveProfileChain(Parse("[default]\nrole_arn = arn:a\ncredential_source = Environment\n"
                                "duration_seconds = 60\n"),
                          "default");
  ASSERT_FALSE(r1.ok());
  EXPECT_THAT(r1.status().message(), HasSubstr("profile `default`: duration_seconds `60`"));
  auto r2 = ResolveProfileChain(Parse("[default]\nrole_arn = arn:a\ncredential_source = Lambda\n"),
                                "default");
  ASSERT_FALSE(r2.ok());
  EXPECT_THAT(r2.status().message(), HasSubstr("credential_source `Lambda`"));
}

TEST(Chain, CredentialProcessKeepsProfileAccountId) {
  auto chain = ResolveProfileChain(
      Parse("[default]\ncredential_process = /bin/get-creds\naws_account_id = 123\n"), "default");
  ASSERT_TRUE(chain.ok());
  const auto* p = std::get_if<CredentialProcess>(&chain->base);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->command, "/bin/get-creds");
  EXPECT_EQ(p->account_id, "123");
}

TEST(Chain, MissingProfileErrorsNameIt) {
  auto r = ResolveProfileChain(Parse("[profile a]\nregion = x\n"), "nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("profile `nope` was not found"));
}

TEST(Chain, LoopMessageShowsThePath) {
  auto r = ResolveProfileChain(Parse("[profile a]\nrole_arn = x\nsource_profile = b\n"
                                     "[profile b]\nrole_arn = y\nsource_profile = a\n"),
                               "a");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("`a` -> `b` -> `a`"));
}

TEST(DefaultChain, EnvironmentKeysWinOverAwsProfile) {
  Environment env({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                   {"AWS_SECRET_ACCESS_KEY", "secret"},
                   {"AWS_SESSION_TOKEN", "token"},
                   {"AWS_PROFILE", "curated-packages-user"}});
  auto chain = PlanCredentialChain(Parse(kSpecConfig), env);
  ASSERT_TRUE(chain.ok());
  const auto* keys = std::get_if<StaticKeys>(&chain->base);
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->profile, "");
  EXPECT_EQ(keys->credentials.session_token, "token");
  EXPECT_TRUE(chain->roles.empty());
}

TEST(DefaultChain, ExplicitProfileBypassesEnvironmentKeys) {
  Environment env({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "secret"}});
  auto chain = PlanCredentialChain(Parse(kSpecConfig), env, ChainOptions{"curated-packages-user"});
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(std::get<StaticKeys>(chain->base).profile, "curated-packages-user");
}

TEST(DefaultChain, AwsProfileSelectsAndMustExist) {
  ConfigFile files = Parse(kSpecConfig);
  auto chain = PlanCredentialChain(files, Environment({{"AWS_PROFILE", "curated-packages-user"}}));
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->roles.empty());
  auto missing = PlanCredentialChain(files, Environment({{"AWS_PROFILE", "other"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("`other`"));
}

TEST(DefaultChain, FallsThroughToWebIdentityAndContainer) {
  ConfigFile files = Parse("[default]\nregion = us-east-1\n");
  auto web = PlanCredentialChain(
      files, Environment({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}, {"AWS_ROLE_ARN", "arn:r"}}));
  ASSERT_TRUE(web.ok()) << web.status().ToString();
  EXPECT_EQ(std::get<WebIdentityToken>(web->base).role_arn, "arn:r");
  auto ecs = PlanCredentialChain(
      ConfigFile{}, Environment({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}}));
  ASSERT_TRUE(ecs.ok());
  EXPECT_EQ(std::get<NamedSource>(ecs->base).source, CredentialSource::kEcsContainer);
  auto none = PlanCredentialChain(files, Environment());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), core::ErrorCode::kNotFound);
}

TEST(DefaultChain, PartialEnvironmentKeysAreAnError) {
  auto r = PlanCredentialChain(ConfigFile{}, Environment({{"AWS_ACCESS_KEY_ID", "AKID"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("AWS_SECRET_ACCESS_KEY is not"));
}

TEST(Region, EnvironmentOrder) {
  ConfigFile files = Parse(kSpecConfig);
  EXPECT_EQ(
      ResolveRegion(
          files, Environment({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "ap-south-1"}}),
          "default")
          ->region,
      "eu-west-1");
  EXPECT_EQ(
      ResolveRegion(files, Environment({{"AWS_DEFAULT_REGION", "ap-south-1"}}), "default")->source,
      "AWS_DEFAULT_REGION");
  EXPECT_FALSE(ResolveRegion(files, Environment(), "curated-packages-user").has_value());
}

}  // namespace
}  // namespace cpa::profile
