#include "core/encoding.h"

#include <gtest/gtest.h>

namespace cpa::core {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, enc] : vectors) {
    EXPECT_EQ(Base64Encode(plain), enc);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.ok()) << enc;
    EXPECT_EQ(*dec, plain);
  }
}

TEST(Base64, RejectsBadInput) {
  EXPECT_FALSE(Base64Decode("Zm9").ok());       // length
  EXPECT_FALSE(Base64Decode("Zm9v!A==").ok());  // character
  EXPECT_FALSE(Base64Decode("Z===").ok());      // too much padding
  EXPECT_FALSE(Base64Decode("Zh==").ok());      // non-canonical trailing bits
  EXPECT_FALSE(Base64Decode("Zm-v").ok());      // URL alphabet in std
}

TEST(Base64Url, RoundTripWithoutPadding) {
  std::string data = "\xfb\xff\xfe";
  EXPECT_EQ(Base64Encode(data), "+//+");
  EXPECT_EQ(Base64UrlEncode(data), "-__-");
  EXPECT_EQ(*Base64UrlDecode("-__-"), data);
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(*Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(*Base64UrlDecode("Zg=="), "f");
  EXPECT_FALSE(Base64UrlDecode("+//+").ok());
}

TEST(Base64, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(all)), all);
}

TEST(Hex, EncodeDecode) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\xab\xff", 3)), "00abff");
  EXPECT_EQ(*HexDecode("00ABff"), std::string("\x00\xab\xff", 3));
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

TEST(UriEncode, SigV4Rules) {
  EXPECT_EQ(UriEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c=d&e/f"), "a%20b%2Bc%3Dd%26e%2Ff");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4"), "%E1%88%B4");
  EXPECT_EQ(UriEncode("*"), "%2A");
}

TEST(UriDecode, FormAndPath) {
  EXPECT_EQ(*UriDecode("a%20b+c"), "a b+c");
  EXPECT_EQ(*UriDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(*UriDecode("%e1%88%B4"), "\xe1\x88\xb4");
  EXPECT_FALSE(UriDecode("%").ok());
  EXPECT_FALSE(UriDecode("%2").ok());
  EXPECT_FALSE(UriDecode("%zz").ok());
}

TEST(Ascii, Helpers) {
  EXPECT_EQ(AsciiLower("X-Amz-Date"), "x-amz-date");
  EXPECT_TRUE(AsciiIEquals("Host", "hOST"));
  EXPECT_FALSE(AsciiIEquals("Host", "Hosts"));
  EXPECT_EQ(TrimAsciiWhitespace(" \t a b \r\n"), "a b");
  EXPECT_EQ(TrimAsciiWhitespace("   "), "");
}

}  // namespace
}  // namespace cpa::core
