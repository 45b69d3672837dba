// The docker config output: merge into the existing file, mode 0600, refusal of a corrupt file,
// and a failed write that leaves the old file as it was.
#include "agent/output.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes.h"

namespace cpa::agent {
namespace {

using testing::MemoryFileSystem;

const std::vector<RegistryAuth> kAuths = {
    {"346438352937.dkr.ecr.us-west-2.localhost:4566", "AWS", "pw"}};

TEST(DockerConfigFileOutput, CreatesAndMerges) {
  MemoryFileSystem fs;
  fs.files["/d/config.json"] = R"({"auths":{"quay.io":{"auth":"eDp5"}},"detachKeys":"ctrl-x"})";
  DockerConfigFileOutput out(&fs, "/d/config.json");
  EXPECT_EQ(out.Describe(), "docker config /d/config.json");
  ASSERT_TRUE(out.Write(kAuths).ok());
  EXPECT_EQ(fs.modes["/d/config.json"], 0600u);
  auto doc = nlohmann::json::parse(fs.files["/d/config.json"]);
  EXPECT_EQ(doc["detachKeys"], "ctrl-x");
  EXPECT_EQ(doc["auths"]["quay.io"]["auth"], "eDp5");
  EXPECT_EQ(doc["auths"]["346438352937.dkr.ecr.us-west-2.localhost:4566"]["password"], "pw");

  DockerConfigFileOutput fresh(&fs, "/d/new.json");
  ASSERT_TRUE(fresh.Write(kAuths).ok());
  EXPECT_TRUE(fs.files.contains("/d/new.json"));
}

TEST(DockerConfigFileOutput, RefusesACorruptFile) {
  MemoryFileSystem fs;
  fs.files["/d/config.json"] = "not json";
  DockerConfigFileOutput out(&fs, "/d/config.json");
  WriteResult w = out.Write(kAuths);
  ASSERT_EQ(w.failures.size(), 1u);
  EXPECT_FALSE(w.stored);
  EXPECT_EQ(w.failures[0].cause, FailureCause::kOutput);
  EXPECT_EQ(w.failures[0].message,
            "docker config /d/config.json: refusing to replace the docker config "
            "/d/config.json: it is not valid JSON");
  EXPECT_EQ(fs.files["/d/config.json"], "not json");
  EXPECT_EQ(fs.writes, 0);
}

TEST(DockerConfigFileOutput, FailedWriteKeepsTheOldFile) {
  MemoryFileSystem fs;
  fs.files["/d/config.json"] = "{}";
  fs.fail_writes = "cannot write /d/.config.json.tmp-1: No space left on device";
  DockerConfigFileOutput out(&fs, "/d/config.json");
  WriteResult w = out.Write(kAuths);
  ASSERT_EQ(w.failures.size(), 1u);
  EXPECT_FALSE(w.stored);
  EXPECT_EQ(w.failures[0].cause, FailureCause::kOutput);
  EXPECT_EQ(w.failures[0].message,
            "docker config /d/config.json: cannot write the docker config (the previous file is "
            "kept): cannot write /d/.config.json.tmp-1: No space left on device");
  EXPECT_EQ(fs.files["/d/config.json"], "{}");
}

}  // namespace
}  // namespace cpa::agent
