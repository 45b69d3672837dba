#pragma once
// The HTTP/1.1 server of `cpa serve`, on Boost.Beast/Asio. Beast stays behind this header:
// handlers see only server/http/message.h.
//
//   http::ServerOptions options;                  // host, port (0 = ephemeral), limits, timeouts
//   http::Server server(options, main_handler);   // everything not routed elsewhere
//   server.AddRoute("/v2/", registry_handler, {.max_body_bytes = 1ull << 30});
//   server.SetAccessLog([](const http::AccessLogEntry& e) { ... });
//   CPA_RETURN_IF_ERROR(server.Start());          // binds, listens, starts the workers
//   std::cout << "ready on " << server.address() << "\n";
//   int signal = server.RunUntilSignal();         // SIGINT/SIGTERM → graceful Stop()
//
// Built in: GET /_cpa/health → 200 {"status":"ok"}; GET /_cpa/metrics → Prometheus text.
//
// Threading: `threads` workers (default: the CPUs in this process's affinity mask) run one shared
// io_context; each connection lives on a strand and handles its requests one after another
// (keep-alive; pipelined requests are answered in order). A handler runs on a worker thread and
// holds it while it runs; slow clients hold no thread (all I/O is asynchronous, with deadlines).
// See server/http/README.md.
//
// Large bodies: a Response may name a file slice (Response::file), sent with sendfile(2); a route
// with a spool directory (RouteOptions::spool_dir) receives large request bodies as files, with
// their SHA-256 (Request::body_file, body_sha256). Neither holds the bytes in memory.
//
// Errors: malformed HTTP → 400, header too large → 431, body too large → 413, each followed by
// closing the connection; a handler that throws → 500; a response file that cannot be opened →
// 500; a spool file that cannot be written → 500 and close. No exception leaves this API.
//
// Thread safety: configure (AddRoute, SetAccessLog) before Start. Start, Stop, RunUntilSignal from
// one controlling thread; RequestStop and metrics() from anywhere, handlers included.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http/message.h"
#include "server/http/metrics.h"
#include "server/http/router.h"

namespace cpa::server::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal ("::1", "[::1]"), or "localhost"
  uint16_t port = 0;               // 0: an ephemeral port (see Server::port())
  int threads = 0;  // worker threads; 0: one per CPU this process may use (sched_getaffinity)
  size_t max_connections = 4096;  // accepted beyond this are closed at once

  uint32_t max_header_bytes = 16 * 1024;       // request line + fields → 431 past this
  uint64_t max_body_bytes = 10 * 1024 * 1024;  // default body limit → 413 (routes may override)

  // A new connection, or a kept-alive one between requests, may stay silent this long.
  std::chrono::milliseconds idle_timeout{60'000};
  // From a request's first byte to the end of its header.
  std::chrono::milliseconds header_timeout{10'000};
  // For a request body: this, plus its declared length (chunked: the route's body limit) at
  // `min_body_rate` bytes per second; a chunked body must also make progress every body_timeout.
  std::chrono::milliseconds body_timeout{10'000};
  uint64_t min_body_rate = 1024 * 1024;
  // To write one response; a file response also gets its length at `min_body_rate`.
  std::chrono::milliseconds write_timeout{30'000};
  // Stop(): how long in-flight requests may take to finish before connections are cut.
  std::chrono::milliseconds shutdown_timeout{5'000};

  std::string server_header = "cpa";  // the Server: field; empty for none
  // File responses go from the page cache to the socket with sendfile(2); false copies them
  // through user space instead (the automatic fallback where sendfile is not supported).
  bool sendfile = true;
};

// One line of the access log. Never carries header values or bodies.
struct AccessLogEntry {
  std::string_view method;
  std::string_view path;  // without the query
  int status = 0;
  std::chrono::microseconds latency{0};  // first byte of the request to the last of the response
  uint64_t bytes_in = 0;                 // request body bytes
  uint64_t bytes_out = 0;                // response body bytes
  std::string_view remote_address;
  std::string_view service;  // the response's accounting labels (see Response)
  std::string_view operation;
};
using AccessLogFn = std::function<void(const AccessLogEntry&)>;

// The metric families the server maintains, plus `decisions`, which the enforcement layer
// increments (result: "allow", "explicit_deny", "implicit_deny").
struct ServerMetrics {
  explicit ServerMetrics(MetricsRegistry& registry);
  CounterFamily& requests;        // cpa_requests_total{service,operation,outcome}
  HistogramFamily& latency;       // cpa_request_duration_seconds{service}
  CounterFamily& decisions;       // cpa_authz_decisions_total{result}
  CounterFamily& rejected;        // cpa_http_rejected_total{reason}
  GaugeFamily& connections_open;  // cpa_http_connections_open
  CounterFamily& connections;     // cpa_http_connections_total
  CounterFamily& file_errors;     // cpa_http_file_errors_total: file responses turned into 500
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (host 127.0.0.1) into host and port.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
core::Result<ListenAddress> ParseListenAddress(std::string_view text);

class ServerImpl;

class Server {
 public:
  // `handler` serves every request no route claims (it may be empty: 404).
  Server(ServerOptions options, Handler handler);
  ~Server();  // Stop()s.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Routes a path prefix (`/v2/`) or an exact path to another handler, optionally with its own
  // body limit. Before Start.
  void AddRoute(std::string prefix, Handler handler, RouteOptions options = {});
  void AddExactRoute(std::string path, Handler handler, RouteOptions options = {});
  // Called once per answered request, after the response is written, on the worker threads
  // (concurrently: `fn` must be thread-safe). Before Start.
  void SetAccessLog(AccessLogFn fn);

  // Binds and listens without serving yet: port() is known, connections wait in the backlog
  // until Start. Lets the owner finish configuring what depends on the port. Optional.
  core::Status Listen();
  // Binds and listens (unless Listen did), then starts the workers. kInvalidArgument for a bad
  // host; kInternal if the address cannot be bound (the message names the address and the OS
  // error).
  core::Status Start();

  // The bound port (useful with port 0) and "host:port" ("[::1]:port" for IPv6). After Start.
  uint16_t port() const;
  std::string address() const;

  // Graceful shutdown: stops accepting, closes idle connections, lets in-flight requests finish
  // (their responses carry Connection: close) for up to shutdown_timeout, then cuts what
  // remains and joins the workers. Idempotent. Called from a handler it only requests the stop.
  void Stop();
  // Asks whoever is in Wait()/RunUntilSignal() to stop; returns at once. Thread-safe.
  void RequestStop();
  // Blocks until RequestStop() (or a handled signal).
  void Wait();
  // Turns SIGINT and SIGTERM into RequestStop() (the signal is remembered for RunUntilSignal).
  // After Start; until Stop. Idempotent.
  core::Status HandleSignals();
  // HandleSignals(), Wait(), then Stop(). Returns the signal number, or 0 if stopped by
  // RequestStop().
  int RunUntilSignal();
  // The signal that requested the stop, or 0.
  int StopSignal() const;

  MetricsRegistry& metrics();
  ServerMetrics& server_metrics();

 private:
  std::shared_ptr<ServerImpl> impl_;
};

}  // namespace cpa::server::http
