#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace cpa::core {
namespace {

bool AllBase32(std::string_view s) {
  return s.find_first_not_of(kBase32Alphabet) == std::string_view::npos;
}

TEST(Ids, AccessKeyIdShapeAndAccountRoundTrip) {
  SeededRandom random(7);
  IdGenerator ids(random);
  for (const char* account :
       {"000000000000", "111111111111", "999999999999", "783794618700", "000000000001"}) {
    std::string key = ids.AccessKeyId(id_prefix::kAccessKey, account);
    ASSERT_EQ(key.size(), 20u);
    EXPECT_EQ(key.substr(0, 4), "AKIA");
    EXPECT_TRUE(AllBase32(key.substr(4))) << key;
    auto decoded = AccountFromAccessKeyId(key);
    ASSERT_TRUE(decoded.has_value()) << key;
    EXPECT_EQ(*decoded, account);
  }
  std::string temp = ids.AccessKeyId(id_prefix::kTemporaryKey, "123456789012");
  EXPECT_EQ(temp.substr(0, 4), "ASIA");
  EXPECT_EQ(*AccountFromAccessKeyId(temp), "123456789012");
}

TEST(Ids, DecodesPublishedExample) {
  // The example key of the published decoding write-up (awsteele.com, 2020).
  EXPECT_EQ(AccountFromAccessKeyId("ASIAY34FZKBOKMUTVV7A"), "609629065308");
  EXPECT_FALSE(AccountFromAccessKeyId("AKIDEXAMPLE").has_value());
  EXPECT_FALSE(AccountFromAccessKeyId("AKIA0000000000000000").has_value());
}

TEST(Ids, SecretsUniqueIdsTokensUuids) {
  IdGenerator ids(DefaultRandom());
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string secret = ids.SecretAccessKey();
    EXPECT_EQ(secret.size(), 40u);
    EXPECT_EQ(secret.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
              std::string::npos);
    EXPECT_TRUE(seen.insert(secret).second);
  }
  std::string uid = ids.UniqueId(id_prefix::kRole);
  EXPECT_EQ(uid.size(), 21u);
  EXPECT_EQ(uid.substr(0, 4), "AROA");
  EXPECT_TRUE(AllBase32(uid.substr(4)));
  EXPECT_GE(ids.SessionToken().size(), 128u);
  std::string uuid = ids.Uuid();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[8], '-');
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
}

}  // namespace
}  // namespace cpa::core
