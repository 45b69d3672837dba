#include "sigv4/verifier.h"

#include <gtest/gtest.h>

#include <map>

#include "core/crypto.h"
#include "sigv4/signer.h"

namespace cpa::sigv4 {
namespace {

using core::ErrorCode;
using std::chrono::minutes;
using std::chrono::seconds;

const core::TimePoint kT0{seconds(1764316800)};  // 2025-11-28T08:00:00Z

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest()
      : clock_(kT0), verifier_(clock_, [this](std::string_view id) { return Lookup(id); }) {
    keys_["AKIAUSERKEY000000001"] = {"userSecret/0123456789abcdefghijklmnopqrst", "", {}, true, ""};
    keys_["AKIAINACTIVE00000001"] = {"inactiveSecret", "", {}, false, ""};
    keys_["ASIATEMPKEY000000001"] = {"tempSecret", "session-token-1", kT0 + minutes(60), true, ""};
  }

  std::shared_ptr<const SecretInfo> Lookup(std::string_view id) const {
    auto it = keys_.find(std::string(id));
    if (it == keys_.end()) return nullptr;
    return std::make_shared<SecretInfo>(it->second);
  }

  SigningConfig Config(const std::string& key_id, const std::string& service = "sts") const {
    const SecretInfo& info = keys_.at(key_id);
    SigningConfig c;
    c.credentials = {key_id, info.secret_access_key, info.session_token};
    c.region = "us-west-2";
    c.service = service;
    c.time = clock_.Now();
    return c;
  }

  // A typical STS AssumeRole request as botocore sends it.
  static HttpRequest StsRequest() {
    HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Host", "127.0.0.1:40123"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"User-Agent", "aws-cli/2.15.0"}};
    r.body =
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2F"
        "curated-packages-role&RoleSessionName=s1";
    return r;
  }

  // A typical ECR GetAuthorizationToken request (awsJson1_1).
  static HttpRequest EcrRequest() {
    HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Host", "api.ecr.us-west-2.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"}};
    r.body = "{}";
    return r;
  }

  HttpRequest Signed(HttpRequest r, const SigningConfig& c) {
    auto s = SignRequest(r, c);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return r;
  }

  void ExpectError(const HttpRequest& r, ErrorCode code, const std::string& fragment = "") {
    auto v = verifier_.Verify(r);
    ASSERT_FALSE(v.ok()) << "expected " << core::ErrorCodeName(code);
    EXPECT_EQ(v.status().code(), code) << v.status().ToString();
    EXPECT_NE(v.status().message().find(fragment), std::string::npos) << v.status().ToString();
  }

  std::map<std::string, SecretInfo> keys_;
  core::FakeClock clock_;
  Verifier verifier_;
};

TEST_F(VerifierTest, AcceptsAndReturnsScope) {
  auto v = verifier_.Verify(Signed(StsRequest(), Config("AKIAUSERKEY000000001")));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->region, "us-west-2");
  EXPECT_EQ(v->service, "sts");
  EXPECT_FALSE(v->temporary);
  auto ecr = verifier_.Verify(Signed(EcrRequest(), Config("ASIATEMPKEY000000001", "ecr")));
  ASSERT_TRUE(ecr.ok()) << ecr.status().ToString();
  EXPECT_EQ(ecr->service, "ecr");
  EXPECT_TRUE(ecr->temporary);
  // Any region is accepted.
  auto c = Config("AKIAUSERKEY000000001");
  c.region = "ap-southeast-7";
  EXPECT_TRUE(verifier_.Verify(Signed(StsRequest(), c)).ok());
}

TEST_F(VerifierTest, MissingAuthentication) {
  ExpectError(StsRequest(), ErrorCode::kMissingAuthenticationToken, "Authentication Token");
}

TEST_F(VerifierTest, UnknownAndInactiveKeys) {
  auto c = Config("AKIAUSERKEY000000001");
  c.credentials.access_key_id = "AKIANOSUCHKEY0000001";
  ExpectError(Signed(StsRequest(), c), ErrorCode::kInvalidClientTokenId,
              "security token included in the request is invalid");
  ExpectError(Signed(StsRequest(), Config("AKIAINACTIVE00000001")),
              ErrorCode::kInvalidClientTokenId);
}

TEST_F(VerifierTest, WrongSecretIsSignatureMismatchWithCanonicalText) {
  auto c = Config("AKIAUSERKEY000000001");
  c.credentials.secret_access_key = "not-the-secret";
  ExpectError(Signed(StsRequest(), c), ErrorCode::kSignatureDoesNotMatch,
              "The Canonical String for this request should have been");
}

TEST_F(VerifierTest, TamperingAnySignedPartFails) {
  const HttpRequest good = Signed(StsRequest(), Config("AKIAUSERKEY000000001"));
  HttpRequest body = good;
  body.body += "&DurationSeconds=43200";
  ExpectError(body, ErrorCode::kSignatureDoesNotMatch);
  HttpRequest header = good;
  header.SetHeader("Content-Type", "application/json");
  ExpectError(header, ErrorCode::kSignatureDoesNotMatch);
  HttpRequest path = good;
  path.path = "/other";
  ExpectError(path, ErrorCode::kSignatureDoesNotMatch);
  HttpRequest query = good;
  query.query = "x=1";
  ExpectError(query, ErrorCode::kSignatureDoesNotMatch);
  HttpRequest dropped = good;
  dropped.RemoveHeader("Content-Type");
  ExpectError(dropped, ErrorCode::kSignatureDoesNotMatch, "'content-type' is not in the request");
}

TEST_F(VerifierTest, UnsignedHeadersMayChange) {
  HttpRequest r = Signed(StsRequest(), Config("AKIAUSERKEY000000001"));
  r.SetHeader("User-Agent", "something-else");  // not signed
  r.headers.emplace_back("X-Forwarded-For", "10.0.0.1");
  r.headers.emplace_back("Connection", "keep-alive");
  EXPECT_TRUE(verifier_.Verify(r).ok());
}

TEST_F(VerifierTest, HostMustBeSigned) {
  HttpRequest r = Signed(StsRequest(), Config("AKIAUSERKEY000000001"));
  std::string& auth = r.headers.back().second;
  auth.replace(auth.find("host;"), 5, "");
  ExpectError(r, ErrorCode::kIncompleteSignature,
              "'Host' or ':authority' must be a 'SignedHeader'");
}

TEST_F(VerifierTest, RepeatedQueryKeysAndEncodedPaths) {
  HttpRequest r;
  r.method = "GET";
  r.SetTarget("/tags/arn%3Aaws%3Aeks%3Aus-west-2%3A111111111111%3Asub%2Fx?k=2&k=1&k=2&flag");
  r.headers = {{"Host", "eks.us-west-2.amazonaws.com"}};
  HttpRequest s = Signed(r, Config("AKIAUSERKEY000000001", "eks"));
  EXPECT_TRUE(verifier_.Verify(s).ok());
  HttpRequest reordered = s;
  reordered.query = "k=1&flag&k=2&k=2";  // same multiset, another order
  EXPECT_TRUE(verifier_.Verify(reordered).ok());
  HttpRequest fewer = s;
  fewer.query = "k=1&k=2&flag";  // a repeated value removed
  ExpectError(fewer, ErrorCode::kSignatureDoesNotMatch);
  HttpRequest decoded = s;  // the same path sent decoded is a different canonical URI
  decoded.path = "/tags/arn:aws:eks:us-west-2:111111111111:sub/x";
  ExpectError(decoded, ErrorCode::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, ContentSha256MustMatchBody) {
  auto c = Config("AKIAUSERKEY000000001", "ecr");
  c.add_content_sha256_header = true;
  HttpRequest good = Signed(EcrRequest(), c);
  EXPECT_TRUE(verifier_.Verify(good).ok());
  HttpRequest other_body = good;
  other_body.body = R"({"registryIds":["111111111111"]})";
  ExpectError(other_body, ErrorCode::kSignatureDoesNotMatch,
              "'x-amz-content-sha256' header does not match");
  HttpRequest junk = good;
  junk.SetHeader("x-amz-content-sha256", "not-a-hash");
  ExpectError(junk, ErrorCode::kIncompleteSignature, "UNSIGNED-PAYLOAD or a valid sha256");
  // A precomputed body hash (streamed bodies) is used instead of hashing the body again.
  HttpRequest streamed = good;
  streamed.body_sha256 = core::Sha256Hex("something else");
  ExpectError(streamed, ErrorCode::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, UnsignedPayload) {
  auto c = Config("AKIAUSERKEY000000001", "ecr");
  c.add_content_sha256_header = true;
  c.unsigned_payload = true;
  HttpRequest r = Signed(EcrRequest(), c);
  r.body = "anything";  // not covered by the signature
  EXPECT_TRUE(verifier_.Verify(r).ok());
  VerifierOptions strict;
  strict.allow_unsigned_payload = false;
  Verifier strict_verifier(
      clock_, [this](std::string_view id) { return Lookup(id); }, strict);
  auto v = strict_verifier.Verify(r);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), ErrorCode::kIncompleteSignature);
}

TEST_F(VerifierTest, ClockSkewEitherSideOfFifteenMinutes) {
  const auto signed_at = clock_.Now();
  HttpRequest r = Signed(StsRequest(), Config("AKIAUSERKEY000000001"));
  clock_.Set(signed_at + minutes(15));
  EXPECT_TRUE(verifier_.Verify(r).ok());
  clock_.Set(signed_at + minutes(15) + seconds(1));
  ExpectError(r, ErrorCode::kRequestExpired,
              "Signature expired: 20251128T080000Z is now earlier "
              "than 20251128T080001Z (20251128T081501Z - 15 min.)");
  clock_.Set(signed_at - minutes(15));
  EXPECT_TRUE(verifier_.Verify(r).ok());
  clock_.Set(signed_at - minutes(15) - seconds(1));
  ExpectError(r, ErrorCode::kRequestExpired, "Signature not yet current");
}

TEST_F(VerifierTest, DateHeaderProblems) {
  HttpRequest r = Signed(StsRequest(), Config("AKIAUSERKEY000000001"));
  HttpRequest no_date = r;
  no_date.RemoveHeader("X-Amz-Date");
  ExpectError(no_date, ErrorCode::kIncompleteSignature, "'X-Amz-Date' or a 'Date' header");
  HttpRequest bad_date = r;
  bad_date.SetHeader("X-Amz-Date", "2025-11-28T08:00:00Z");
  ExpectError(bad_date, ErrorCode::kIncompleteSignature, "ISO-8601 'basic format'");
  HttpRequest other_day = r;
  other_day.SetHeader("X-Amz-Date", "20251127T235959Z");
  ExpectError(other_day, ErrorCode::kSignatureDoesNotMatch, "Date in Credential scope");
}

TEST_F(VerifierTest, SessionTokens) {
  const auto temp = Config("ASIATEMPKEY000000001");
  EXPECT_TRUE(verifier_.Verify(Signed(StsRequest(), temp)).ok());
  auto no_token = temp;
  no_token.credentials.session_token.clear();
  ExpectError(Signed(StsRequest(), no_token), ErrorCode::kInvalidClientTokenId);
  auto wrong_token = temp;
  wrong_token.credentials.session_token = "session-token-2";
  ExpectError(Signed(StsRequest(), wrong_token), ErrorCode::kInvalidClientTokenId);
  auto token_on_long_term = Config("AKIAUSERKEY000000001");
  token_on_long_term.credentials.session_token = "session-token-1";
  ExpectError(Signed(StsRequest(), token_on_long_term), ErrorCode::kInvalidClientTokenId);
}

TEST_F(VerifierTest, SessionTokenKnownOnlyByItsHash) {
  core::Sha256Digest hash = core::Sha256("session-token-1");
  keys_["ASIAHASHEDKEY0000001"] = {"hashedSecret", "", kT0 + minutes(60), true,
                                   std::string(core::DigestView(hash))};
  auto c = Config("ASIAHASHEDKEY0000001");
  c.credentials.session_token = "session-token-1";
  auto v = verifier_.Verify(Signed(StsRequest(), c));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->temporary);
  c.credentials.session_token = "session-token-2";
  ExpectError(Signed(StsRequest(), c), ErrorCode::kInvalidClientTokenId);
  c.credentials.session_token.clear();
  ExpectError(Signed(StsRequest(), c), ErrorCode::kInvalidClientTokenId);
}

TEST_F(VerifierTest, ExpiredTemporaryCredentials) {
  HttpRequest r = Signed(StsRequest(), Config("ASIATEMPKEY000000001"));
  clock_.Advance(minutes(59));
  HttpRequest fresh = Signed(StsRequest(), Config("ASIATEMPKEY000000001"));
  EXPECT_TRUE(verifier_.Verify(fresh).ok());
  clock_.Advance(minutes(1));
  ExpectError(Signed(StsRequest(), Config("ASIATEMPKEY000000001")), ErrorCode::kExpiredToken,
              "expired");
}

TEST_F(VerifierTest, PresignedUrls) {
  // Like the EKS token: a presigned sts:GetCallerIdentity with a signed extra header.
  HttpRequest r;
  r.method = "GET";
  r.SetTarget("/?Action=GetCallerIdentity&Version=2011-06-15");
  r.headers = {{"Host", "sts.us-west-2.amazonaws.com"}, {"x-k8s-aws-id", "my-cluster"}};
  auto c = Config("ASIATEMPKEY000000001");
  c.expires = seconds(60);
  ASSERT_TRUE(PresignRequest(r, c).ok());
  auto v = verifier_.Verify(r);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->presigned);
  EXPECT_EQ(v->signed_headers, (std::vector<std::string>{"host", "x-k8s-aws-id"}));

  clock_.Advance(seconds(60));
  EXPECT_TRUE(verifier_.Verify(r).ok());
  clock_.Advance(seconds(1));
  ExpectError(r, ErrorCode::kRequestExpired, "Request has expired");

  clock_.Set(kT0 - minutes(16));
  ExpectError(r, ErrorCode::kRequestExpired, "not yet valid");

  clock_.Set(kT0);
  HttpRequest tampered = r;
  tampered.query.replace(tampered.query.find("GetCallerIdentity"), 17, "GetSessionToken00");
  ExpectError(tampered, ErrorCode::kSignatureDoesNotMatch);
  HttpRequest both = r;
  both.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 x");
  ExpectError(both, ErrorCode::kIncompleteSignature, "Only one auth mechanism");
}

TEST_F(VerifierTest, MalformedAuthorizationNeverThrows) {
  HttpRequest r = StsRequest();
  for (const char* auth :
       {"", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ,,,,", "AWS4-HMAC-SHA256 =",
        "AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;, Signature=", "\x01\x02\xff"}) {
    r.SetHeader("Authorization", auth);
    auto v = verifier_.Verify(r);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), ErrorCode::kIncompleteSignature) << auth;
  }
}

TEST_F(VerifierTest, WarmCacheAfterFirstVerification) {
  HttpRequest r = Signed(StsRequest(), Config("AKIAUSERKEY000000001"));
  ASSERT_TRUE(verifier_.Verify(r).ok());
  ASSERT_TRUE(verifier_.Verify(r).ok());
  EXPECT_EQ(verifier_.key_cache().misses(), 1u);
  EXPECT_EQ(verifier_.key_cache().hits(), 1u);
}

}  // namespace
}  // namespace cpa::sigv4
