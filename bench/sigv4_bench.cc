// SigV4 signing and verification cost for a typical STS and a typical ECR request, with a warm
// and a cold signing-key cache. `make bench` runs it; docs/performance.md records the figures.
#include <benchmark/benchmark.h>

#include "core/clock.h"
#include "sigv4/signer.h"
#include "sigv4/verifier.h"

namespace cpa::sigv4 {
namespace {

const core::TimePoint kNow{std::chrono::seconds(1764316800)};
constexpr const char* kKeyId = "AKIAEXAMPLEKEY000001";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

HttpRequest StsRequest() {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "127.0.0.1:40123"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"User-Agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 source/x86_64"},
               {"Content-Length", "128"}};
  r.body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2F"
      "curated-packages-role&RoleSessionName=botocore-session-1764316800";
  return r;
}

HttpRequest EcrRequest() {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "api.ecr.us-west-2.amazonaws.com"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.BatchGetImage"},
               {"User-Agent", "aws-sdk-js/3.600.0"},
               {"Content-Length", "110"}};
  r.body = R"({"registryId":"783794618700","repositoryName":"eks-anywhere-packages",)"
           R"("imageIds":[{"imageTag":"v0.4.3"}]})";
  return r;
}

SigningConfig Config(const char* service) {
  SigningConfig c;
  c.credentials = {kKeyId, kSecret, ""};
  c.region = "us-west-2";
  c.service = service;
  c.time = kNow;
  return c;
}

HttpRequest Signed(HttpRequest r, const char* service) {
  (void)SignRequest(r, Config(service));
  return r;
}

std::shared_ptr<const SecretInfo> Lookup(std::string_view) {
  static const auto info =
      std::make_shared<const SecretInfo>(SecretInfo{kSecret, "", std::nullopt, true, ""});
  return info;
}

void BM_Sign(benchmark::State& state, HttpRequest (*make)(), const char* service) {
  const HttpRequest base = make();
  const SigningConfig config = Config(service);
  for (auto _ : state) {
    HttpRequest r = base;
    auto result = SignRequest(r, config);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyWarm(benchmark::State& state, HttpRequest (*make)(), const char* service) {
  core::FakeClock clock(kNow);
  Verifier verifier(clock, Lookup);
  const HttpRequest request = Signed(make(), service);
  if (!verifier.Verify(request).ok()) state.SkipWithError("verification failed");
  for (auto _ : state) {
    auto v = verifier.Verify(request);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

// Cold: every verification derives the signing key (four extra HMACs), as for a first request
// of the day or a new key.
void BM_VerifyCold(benchmark::State& state, HttpRequest (*make)(), const char* service) {
  core::FakeClock clock(kNow);
  VerifierOptions options;
  const HttpRequest request = Signed(make(), service);
  Verifier verifier(clock, Lookup, options);
  for (auto _ : state) {
    state.PauseTiming();
    const_cast<SigningKeyCache&>(verifier.key_cache()).Clear();
    state.ResumeTiming();
    auto v = verifier.Verify(request);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_Sign, sts, StsRequest, "sts");
BENCHMARK_CAPTURE(BM_Sign, ecr, EcrRequest, "ecr");
BENCHMARK_CAPTURE(BM_VerifyWarm, sts, StsRequest, "sts");
BENCHMARK_CAPTURE(BM_VerifyWarm, ecr, EcrRequest, "ecr");
BENCHMARK_CAPTURE(BM_VerifyCold, sts, StsRequest, "sts");
BENCHMARK_CAPTURE(BM_VerifyCold, ecr, EcrRequest, "ecr");

}  // namespace
}  // namespace cpa::sigv4

BENCHMARK_MAIN();
