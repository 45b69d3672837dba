// Cost of the core primitives the SigV4 hot path is made of.
#include <benchmark/benchmark.h>

#include <string>

#include "core/crypto.h"

namespace cpa::core {
namespace {

void BM_Sha256(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(Sha256(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(64)->Arg(400);

void BM_HmacPreparedKey(benchmark::State& state) {
  HmacSha256Key key("0123456789abcdef0123456789abcdef");
  std::string data(150, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(key.Mac(data));
}
BENCHMARK(BM_HmacPreparedKey);

void BM_HmacOneShot(benchmark::State& state) {
  std::string data(150, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(HmacSha256("0123456789abcdef", data));
}
BENCHMARK(BM_HmacOneShot);

}  // namespace
}  // namespace cpa::core

BENCHMARK_MAIN();
