// LocalFiles against a temporary directory: atomic replacement, modes, missing files.
#include "share/local_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace cpa::share {
namespace {

namespace fs = std::filesystem;

class LocalFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cpa-share-files-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Entries(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
  LocalFiles files_;
};

TEST_F(LocalFilesTest, MissingFileIsNullopt) {
  auto r = files_.Read(dir_ + "/config");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  auto nested = files_.Read(dir_ + "/no/such/dir/config");
  ASSERT_TRUE(nested.ok());
  EXPECT_FALSE(*nested);
}

TEST_F(LocalFilesTest, WriteAtomicSetsTheModeDespiteTheUmaskAndLeavesNoTemporaryFile) {
  const mode_t old = ::umask(0077);
  ASSERT_TRUE(files_.WriteAtomic(dir_ + "/a", "one\n", 0644).ok());
  ::umask(old);
  auto r = files_.Read(dir_ + "/a");
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ((*r)->data, "one\n");
  EXPECT_EQ((*r)->mode, 0644u);
  ASSERT_TRUE(files_.WriteAtomic(dir_ + "/a", "two\n", 0600).ok());
  r = files_.Read(dir_ + "/a");
  EXPECT_EQ((*r)->data, "two\n");
  EXPECT_EQ((*r)->mode, 0600u);
  EXPECT_EQ(Entries(dir_), std::vector<std::string>{"a"});
}

TEST_F(LocalFilesTest, FailedWriteLeavesTheTargetAlone) {
  auto s = files_.WriteAtomic(dir_ + "/missing/a", "x", 0600);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ + "/missing"));
}

TEST_F(LocalFilesTest, DirectoriesModesAndRemoval) {
  const std::string nested = dir_ + "/x/y";
  ASSERT_TRUE(files_.EnsureDirectory(nested).ok());
  ASSERT_TRUE(files_.EnsureDirectory(nested).ok());
  struct stat st {};
  ASSERT_EQ(::stat(nested.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_TRUE(files_.WriteAtomic(nested + "/f", "x", 0600).ok());
  ASSERT_TRUE(files_.SetMode(nested + "/f", 0640).ok());
  EXPECT_EQ((*files_.Read(nested + "/f"))->mode, 0640u);
  ASSERT_TRUE(files_.Remove(nested + "/f").ok());
  ASSERT_TRUE(files_.Remove(nested + "/f").ok());  // already gone: fine
  EXPECT_FALSE(*files_.Read(nested + "/f"));
  auto dir_read = files_.Read(nested);
  EXPECT_FALSE(dir_read.ok());
}

TEST(JoinPath, OneSlash) {
  EXPECT_EQ(JoinPath("out", "config"), "out/config");
  EXPECT_EQ(JoinPath("out/", "config"), "out/config");
  EXPECT_EQ(JoinPath("", "config"), "config");
  EXPECT_EQ(JoinPath("/", "config"), "/config");
}

}  // namespace
}  // namespace cpa::share
