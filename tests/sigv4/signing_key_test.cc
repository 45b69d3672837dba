#include "sigv4/signing_key.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/encoding.h"

namespace cpa::sigv4 {
namespace {

std::string Hex(const core::Sha256Digest& d) { return core::HexEncode(core::Bytes(d.data(), 32)); }

TEST(SigningKey, DerivationMatchesPublishedExample) {
  // The example of the AWS General Reference ("Examples of how to derive a signing key").
  EXPECT_EQ(Hex(DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                 "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigningKeyCache, HitsMissesAndDistinctKeys) {
  SigningKeyCache cache(8);
  auto a = cache.Get("secret", "20150830", "us-east-1", "sts");
  auto b = cache.Get("secret", "20150830", "us-east-1", "sts");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  auto c = cache.Get("secret", "20150830", "us-west-2", "sts");
  auto d = cache.Get("secret", "20150831", "us-east-1", "sts");
  auto e = cache.Get("other", "20150830", "us-east-1", "sts");
  auto f = cache.Get("secret", "20150830", "us-east-1", "ecr");
  EXPECT_NE(a.get(), c.get());
  EXPECT_NE(a.get(), d.get());
  EXPECT_NE(a.get(), e.get());
  EXPECT_NE(a.get(), f.get());
  EXPECT_EQ(cache.size(), 5u);
  // The cached key computes the same MAC as a fresh derivation.
  core::Sha256Digest raw = DeriveSigningKey("secret", "20150830", "us-east-1", "sts");
  EXPECT_EQ(Hex(a->Mac("payload")), Hex(core::HmacSha256(core::DigestView(raw), "payload")));
}

TEST(SigningKeyCache, BoundedAndThreadSafe) {
  SigningKeyCache cache(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 100; ++i) {
        cache.Get("s" + std::to_string((i + t) % 6), "20150830", "us-east-1", "sts");
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(cache.size(), 4u);
  EXPECT_EQ(cache.hits() + cache.misses(), 400u);
}

}  // namespace
}  // namespace cpa::sigv4
