#include "server/http/body_sink.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "core/crypto.h"

namespace cpa::server::http {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

class BodySinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "cpa-sink-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  size_t FilesInDir() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  BodySinkOptions Spool(uint64_t threshold = 1024) {
    return {.spool_dir = dir_, .spool_threshold = threshold, .sha256 = true};
  }

  std::string dir_;
};

TEST_F(BodySinkTest, SmallBodyStaysInMemoryWithDigest) {
  BodySink sink(Spool());
  ASSERT_TRUE(sink.Begin(11).ok());
  ASSERT_TRUE(sink.Append("hello ").ok());
  ASSERT_TRUE(sink.Append("world").ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_FALSE(sink.spooled());
  EXPECT_EQ(sink.memory(), "hello world");
  EXPECT_EQ(sink.size(), 11u);
  EXPECT_EQ(sink.sha256_hex(), core::Sha256Hex("hello world"));
  EXPECT_EQ(FilesInDir(), 0u);
}

TEST_F(BodySinkTest, ExactlyTheThresholdStaysInMemory) {
  BodySink sink(Spool(4));
  ASSERT_TRUE(sink.Begin(std::nullopt).ok());
  ASSERT_TRUE(sink.Append("abcd").ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_FALSE(sink.spooled());
  EXPECT_EQ(sink.memory(), "abcd");
}

TEST_F(BodySinkTest, DeclaredLargeBodyGoesToAPrivateFile) {
  std::string body = Pattern(100000);
  std::string path;
  {
    BodySink sink(Spool());
    ASSERT_TRUE(sink.Begin(body.size()).ok());
    ASSERT_TRUE(sink.spooled());  // at once, before any byte
    path = sink.path();
    EXPECT_TRUE(std::regex_match(fs::path(path).filename().string(),
                                 std::regex("upload-[0-9a-f]{32}\\.part")))
        << path;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    for (size_t i = 0; i < body.size(); i += 7000) {
      ASSERT_TRUE(sink.Append(std::string_view(body).substr(i, 7000)).ok());
    }
    ASSERT_TRUE(sink.Finish().ok());
    ASSERT_TRUE(sink.Finish().ok());  // idempotent
    EXPECT_TRUE(sink.memory().empty());
    EXPECT_EQ(sink.size(), body.size());
    EXPECT_EQ(sink.sha256_hex(), core::Sha256Hex(body));
    EXPECT_EQ(ReadAll(path), body);
  }
  EXPECT_FALSE(fs::exists(path));  // the sink's file goes with it
}

TEST_F(BodySinkTest, ChunkedBodySpillsWhenItOutgrowsTheThreshold) {
  std::string body = Pattern(5000);
  BodySink sink(Spool(1024));
  ASSERT_TRUE(sink.Begin(std::nullopt).ok());
  ASSERT_TRUE(sink.Append(std::string_view(body).substr(0, 1000)).ok());
  EXPECT_FALSE(sink.spooled());
  ASSERT_TRUE(sink.Append(std::string_view(body).substr(1000, 1000)).ok());
  EXPECT_TRUE(sink.spooled());
  ASSERT_TRUE(sink.Append(std::string_view(body).substr(2000)).ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(ReadAll(sink.path()), body);
  EXPECT_EQ(sink.sha256_hex(), core::Sha256Hex(body));
  EXPECT_TRUE(sink.memory().empty());
}

TEST_F(BodySinkTest, RenamedFileIsKept) {
  std::string kept = dir_ + "/kept";
  {
    BodySink sink(Spool(1));
    ASSERT_TRUE(sink.Begin(10).ok());
    ASSERT_TRUE(sink.Append("0123456789").ok());
    ASSERT_TRUE(sink.Finish().ok());
    ASSERT_EQ(std::rename(sink.path().c_str(), kept.c_str()), 0);
  }
  EXPECT_EQ(ReadAll(kept), "0123456789");
  EXPECT_EQ(FilesInDir(), 1u);
}

TEST_F(BodySinkTest, MoveTransfersTheFile) {
  BodySink a(Spool(1));
  ASSERT_TRUE(a.Begin(3).ok());
  ASSERT_TRUE(a.Append("xyz").ok());
  std::string path = a.path();
  BodySink b = std::move(a);
  ASSERT_TRUE(b.Finish().ok());
  EXPECT_EQ(b.path(), path);
  EXPECT_EQ(ReadAll(path), "xyz");
  b = BodySink();  // assigning over it releases the file
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(BodySinkTest, WithoutSpoolDirEverythingStaysInMemory) {
  BodySink sink({.spool_threshold = 1});
  ASSERT_TRUE(sink.Begin(std::nullopt).ok());
  ASSERT_TRUE(sink.Append(Pattern(10000)).ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_FALSE(sink.spooled());
  EXPECT_EQ(sink.memory(), Pattern(10000));
  EXPECT_TRUE(sink.sha256_hex().empty());  // not asked for
}

TEST_F(BodySinkTest, MissingSpoolDirFails) {
  BodySink sink({.spool_dir = dir_ + "/absent", .spool_threshold = 1, .sha256 = true});
  core::Status st = sink.Begin(100);
  EXPECT_EQ(st.code(), core::ErrorCode::kInternal);
  EXPECT_NE(st.message().find("absent"), std::string::npos);
  EXPECT_TRUE(sink.failed());
  EXPECT_FALSE(sink.Append("x").ok());
  EXPECT_FALSE(sink.Finish().ok());
}

TEST_F(BodySinkTest, EmptyBodyDigest) {
  BodySink sink(Spool());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(sink.sha256_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sink.size(), 0u);
}

}  // namespace
}  // namespace cpa::server::http
