#include "sigv4/authorization.h"

#include <gtest/gtest.h>

namespace cpa::sigv4 {
namespace {

using core::ErrorCode;

constexpr const char* kGood =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

TEST(AuthorizationHeader, ParsesAllParts) {
  auto parts = ParseAuthorizationHeader(kGood);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_FALSE(parts->presigned);
  EXPECT_EQ(parts->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(parts->scope_date, "20150830");
  EXPECT_EQ(parts->region, "us-east-1");
  EXPECT_EQ(parts->service, "iam");
  EXPECT_EQ(parts->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(parts->signed_headers_text, "host;x-amz-date");
  EXPECT_EQ(parts->signature.size(), 64u);
}

TEST(AuthorizationHeader, ToleratesSpacingVariants) {
  // No spaces after commas (some SDKs), extra spaces, and uppercase signed header names.
  auto parts = ParseAuthorizationHeader(
      "AWS4-HMAC-SHA256   Credential=AKID/20150830/eu-west-1/ecr/aws4_request,SignedHeaders=Host;"
      "X-Amz-Date ,  Signature=ABCDEF");
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->region, "eu-west-1");
  EXPECT_EQ(parts->signed_headers_text, "host;x-amz-date");
  EXPECT_EQ(parts->signature, "abcdef");
}

struct BadCase {
  const char* header;
  const char* fragment;
};

TEST(AuthorizationHeader, MalformedHeadersAreIncompleteSignature) {
  const BadCase cases[] = {
      {"", "Unsupported Authorization algorithm"},
      {"Bearer abc", "Unsupported Authorization algorithm 'Bearer'"},
      {"AWS4-HMAC-SHA256", "requires 'Credential' parameter"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, Signature=ab",
       "requires 'SignedHeaders' parameter"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host",
       "requires 'Signature' parameter"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s, SignedHeaders=host, Signature=ab",
       "exactly 5 slash-separated parts"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request/x, SignedHeaders=host, "
       "Signature=ab",
       "exactly 5 slash-separated parts"},
      {"AWS4-HMAC-SHA256 Credential=A/2015083/r/s/aws4_request, SignedHeaders=host, Signature=ab",
       "valid date"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830//s/aws4_request, SignedHeaders=host, Signature=ab",
       "valid region"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws5_request, SignedHeaders=host, Signature=ab",
       "valid terminator: 'aws4_request', not 'aws5_request'"},
      {"AWS4-HMAC-SHA256 Credential=/20150830/r/s/aws4_request, SignedHeaders=host, Signature=ab",
       "empty access key id"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;;x, "
       "Signature=ab",
       "empty header name"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;host, "
       "Signature=ab",
       "more than once"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature=",
       "Signature must not be empty"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, Credential=B, SignedHeaders=host, "
       "Signature=ab",
       "repeats parameter 'Credential'"},
      {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, Foo=bar", "unknown parameter"},
      {"AWS4-HMAC-SHA256 Credential", "not of the form key=value"},
  };
  for (const auto& c : cases) {
    auto parts = ParseAuthorizationHeader(c.header);
    ASSERT_FALSE(parts.ok()) << c.header;
    EXPECT_EQ(parts.status().code(), ErrorCode::kIncompleteSignature) << c.header;
    EXPECT_NE(parts.status().message().find(c.fragment), std::string::npos)
        << c.header << " -> " << parts.status().message();
  }
}

TEST(PresignedQuery, DetectsAndParses) {
  std::string q =
      "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
      "X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date="
      "20150830T123600Z"
      "&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=abc%2B%2F%3D"
      "&X-Amz-Signature=00ff";
  EXPECT_TRUE(HasPresignParameters(q));
  EXPECT_FALSE(HasPresignParameters("Action=ListUsers&NotX-Amz-Algorithm=1"));
  auto parts = ParsePresignedQuery(q);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_TRUE(parts->presigned);
  EXPECT_EQ(parts->service, "sts");
  EXPECT_EQ(parts->expires_seconds, 60);
  EXPECT_EQ(parts->signed_headers_text, "host;x-k8s-aws-id");
  EXPECT_EQ(parts->security_token, "abc+/=");
  EXPECT_EQ(parts->amz_date, "20150830T123600Z");
}

TEST(PresignedQuery, MalformedQueriesAreIncompleteSignature) {
  const std::string base =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2F"
      "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab";
  const BadCase cases[] = {
      {"X-Amz-Algorithm=AWS4-HMAC-SHA256", "requires the X-Amz-Algorithm"},
      {"X-Amz-Signature=ab", "requires the X-Amz-Algorithm"},
      {"", "requires"},
  };
  for (const auto& c : cases) {
    auto parts = ParsePresignedQuery(c.header);
    ASSERT_FALSE(parts.ok());
    EXPECT_EQ(parts.status().code(), ErrorCode::kIncompleteSignature);
    EXPECT_NE(parts.status().message().find(c.fragment), std::string::npos);
  }
  auto expect_error = [&](const std::string& q, const char* fragment) {
    auto parts = ParsePresignedQuery(q);
    ASSERT_FALSE(parts.ok()) << q;
    EXPECT_EQ(parts.status().code(), ErrorCode::kIncompleteSignature);
    EXPECT_NE(parts.status().message().find(fragment), std::string::npos)
        << q << " -> " << parts.status().message();
  };
  expect_error(base + "&X-Amz-Expires=604801", "less than a week");
  expect_error(base + "&X-Amz-Expires=-1", "non-negative");
  expect_error(base + "&X-Amz-Expires=1x", "should be a number");
  expect_error(base + "&X-Amz-Expires=", "should be a number");
  expect_error(base + "&X-Amz-Expires=60&X-Amz-Expires=60", "more than once");
  expect_error(base + "&X-Amz-Expires=60&X-Amz-Security-Token=%zz", "percent-encoded");
  std::string wrong_algo = base + "&X-Amz-Expires=60";
  wrong_algo.replace(wrong_algo.find("AWS4-HMAC-SHA256"), 16, "AWS4-ECDSA-P256-SHA256");
  expect_error(wrong_algo, "only supports");
  EXPECT_TRUE(ParsePresignedQuery(base + "&X-Amz-Expires=604800").ok());
}

}  // namespace
}  // namespace cpa::sigv4
