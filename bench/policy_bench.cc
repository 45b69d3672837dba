// Policy decisions per second for the request files of tests/clients/requests (the same files the
// iam-simulate comparison reads): the seed's cross-account pull, the AssumeRole hops, and a
// 100-statement identity policy with conditions. Policies are compiled once, as the server does;
// each iteration is one full decision. "notrace" is the server's hot path (decision only),
// "trace" also builds the explanation the CLI prints.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "policy/simulation.h"

namespace {

std::filesystem::path RequestsDir() {
  if (const char* dir = std::getenv("CPA_POLICY_REQUESTS")) return dir;
  return std::filesystem::path(CPA_SOURCE_DIR) / "tests" / "clients" / "requests";
}

void BM_Decision(benchmark::State& state, const cpa::policy::Simulation* sim, bool trace) {
  cpa::policy::EvaluateOptions options;
  options.trace = trace;
  for (auto _ : state) {
    auto decision = sim->Run(options);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(RequestsDir(), ec)) {
    if (e.path().extension() == ".json" && e.path().filename() != "expected.json") {
      files.push_back(e.path());
    }
  }
  if (files.empty()) {
    std::cerr << "policy_bench: no request files in " << RequestsDir() << "\n";
    return 1;
  }
  std::sort(files.begin(), files.end());
  static std::vector<std::unique_ptr<cpa::policy::Simulation>> sims;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    auto sim = cpa::policy::Simulation::Parse(ss.str());
    if (!sim.ok()) {
      std::cerr << "policy_bench: " << f << ": " << sim.status().ToString() << "\n";
      return 1;
    }
    sims.push_back(std::make_unique<cpa::policy::Simulation>(std::move(sim).value()));
    const std::string name = f.stem().string();
    benchmark::RegisterBenchmark(("BM_Decision/" + name + "/notrace").c_str(), BM_Decision,
                                 sims.back().get(), false);
    benchmark::RegisterBenchmark(("BM_Decision/" + name + "/trace").c_str(), BM_Decision,
                                 sims.back().get(), true);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
