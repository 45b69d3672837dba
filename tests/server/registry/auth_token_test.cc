#include "server/registry/auth_token.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace cpa::server::registry {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const core::TimePoint kNow{seconds(1714564800)};

std::array<uint8_t, 32> Key(uint8_t fill) {
  std::array<uint8_t, 32> k{};
  k.fill(fill);
  return k;
}

TokenClaims Claims() {
  TokenClaims c;
  c.access_key_id = "ASIAQAAAAAAAAAAAAAAA";
  c.principal_arn = "arn:aws:sts::111111111111:assumed-role/reader/s1";
  c.account_id = "111111111111";
  c.issued_at = kNow;
  c.expires_at = kNow + hours(12);
  return c;
}

TEST(TokenCodecTest, IssueAndVerify) {
  TokenCodec codec(Key(7));
  core::SeededRandom random(1);
  std::string password = codec.Issue(Claims(), random);
  auto c = codec.Verify(password, kNow + hours(1));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAQAAAAAAAAAAAAAAA");
  EXPECT_EQ(c->principal_arn, "arn:aws:sts::111111111111:assumed-role/reader/s1");
  EXPECT_EQ(c->account_id, "111111111111");
  EXPECT_EQ(c->issued_at, kNow);
  EXPECT_EQ(c->expires_at, kNow + hours(12));
}

TEST(TokenCodecTest, PasswordHasEcrShapeAndNoColon) {
  TokenCodec codec(Key(7));
  core::SeededRandom random(2);
  std::string password = codec.Issue(Claims(), random);
  EXPECT_EQ(password.substr(0, 3), "eyJ");
  EXPECT_EQ(password.find(':'), std::string::npos);
  auto decoded = core::Base64Decode(password);
  ASSERT_TRUE(decoded.ok());
  auto j = nlohmann::json::parse(*decoded);
  EXPECT_EQ(j["version"], "2");
  EXPECT_EQ(j["type"], "DATA_KEY");
  EXPECT_EQ(j["expiration"], 1714564800 + 43200);
  EXPECT_TRUE(j["payload"].is_string());
  EXPECT_TRUE(j["datakey"].is_string());
  // Claims are not readable from the password.
  EXPECT_EQ(decoded->find("ASIAQ"), std::string::npos);
  EXPECT_EQ(decoded->find("assumed-role"), std::string::npos);
  // Each issue differs (fresh nonce).
  EXPECT_NE(codec.Issue(Claims(), random), password);
}

TEST(TokenCodecTest, ClaimsNeedingJsonEscapesRoundTrip) {
  TokenCodec codec(Key(7));
  core::SeededRandom random(9);
  TokenClaims claims = Claims();
  claims.principal_arn =
      "arn:aws:iam::111111111111:user/a\"b\\c\x01"
      "d\n\u00e9";
  std::string password = codec.Issue(claims, random);
  auto c = codec.Verify(password, kNow);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->principal_arn, claims.principal_arn);
}

TEST(TokenCodecTest, OuterMembersInEcrOrder) {
  TokenCodec codec(Key(7));
  core::SeededRandom random(4);
  auto decoded = core::Base64Decode(codec.Issue(Claims(), random));
  ASSERT_TRUE(decoded.ok());
  auto j = nlohmann::ordered_json::parse(*decoded);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"payload", "datakey", "version", "type", "expiration"}));
}

TEST(TokenCodecTest, Expiry) {
  TokenCodec codec(Key(7));
  core::SeededRandom random(3);
  std::string password = codec.Issue(Claims(), random);
  EXPECT_TRUE(codec.Verify(password, kNow + hours(12) - seconds(1)).ok());
  auto late = codec.Verify(password, kNow + hours(12));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), core::ErrorCode::kExpiredToken);
}

TEST(TokenCodecTest, RejectsForgeriesAndOtherKeys) {
  TokenCodec codec(Key(7));
  core::SeededRandom random(4);
  std::string password = codec.Issue(Claims(), random);
  EXPECT_EQ(TokenCodec(Key(8)).Verify(password, kNow).status().code(),
            core::ErrorCode::kInvalidClientTokenId);
  // Tampered payload.
  auto decoded = core::Base64Decode(password);
  ASSERT_TRUE(decoded.ok());
  auto j = nlohmann::json::parse(*decoded);
  std::string payload = *core::Base64Decode(j["payload"].get<std::string>());
  payload[0] = static_cast<char>(payload[0] ^ 1);
  j["payload"] = core::Base64Encode(payload);
  EXPECT_EQ(codec.Verify(core::Base64Encode(j.dump()), kNow).status().code(),
            core::ErrorCode::kInvalidClientTokenId);
  // A later outer expiration changes nothing: the sealed claims decide.
  j = nlohmann::json::parse(*decoded);
  j["expiration"] = 4102444800;
  auto moved = codec.Verify(core::Base64Encode(j.dump()), kNow + hours(13));
  EXPECT_EQ(moved.status().code(), core::ErrorCode::kExpiredToken);
  for (const char* junk : {"", "garbage", "eyJ9", "e30=", "eyJ2ZXJzaW9uIjoiMiJ9"}) {
    EXPECT_EQ(codec.Verify(junk, kNow).status().code(), core::ErrorCode::kInvalidClientTokenId)
        << junk;
  }
}

TEST(TokenCodecTest, AuthorizationHeader) {
  std::string token = TokenCodec::AuthorizationToken("eyJwYXNz");
  EXPECT_EQ(*core::Base64Decode(token), "AWS:eyJwYXNz");
  auto p = TokenCodec::PasswordFromAuthorization("Basic " + token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "eyJwYXNz");
  p = TokenCodec::PasswordFromAuthorization("bAsIc   " + token + " ");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "eyJwYXNz");
  EXPECT_EQ(TokenCodec::PasswordFromAuthorization("").status().code(),
            core::ErrorCode::kMissingAuthenticationToken);
  EXPECT_EQ(TokenCodec::PasswordFromAuthorization("Bearer abc").status().code(),
            core::ErrorCode::kMissingAuthenticationToken);
  EXPECT_EQ(TokenCodec::PasswordFromAuthorization("Basic !!!").status().code(),
            core::ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(TokenCodec::PasswordFromAuthorization("Basic " + core::Base64Encode("bob:pw"))
                .status()
                .code(),
            core::ErrorCode::kInvalidClientTokenId);
}

}  // namespace
}  // namespace cpa::server::registry
