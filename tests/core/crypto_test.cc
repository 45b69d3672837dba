#include "core/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "core/encoding.h"

namespace cpa::core {
namespace {

std::string Hex(const Sha256Digest& d) { return HexEncode(Bytes(d.data(), d.size())); }

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256Hasher h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(Hex(h.Finish()), Sha256Hex("abc"));
  h.Update("");
  EXPECT_EQ(Hex(h.Finish()), Sha256Hex(""));  // reset after Finish
}

TEST(HmacSha256, Rfc4231Vectors) {
  // Test case 1.
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2.
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Key, ReusableAndThreadSafe) {
  HmacSha256Key key("Jefe");
  const std::string want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  EXPECT_EQ(Hex(key.Mac("what do ya want for nothing?")), want);
  EXPECT_EQ(Hex(key.Mac("what do ya want for nothing?")), want);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (Hex(key.Mac("what do ya want for nothing?")) != want) ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(ConstantTimeEquals, Compares) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Random, SeededIsDeterministicAndSecureVaries) {
  SeededRandom a(42), b(42);
  uint8_t x[13], y[13];
  a.Fill(x, sizeof x);
  b.Fill(y, sizeof y);
  EXPECT_EQ(std::string(x, x + 13), std::string(y, y + 13));
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; ++i) seen.insert(DefaultRandom().Uniform(UINT64_MAX));
  EXPECT_EQ(seen.size(), 100u);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.Uniform(7), 7u);
}

}  // namespace
}  // namespace cpa::core
