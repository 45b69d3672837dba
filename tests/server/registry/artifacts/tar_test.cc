#include "server/registry/artifacts/tar.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_tools.h"

namespace cpa::server::registry::artifacts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

TEST(TarTest, RoundTripsFilesAndDirectories) {
  TarWriter w;
  ASSERT_TRUE(w.AddDirectory("etc").ok());
  ASSERT_TRUE(w.AddFile("etc/empty", "").ok());
  ASSERT_TRUE(w.AddFile("etc/one", "x").ok());
  ASSERT_TRUE(w.AddFile("etc/block", Pattern(512)).ok());
  ASSERT_TRUE(w.AddFile("etc/more", Pattern(513), 0600).ok());
  ASSERT_TRUE(w.AddFile("bin/run", "#!/bin/sh\n", 0755).ok());
  ASSERT_TRUE(w.AddDirectory("var/lib/", 0700).ok());
  std::string archive = w.Finish();

  EXPECT_EQ(archive.size() % 512, 0u);
  EXPECT_EQ(archive.substr(archive.size() - 1024), std::string(1024, '\0'));

  auto entries = ReadTar(archive);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 7u);
  const auto& e = *entries;
  EXPECT_EQ(e[0].path, "etc/");
  EXPECT_EQ(e[0].type, TarEntry::Type::kDirectory);
  EXPECT_EQ(e[0].mode, 0755u);
  EXPECT_EQ(e[1].path, "etc/empty");
  EXPECT_EQ(e[1].content, "");
  EXPECT_EQ(e[2].content, "x");
  EXPECT_EQ(e[3].content, Pattern(512));
  EXPECT_EQ(e[4].content, Pattern(513));
  EXPECT_EQ(e[4].mode, 0600u);
  EXPECT_EQ(e[5].path, "bin/run");
  EXPECT_EQ(e[5].mode, 0755u);
  EXPECT_EQ(e[6].path, "var/lib/");
  EXPECT_EQ(e[6].mode, 0700u);
  for (const TarEntry& entry : e) {
    EXPECT_EQ(entry.mtime, kFixedMtime) << entry.path;
    EXPECT_EQ(entry.uid, 0u);
    EXPECT_EQ(entry.gid, 0u);
  }
}

TEST(TarTest, SameEntriesGiveSameBytes) {
  auto build = [] {
    TarWriter w;
    EXPECT_TRUE(w.AddDirectory("a").ok());
    EXPECT_TRUE(w.AddFile("a/b", "content").ok());
    return w.Finish();
  };
  EXPECT_EQ(build(), build());
}

TEST(TarTest, LongPathsUseTheUstarPrefix) {
  std::string dir(120, 'd');
  std::string path = dir + "/" + std::string(90, 'f');
  TarWriter w;
  ASSERT_TRUE(w.AddFile(path, "long").ok());
  ASSERT_TRUE(w.AddDirectory(dir + "/" + std::string(80, 'g')).ok());
  std::string archive = w.Finish();
  // name field holds the last component, prefix field (offset 345) the directory.
  EXPECT_EQ(archive.substr(0, 90), std::string(90, 'f'));
  EXPECT_EQ(archive.substr(345, 120), dir);

  auto entries = ReadTar(archive);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].path, path);
  EXPECT_EQ((*entries)[0].content, "long");
  EXPECT_EQ((*entries)[1].path, dir + "/" + std::string(80, 'g') + "/");
}

TEST(TarTest, RejectsPathsItCannotWriteSafely) {
  TarWriter w;
  for (std::string bad :
       {std::string(), std::string("/etc/passwd"), std::string("a/../b"), std::string("a//b"),
        std::string("./a"), std::string("a/"), std::string(101, 'x'),
        std::string(160, 'p') + "/" + "name", std::string("a\0b", 3)}) {
    core::Status s = w.AddFile(bad, "x");
    EXPECT_EQ(s.code(), core::ErrorCode::kInvalidArgument) << "path: " << bad;
    EXPECT_THAT(s.message(), HasSubstr("tar entry path"));
  }
  EXPECT_EQ(w.AddFile("a", "x", 010000).code(), core::ErrorCode::kInvalidArgument);
  // Nothing was written by the failed calls.
  EXPECT_EQ(w.Finish(), std::string(1024, '\0'));
}

TEST(TarTest, ReaderRejectsCorruptHeadersAndTruncation) {
  TarWriter w;
  ASSERT_TRUE(w.AddFile("file", Pattern(1000)).ok());
  std::string archive = w.Finish();

  std::string corrupt = archive;
  corrupt[10] = 'Z';  // inside the name field
  auto bad_sum = ReadTar(corrupt);
  ASSERT_FALSE(bad_sum.ok());
  EXPECT_THAT(bad_sum.status().message(), HasSubstr("checksum"));

  auto truncated = ReadTar(archive.substr(0, 512 + 512));
  ASSERT_FALSE(truncated.ok());
  EXPECT_THAT(truncated.status().message(), HasSubstr("truncated"));

  auto partial_header = ReadTar(archive.substr(0, 300));
  EXPECT_FALSE(partial_header.ok());

  auto empty = ReadTar("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(TarTest, PythonTarfileReadsTheArchive) {
  if (!test::HaveCommand("python3")) GTEST_SKIP() << "python3 not installed";
  TarWriter w;
  ASSERT_TRUE(w.AddDirectory("chart").ok());
  ASSERT_TRUE(w.AddFile("chart/Chart.yaml", "apiVersion: v2\n").ok());
  ASSERT_TRUE(w.AddFile(std::string(120, 'd') + "/" + std::string(90, 'f'), "deep").ok());
  test::ScratchDir dir;
  std::string file = dir.Write("a.tar", w.Finish());
  auto r = test::Run(
      "python3 -c 'import sys, tarfile\n"
      "with tarfile.open(sys.argv[1], \"r:\") as t:\n"
      "  for m in t.getmembers():\n"
      "    data = t.extractfile(m).read().decode() if m.isfile() else \"\"\n"
      "    print(m.name, m.type.decode(), oct(m.mode), m.mtime, m.uid, repr(data))\n' " +
      test::ShellQuote(file));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "chart 5 0o755 0 0 ''\n"
            "chart/Chart.yaml 0 0o644 0 0 'apiVersion: v2\\n'\n" +
                std::string(120, 'd') + "/" + std::string(90, 'f') + " 0 0o644 0 0 'deep'\n");
}

}  // namespace
}  // namespace cpa::server::registry::artifacts
