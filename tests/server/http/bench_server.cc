// A trivial server for throughput checks:
//   cpa_http_bench_server [THREADS] [PORT]   then   wrk -t2 -c64 -d10s http://127.0.0.1:PORT/
// Answers every request with a short text body; prints "ready on ADDRESS"; stops on SIGINT/SIGTERM.

#include <cstdio>
#include <cstdlib>

#include "server/http/server.h"

int main(int argc, char** argv) {
  using namespace cpa::server::http;
  ServerOptions options;
  options.threads = argc > 1 ? std::atoi(argv[1]) : 0;
  options.port = static_cast<uint16_t>(argc > 2 ? std::atoi(argv[2]) : 0);
  Server server(options, [](Request&& r) {
    Response resp = TextResponse(200, "ok\n");
    resp.service = "bench";
    resp.operation = "Ok";
    return resp;
  });
  cpa::core::Status st = server.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("ready on %s\n", server.address().c_str());
  std::fflush(stdout);
  int sig = server.RunUntilSignal();
  std::printf("stopped (signal %d)\n", sig);
  return 0;
}
