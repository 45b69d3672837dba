// LocalFileSystem on a real temporary directory: atomic replacement with the requested mode, and
// failures (missing directory, a directory in the way, an oversized write) that leave the old
// file intact and no temporary file behind.
#include "agent/file_system.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace cpa::agent {
namespace {

namespace fs = std::filesystem;

class LocalFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cpa-agent-fs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  size_t Entries() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }

  std::string dir_;
  LocalFileSystem local_;
};

TEST_F(LocalFileSystemTest, ReadMissingAndDirectory) {
  auto missing = local_.ReadFile(dir_ + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::ErrorCode::kNotFound);
  auto directory = local_.ReadFile(dir_);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), core::ErrorCode::kInternal);
}

TEST_F(LocalFileSystemTest, WritesAndReplacesWithMode0600) {
  const std::string path = dir_ + "/config.json";
  ::umask(022);
  ASSERT_TRUE(local_.WriteFileAtomically(path, "first", 0600).ok());
  EXPECT_EQ(Read(path), "first");
  ASSERT_TRUE(::chmod(path.c_str(), 0644) == 0);
  ASSERT_TRUE(local_.WriteFileAtomically(path, "second", 0600).ok());
  EXPECT_EQ(Read(path), "second");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Entries(), 1u);  // no temporary file left
  auto back = local_.ReadFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "second");
}

TEST_F(LocalFileSystemTest, MissingDirectory) {
  core::Status s = local_.WriteFileAtomically(dir_ + "/no/such/dir/config.json", "x", 0600);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), core::ErrorCode::kInternal);
  EXPECT_NE(s.message().find("cannot create a temporary file in " + dir_ + "/no/such/dir"),
            std::string::npos)
      << s.message();
}

TEST_F(LocalFileSystemTest, RenameFailureKeepsWhatIsThere) {
  // A directory where the file should go: the rename fails, the directory stays, the temporary
  // file is removed.
  const std::string path = dir_ + "/config.json";
  fs::create_directory(path);
  std::ofstream(path + "/inside") << "kept";
  core::Status s = local_.WriteFileAtomically(path, "new", 0600);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot replace " + path), std::string::npos) << s.message();
  EXPECT_EQ(Read(path + "/inside"), "kept");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(LocalFileSystemTest, ShortWriteKeepsTheOldFile) {
  // A disk-full-like failure: RLIMIT_FSIZE makes the write fail with EFBIG (in a child process,
  // so the limit does not leak into the test runner).
  const std::string path = dir_ + "/config.json";
  ASSERT_TRUE(local_.WriteFileAtomically(path, "old contents", 0600).ok());
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit {
      16, 16
    };
    ::setrlimit(RLIMIT_FSIZE, &limit);
    LocalFileSystem child;
    core::Status s = child.WriteFileAtomically(path, std::string(4096, 'x'), 0600);
    const bool expected = !s.ok() && s.message().find("cannot write") != std::string::npos &&
                          s.message().find("File too large") != std::string::npos;
    std::_Exit(expected ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Read(path), "old contents");
  EXPECT_EQ(Entries(), 1u);
}

}  // namespace
}  // namespace cpa::agent
