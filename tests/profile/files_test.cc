#include "profile/files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "profile/chain.h"

namespace cpa::profile {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cpa_profile_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / ".aws");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  fs::path dir_;
};

TEST_F(FilesTest, LoadsBothFilesFromHome) {
  Write(dir_ / ".aws/config", "[default]\nrole_arn = arn:r\nsource_profile = u\n");
  Write(dir_ / ".aws/credentials", "[u]\naws_access_key_id = A\naws_secret_access_key = S\n");
  auto loaded = LoadConfigFiles(Environment({{"HOME", dir_.string()}}));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->config_found);
  EXPECT_TRUE(loaded->credentials_found);
  auto chain = PlanCredentialChain(loaded->files, Environment());
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_EQ(std::get<StaticKeys>(chain->base).profile, "u");
}

TEST_F(FilesTest, MissingFilesAreEmptyAndParseErrorsNameThePath) {
  auto none = LoadConfigFiles(Environment({{"HOME", dir_.string()}}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->config_found);
  EXPECT_TRUE(none->files.profiles.empty());

  Write(dir_ / "bad", "[default]\n= us-east-1\n");
  auto bad = LoadConfigFiles(
      Environment({{"HOME", dir_.string()}, {"AWS_CONFIG_FILE", (dir_ / "bad").string()}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr((dir_ / "bad").string() + " line 2"));
}

TEST_F(FilesTest, UnreadableFileIsAnError) {
  // A path through a regular file fails with ENOTDIR even for root, unlike chmod 000.
  Write(dir_ / "plain", "[default]\n");
  const std::string path = (dir_ / "plain" / "config").string();
  auto r = LoadConfigFiles(Environment({{"HOME", dir_.string()}, {"AWS_CONFIG_FILE", path}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr(path));
}

TEST_F(FilesTest, DirectoryIsNotAnEmptyFile) {
  auto text = ReadTextFile((dir_ / ".aws").string());
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr("is a directory"));
  Environment env{{"HOME", dir_.string()}, {"AWS_CONFIG_FILE", (dir_ / ".aws").string()}};
  EXPECT_FALSE(LoadConfigFiles(env).ok());
}

TEST(Shell, RunsCommandsAndReportsExitCodes) {
  auto out = RunShellCommand("printf '%s' hello");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->exit_code, 0);
  EXPECT_EQ(out->stdout_text, "hello");
  auto failed = RunShellCommand("exit 3");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->exit_code, 3);
}

TEST(Shell, CredentialProcessEndToEnd) {
  CredentialProcess p{"default",
                      "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'",
                      "123"};
  auto c = RunCredentialProcess(p, RunShellCommand);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "A");
  EXPECT_EQ(c->account_id, "123");
}

TEST(ProcessEnv, SeesVariables) {
  ::setenv("CPA_PROFILE_TEST_VAR", "x=y", 1);
  EXPECT_EQ(ProcessEnvironment().Get("CPA_PROFILE_TEST_VAR"), "x=y");
  ::unsetenv("CPA_PROFILE_TEST_VAR");
}

}  // namespace
}  // namespace cpa::profile
