#include "sigv4/canonical.h"

#include <gtest/gtest.h>

namespace cpa::sigv4 {
namespace {

TEST(CanonicalUri, NormalizesAndEncodes) {
  CanonicalOptions normal;
  EXPECT_EQ(CanonicalUri("", normal), "/");
  EXPECT_EQ(CanonicalUri("/", normal), "/");
  EXPECT_EQ(CanonicalUri("//a//b//", normal), "/a/b/");
  EXPECT_EQ(CanonicalUri("/a/./b/../c", normal), "/a/c");
  EXPECT_EQ(CanonicalUri("/a/b/..", normal), "/a");
  EXPECT_EQ(CanonicalUri("/../..", normal), "/");
  EXPECT_EQ(CanonicalUri("/a b", normal), "/a%20b");
}

TEST(CanonicalUri, EncodedPathsAreEncodedAgainExceptForS3) {
  // botocore quotes the wire path once more for every service but S3.
  CanonicalOptions normal;
  EXPECT_EQ(CanonicalUri("/tags/arn%3Aaws%3Aeks", normal), "/tags/arn%253Aaws%253Aeks");
  CanonicalOptions s3{.normalize_path = false, .double_encode = false};
  EXPECT_EQ(CanonicalUri("/bucket/my%20key", s3), "/bucket/my%20key");
  EXPECT_EQ(CanonicalUri("/bucket//a/../key", s3), "/bucket//a/../key");
  EXPECT_EQ(CanonicalUri("/bucket/a b", s3), "/bucket/a%20b");
  // A stray '%' is literal.
  EXPECT_EQ(CanonicalUri("/bucket/100%", s3), "/bucket/100%25");
}

TEST(CanonicalQuery, SortsEncodesAndKeepsRepeatedKeys) {
  EXPECT_EQ(CanonicalQuery(""), "");
  EXPECT_EQ(CanonicalQuery("b=2&a=1"), "a=1&b=2");
  // Repeated keys are kept and sorted by value.
  EXPECT_EQ(CanonicalQuery("k=z&k=a&k=m"), "k=a&k=m&k=z");
  // Key sort is by key first: "Param" before "Param-3" even though '-' < '='.
  EXPECT_EQ(CanonicalQuery("Param-3=x&Param=y"), "Param=y&Param-3=x");
  // Keys without values, empty segments.
  EXPECT_EQ(CanonicalQuery("flag&&x="), "flag=&x=");
  // Decoded then encoded with the unreserved set: '+' is a literal plus, spaces become %20.
  EXPECT_EQ(CanonicalQuery("a=b+c&s=x%20y&t=%7e&u=*"), "a=b%2Bc&s=x%20y&t=~&u=%2A");
  EXPECT_EQ(CanonicalQuery("X-Amz-Signature=ab&z=1", {"X-Amz-Signature"}), "z=1");
  EXPECT_EQ(CanonicalQuery("bad=%zz"), "bad=%25zz");
}

TEST(CanonicalHeaders, TrimCollapseJoin) {
  HttpRequest r;
  r.headers = {{"Host", "example.com"},
               {"My-Header", "  a   b\t\tc  "},
               {"my-header", "second"},
               {"Folded", "one\r\n  two"}};
  std::string out;
  std::vector<std::string> names = {"folded", "host", "my-header"};
  EXPECT_EQ(AppendCanonicalHeaders(out, r, names), "");
  EXPECT_EQ(out, "folded:one two\nhost:example.com\nmy-header:a b c,second\n");
  std::string out2;
  std::vector<std::string> missing = {"host", "x-amz-date"};
  EXPECT_EQ(AppendCanonicalHeaders(out2, r, missing), "x-amz-date");
}

TEST(StringToSign, Layout) {
  EXPECT_EQ(CredentialScope("20150830", "us-east-1", "iam"), "20150830/us-east-1/iam/aws4_request");
  EXPECT_EQ(StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", ""),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n" +
                std::string(kEmptyPayloadHash));
}

}  // namespace
}  // namespace cpa::sigv4
