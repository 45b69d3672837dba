#include "server/registry/artifacts/gzip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "test_tools.h"

namespace cpa::server::registry::artifacts {
namespace {

using ::testing::HasSubstr;

std::string Noise(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 2463534242u;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return s;
}

// Inflates with zlib directly (not through GzipDecompress), auto-detecting the gzip wrapper.
std::string ZlibInflate(const std::string& gz) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 32), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[4096];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

TEST(GzipTest, RoundTripsThroughZlib) {
  for (const std::string& data :
       {std::string(), std::string("hello, registry\n"), std::string(100000, 'a'), Noise(300000)}) {
    auto gz = GzipCompress(data);
    ASSERT_TRUE(gz.ok());
    EXPECT_EQ(ZlibInflate(*gz), data);
    auto back = GzipDecompress(*gz);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, data);
  }
}

TEST(GzipTest, HeaderIsFixed) {
  auto gz = GzipCompress("some content");
  ASSERT_TRUE(gz.ok());
  ASSERT_GE(gz->size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ((*gz)[2], 8);                                // deflate
  EXPECT_EQ((*gz)[3], 0);                                // no FNAME, FCOMMENT, FEXTRA, FHCRC
  EXPECT_EQ(gz->substr(4, 4), std::string(4, '\0'));     // mtime 0
  EXPECT_EQ(static_cast<unsigned char>((*gz)[9]), 255);  // OS unknown
}

TEST(GzipTest, IsDeterministic) {
  std::string data = Noise(50000) + std::string(50000, 'z');
  auto a = GzipCompress(data);
  auto b = GzipCompress(data);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_LT(a->size(), data.size());
}

TEST(GzipTest, GzipToolDecompresses) {
  if (!test::HaveCommand("gzip")) GTEST_SKIP() << "gzip not installed";
  std::string data = "line one\nline two\n" + std::string(5000, 'q');
  auto gz = GzipCompress(data);
  ASSERT_TRUE(gz.ok());
  test::ScratchDir dir;
  std::string file = dir.Write("x.gz", *gz);
  auto r = test::Run("gzip -dc " + test::ShellQuote(file));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, data);
}

TEST(GzipTest, DecompressRejectsBadInput) {
  auto gz = GzipCompress(std::string(10000, 'r'));
  ASSERT_TRUE(gz.ok());

  auto not_gzip = GzipDecompress("plain text, not gzip");
  ASSERT_FALSE(not_gzip.ok());
  EXPECT_EQ(not_gzip.status().code(), core::ErrorCode::kInvalidArgument);

  EXPECT_FALSE(GzipDecompress(gz->substr(0, gz->size() - 6)).ok());  // truncated

  std::string bad_crc = *gz;
  bad_crc[bad_crc.size() - 6] ^= 0x01;
  EXPECT_FALSE(GzipDecompress(bad_crc).ok());

  auto trailing = GzipDecompress(*gz + "junk");
  ASSERT_FALSE(trailing.ok());
  EXPECT_THAT(trailing.status().message(), HasSubstr("after the member"));

  auto bomb = GzipDecompress(*gz, 1000);
  ASSERT_FALSE(bomb.ok());
  EXPECT_THAT(bomb.status().message(), HasSubstr("more than 1000 bytes"));

  EXPECT_FALSE(GzipCompress("x", 10).ok());
}

}  // namespace
}  // namespace cpa::server::registry::artifacts
