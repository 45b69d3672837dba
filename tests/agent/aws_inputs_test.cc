// AWS settings: the aws-secret forms (config wins over keys, quotes stripped), the config file
// sources and their precedence, the region's precedence, and error messages that name the key or
// file and line but never a value.
#include "agent/aws_inputs.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace cpa::agent {
namespace {

using testing::MemoryFileSystem;

constexpr char kSpecConfig[] =
    "[default]\n"
    "source_profile=curated-packages-user\n"
    "role_arn=arn:aws:iam::111111111111:role/curated-packages-role\n"
    "region=us-west-2\n"
    "\n"
    "[profile curated-packages-user]\n"
    "aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

TEST(TrimSecretValue, StripsWhitespaceThenSingleQuotes) {
  EXPECT_EQ(TrimSecretValue("'AKIA123'"), "AKIA123");
  EXPECT_EQ(TrimSecretValue("  'us-west-2'\n"), "us-west-2");
  EXPECT_EQ(TrimSecretValue("''x''"), "x");  // strings.Trim removes every leading/trailing quote
  EXPECT_EQ(TrimSecretValue("a'b"), "a'b");
  EXPECT_EQ(TrimSecretValue("''"), "");
}

TEST(SettingsFromSecretData, ConfigOverridesTheKeys) {
  SecretData data{{"config", kSpecConfig},
                  {"AWS_ACCESS_KEY_ID", "AKIAOTHER"},
                  {"AWS_SECRET_ACCESS_KEY", "other-secret"},
                  {"REGION", "'eu-west-1'"}};
  auto s = SettingsFromSecretData(data, "Secret eksa-packages/aws-secret");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->form, SettingsForm::kConfig);
  EXPECT_EQ(s->config_text, kSpecConfig);
  EXPECT_EQ(s->config_name, "Secret eksa-packages/aws-secret key `config`");
  EXPECT_EQ(s->secret_region, "eu-west-1");
  ASSERT_NE(s->files.FindProfile("curated-packages-user"), nullptr);
  ASSERT_EQ(s->notes.size(), 1u);
  EXPECT_NE(s->notes[0].find("overrides AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(s->notes[0].find("AKIAOTHER"), std::string::npos);
}

TEST(SettingsFromSecretData, TheSpecSecretWithEmptyKeys) {
  // Step 7 of the spec: empty key fields, the config base64-decoded.
  SecretData data{{"AWS_ACCESS_KEY_ID", ""},
                  {"AWS_SECRET_ACCESS_KEY", ""},
                  {"REGION", ""},
                  {"config", kSpecConfig}};
  auto s = SettingsFromSecretData(data, "Secret eksa-packages/aws-secret");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->notes.empty());
  EXPECT_EQ(s->secret_region, "");
}

TEST(SettingsFromSecretData, KeysBecomeADefaultProfile) {
  SecretData data{{"AWS_ACCESS_KEY_ID", "'AKIAIOSFODNN7EXAMPLE'"},
                  {"AWS_SECRET_ACCESS_KEY", "'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'\n"},
                  {"AWS_SESSION_TOKEN", "tok+en/=="},
                  {"REGION", "us-west-2"},
                  {"config", "  \n"}};  // blank: treated as absent
  auto s = SettingsFromSecretData(data, "--secret-dir /s");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->form, SettingsForm::kKeys);
  const profile::Section* p = s->files.FindProfile("default");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Get("aws_access_key_id"), "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(p->Get("aws_secret_access_key"), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(p->Get("aws_session_token"), "tok+en/==");
  EXPECT_FALSE(p->Get("region").has_value());  // the region comes from ChooseRegion
  EXPECT_EQ(s->secret_region, "us-west-2");
}

TEST(SettingsFromSecretData, MissingOrPartialKeys) {
  auto none = SettingsFromSecretData({{"REGION", "us-west-2"}}, "Secret x");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "Secret x has neither a non-empty `config` nor AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY");
  auto half = SettingsFromSecretData({{"AWS_ACCESS_KEY_ID", "AKIAX"}}, "Secret x");
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().message(),
            "Secret x has AWS_ACCESS_KEY_ID but no AWS_SECRET_ACCESS_KEY (and no `config`)");
}

TEST(SettingsFromSecretData, AKeyWithALineBreakIsRefusedWithoutQuotingIt) {
  // A newline would inject lines into the generated profile.
  auto s = SettingsFromSecretData(
      {{"AWS_ACCESS_KEY_ID", "AKIAX"}, {"AWS_SECRET_ACCESS_KEY", "sec\nrole_arn=x"}}, "Secret x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("AWS_SECRET_ACCESS_KEY contains"), std::string::npos);
  EXPECT_EQ(s.status().message().find("sec\n"), std::string::npos);
  EXPECT_EQ(s.status().message().find("role_arn"), std::string::npos);
}

TEST(SettingsFromSecretData, MalformedConfigNamesTheKeyAndLineButNotTheText) {
  const std::string config =
      "[default]\nregion=us-west-2\naws_secret_access_key SECRETVALUE-no-equals\n";
  auto s = SettingsFromSecretData({{"config", config}}, "Secret eksa-packages/aws-secret");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), core::ErrorCode::kInvalidArgument);
  const std::string& m = s.status().message();
  EXPECT_NE(m.find("Secret eksa-packages/aws-secret key `config`"), std::string::npos) << m;
  EXPECT_NE(m.find("line 3"), std::string::npos) << m;
  EXPECT_EQ(m.find("SECRETVALUE"), std::string::npos) << m;
}

TEST(SettingsFromConfigText, EmptyFileIsAnError) {
  auto s = SettingsFromConfigText("\n\n", "--config /c", "/c");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "the AWS config /c is empty");
}

TEST(ReadSecretDir, ReadsTheKnownKeysOnly) {
  MemoryFileSystem fs;
  fs.files["/s/config"] = kSpecConfig;
  fs.files["/s/REGION"] = "us-west-2";
  fs.files["/s/other"] = "ignored";
  auto data = ReadSecretDir(fs, "/s/");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->size(), 2u);
  EXPECT_EQ(data->at("REGION"), "us-west-2");

  auto empty = ReadSecretDir(fs, "/nowhere");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), core::ErrorCode::kNotFound);
  EXPECT_NE(empty.status().message().find("is the aws-secret Secret mounted there?"),
            std::string::npos);
}

struct LoadFixture {
  MemoryFileSystem fs;
  profile::Environment env;
  LoadFixture() {
    fs.files["/flag/config"] = kSpecConfig;
    fs.files["/env/config"] =
        "[default]\nregion=eu-west-1\naws_access_key_id=A\n"
        "aws_secret_access_key=B\n";
    fs.files["/dir/AWS_ACCESS_KEY_ID"] = "AKIADIR";
    fs.files["/dir/AWS_SECRET_ACCESS_KEY"] = "dirsecret";
    fs.files["/dir/REGION"] = "ap-south-1";
  }
};

TEST(LoadSettings, ConfigFlagFirst) {
  LoadFixture f;
  f.env.Set("EKSA_AWS_CONFIG_FILE", "/env/config");
  auto s = LoadSettings(f.fs, {"/flag/config", ""}, f.env);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->origin, "--config /flag/config");
  EXPECT_EQ(s->config_name, "/flag/config");
  ASSERT_EQ(s->notes.size(), 1u);
  EXPECT_EQ(s->notes[0], "EKSA_AWS_CONFIG_FILE ignored: --config /flag/config given");
}

TEST(LoadSettings, SecretDirBeforeTheEnvironment) {
  LoadFixture f;
  f.env.Set("EKSA_AWS_CONFIG_FILE", "/env/config");
  auto s = LoadSettings(f.fs, {"", "/dir"}, f.env);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->form, SettingsForm::kKeys);
  EXPECT_EQ(s->origin, "--secret-dir /dir");
  EXPECT_EQ(s->secret_region, "ap-south-1");

  // With a config file in the directory, the config wins and is named by its path.
  f.fs.files["/dir/config"] =
      "[default]\nregion=us-east-2\naws_access_key_id=A\n"
      "aws_secret_access_key=B\nbroken line\n";
  auto bad = LoadSettings(f.fs, {"", "/dir"}, f.env);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/dir/config line 5"), std::string::npos)
      << bad.status().message();
}

TEST(LoadSettings, EksaEnvironment) {
  LoadFixture f;
  f.env.Set("EKSA_AWS_CONFIG_FILE", "/env/config");
  auto s = LoadSettings(f.fs, {}, f.env);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->origin, "EKSA_AWS_CONFIG_FILE");

  f.env.Set("EKSA_AWS_CONFIG_FILE", "/missing");
  auto missing = LoadSettings(f.fs, {}, f.env);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "EKSA_AWS_CONFIG_FILE: the AWS config /missing does not exist");

  profile::Environment keys{{"EKSA_AWS_ACCESS_KEY_ID", "AKIAENV"},
                            {"EKSA_AWS_SECRET_ACCESS_KEY", "envsecret"},
                            {"EKSA_AWS_SESSION_TOKEN", "envtoken"}};
  auto k = LoadSettings(f.fs, {}, keys);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->form, SettingsForm::kKeys);
  EXPECT_EQ(k->files.FindProfile("default")->Get("aws_session_token"), "envtoken");

  auto nothing = LoadSettings(f.fs, {}, profile::Environment{});
  ASSERT_FALSE(nothing.ok());
  EXPECT_NE(nothing.status().message().find("no AWS settings"), std::string::npos);
}

TEST(ChooseRegion, Precedence) {
  auto s = SettingsFromSecretData({{"config", kSpecConfig}, {"REGION", "eu-west-1"}}, "Secret x");
  ASSERT_TRUE(s.ok());
  profile::Environment env{{"EKSA_AWS_REGION", "ap-south-1"}};

  auto r = ChooseRegion(*s, "default", "ca-central-1", env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region, "ca-central-1");
  EXPECT_EQ(r->source, "--region");

  r = ChooseRegion(*s, "default", "", env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region, "us-west-2");
  EXPECT_EQ(r->source, "region of profile `default` in Secret x key `config`");

  // The user profile has no region: the Secret's REGION, then EKSA_AWS_REGION.
  r = ChooseRegion(*s, "curated-packages-user", "", env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region, "eu-west-1");
  EXPECT_EQ(r->source, "REGION of Secret x");

  s->secret_region.clear();
  r = ChooseRegion(*s, "curated-packages-user", "", env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region, "ap-south-1");
  EXPECT_EQ(r->source, "EKSA_AWS_REGION");

  auto none = ChooseRegion(*s, "curated-packages-user", "", profile::Environment{});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no region"), std::string::npos);

  auto bad = ChooseRegion(*s, "default", "US West 2", env);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "the region `US West 2` from --region is not a region name");
}

}  // namespace
}  // namespace cpa::agent
