#include "server/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "test_client.h"

namespace cpa::server::http {
namespace {

using namespace std::chrono_literals;
using testing::TestClient;

// Echoes the request: "METHOD TARGET\n" then the body; headers summarised in X-Echo-* fields.
Response Echo(Request&& r) {
  Response resp = TextResponse(200, r.method + " " + r.target + "\n" + r.body);
  std::string names;
  for (const auto& [k, v] : r.headers) names += k + ",";
  resp.SetHeader("X-Echo-Header-Names", names);
  resp.SetHeader("X-Echo-Remote", r.remote_address + ":" + std::to_string(r.remote_port));
  resp.SetHeader("X-Echo-Path", std::string(r.Path()));
  resp.SetHeader("X-Echo-Query", std::string(r.Query()));
  resp.service = "test";
  resp.operation = "Echo";
  return resp;
}

ServerOptions TestOptions() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.max_header_bytes = 8 * 1024;
  o.max_body_bytes = 1024 * 1024;
  o.idle_timeout = 2s;
  o.header_timeout = 400ms;
  o.body_timeout = 400ms;
  o.shutdown_timeout = 2s;
  return o;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = TestOptions(), Handler handler = Echo) {
    server_ = std::make_unique<Server>(std::move(options), std::move(handler));
    ConfigureRoutes(*server_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  virtual void ConfigureRoutes(Server& s) {}
  void TearDown() override {
    if (server_) server_->Stop();
  }
  uint16_t port() const { return server_->port(); }

  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, GetAndPostRoundTrip) {
  StartServer();
  TestClient c(port());
  ASSERT_TRUE(c.connected());
  auto r = c.Request("GET", "/hello/world?x=1&y=%2F", "", "X-Custom-Header: A\r\nx-lower: b\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /hello/world?x=1&y=%2F\n");
  EXPECT_EQ(r->Field("X-Echo-Header-Names"), "Host,X-Custom-Header,x-lower,");
  EXPECT_EQ(r->Field("X-Echo-Path"), "/hello/world");
  EXPECT_EQ(r->Field("X-Echo-Query"), "x=1&y=%2F");
  EXPECT_TRUE(r->Field("X-Echo-Remote").starts_with("127.0.0.1:"));
  EXPECT_EQ(r->Field("Server"), "cpa");
  EXPECT_TRUE(
      std::regex_match(r->Field("Date"),
                       std::regex(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)")))
      << r->Field("Date");
  EXPECT_EQ(r->Field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(r->keep_alive);

  auto p = c.Request("POST", "/", "Action=GetCallerIdentity&Version=2011-06-15",
                     "Content-Type: application/x-www-form-urlencoded\r\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 200);
  EXPECT_EQ(p->body, "POST /\nAction=GetCallerIdentity&Version=2011-06-15");
}

TEST_F(ServerTest, ChunkedRequestBody) {
  StartServer();
  TestClient c(port());
  ASSERT_TRUE(
      c.Send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /c\nhello world");
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  TestClient c(port());
  std::string remote;
  for (int i = 0; i < 5; ++i) {
    auto r = c.Request("GET", "/n/" + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->keep_alive);
    if (i == 0) remote = r->Field("X-Echo-Remote");
    EXPECT_EQ(r->Field("X-Echo-Remote"), remote);
  }
  EXPECT_EQ(server_->server_metrics().connections.WithLabels({}).Value(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer();
  TestClient c(port());
  ASSERT_TRUE(
      c.Send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
             "POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
             "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r1 = c.Read();
  auto r2 = c.Read();
  auto r3 = c.Read();
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_EQ(r1->body, "GET /1\n");
  EXPECT_EQ(r2->body, "POST /2\nabc");
  EXPECT_EQ(r3->body, "GET /3\n");
}

TEST_F(ServerTest, ConnectionCloseAndHttp10) {
  StartServer();
  {
    TestClient c(port());
    ASSERT_TRUE(c.Send("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->keep_alive);
    EXPECT_TRUE(c.WaitClosed(2s));
  }
  {
    TestClient c(port());
    ASSERT_TRUE(c.Send("GET /b HTTP/1.0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /b\n");
    EXPECT_TRUE(c.WaitClosed(2s));
  }
}

TEST_F(ServerTest, MalformedRequestLineGets400AndClose) {
  StartServer();
  for (std::string_view bad : {"GARBAGE\r\n\r\n", "GET /x HTTP/9.Z\r\n\r\n",
                               "GET /x HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
                               "POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n"}) {
    TestClient c(port());
    ASSERT_TRUE(c.Send(bad));
    auto r = c.Read();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_FALSE(r->keep_alive);
    EXPECT_TRUE(c.WaitClosed(3s));
  }
  EXPECT_EQ(server_->server_metrics().rejected.WithLabels({"bad_request"}).Value(), 4u);
}

TEST_F(ServerTest, OversizedHeaderGets431) {
  StartServer();
  TestClient c(port());
  std::string req = "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  c.Send(req);  // the server may answer and close before reading it all
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.WaitClosed(3s));
}

TEST_F(ServerTest, OversizedBodyGets413) {
  StartServer();
  {
    // Declared too large: refused before any body byte is read.
    TestClient c(port());
    ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\nabc"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(c.WaitClosed(3s));
  }
  {
    // Chunked, growing past the limit.
    TestClient c(port());
    std::string chunk(512 * 1024, 'x');
    std::string req = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) req += "80000\r\n" + chunk + "\r\n";
    req += "0\r\n\r\n";
    c.Send(req);
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  EXPECT_EQ(server_->server_metrics().rejected.WithLabels({"body_too_large"}).Value(), 2u);
}

class RoutedServerTest : public ServerTest {
 protected:
  void ConfigureRoutes(Server& s) override {
    s.AddRoute(
        "/v2/",
        [](Request&& r) {
          Response resp = TextResponse(201, "stored " + std::to_string(r.body.size()));
          resp.service = "registry";
          resp.operation = "PutBlob";
          return resp;
        },
        RouteOptions{.max_body_bytes = 4 * 1024 * 1024});
  }
};

TEST_F(RoutedServerTest, RouteMayRaiseTheBodyLimit) {
  StartServer();
  std::string big(3 * 1024 * 1024, 'b');
  TestClient c(port());
  auto r = c.Request("PUT", "/v2/repo/blobs/uploads/1", big);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "stored " + std::to_string(big.size()));
  // The default route keeps the default limit.
  auto d = c.Request("POST", "/", big);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 413);
}

TEST_F(RoutedServerTest, ExpectContinue) {
  StartServer();
  {
    TestClient c(port());
    ASSERT_TRUE(c.Send(
        "PUT /v2/x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
    auto interim = c.ReadRawHead();
    ASSERT_TRUE(interim);
    EXPECT_TRUE(interim->starts_with("HTTP/1.1 100 Continue\r\n")) << *interim;
    ASSERT_TRUE(c.Send("hello"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
  }
  {
    // Over the limit: the final 413 comes instead of 100 Continue.
    TestClient c(port());
    ASSERT_TRUE(
        c.Send("PUT /v2/x HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\nExpect: "
               "100-continue\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
}

TEST_F(ServerTest, SlowClientIsDroppedWhileOthersAreServed) {
  StartServer();
  TestClient slow(port());
  ASSERT_TRUE(slow.Send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Partial: "));
  auto t0 = std::chrono::steady_clock::now();
  // Others are served meanwhile.
  TestClient other(port());
  for (int i = 0; i < 20; ++i) {
    auto r = other.Request("GET", "/other");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_TRUE(slow.WaitClosed(3s));
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 2500ms);
  // The stream closes the socket when its deadline passes; the count follows at once.
  Counter& timeouts = server_->server_metrics().rejected.WithLabels({"timeout"});
  for (int i = 0; i < 200 && timeouts.Value() == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(timeouts.Value(), 1u);
}

TEST_F(ServerTest, SlowBodyIsDropped) {
  StartServer();
  TestClient slow(port());
  ASSERT_TRUE(slow.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_TRUE(slow.WaitClosed(3s));
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
  ServerOptions o = TestOptions();
  o.idle_timeout = 300ms;
  StartServer(o);
  TestClient c(port());
  auto r = c.Request("GET", "/");
  ASSERT_TRUE(r);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
}

TEST_F(ServerTest, ConcurrentClients) {
  StartServer();
  constexpr int kThreads = 8;
  constexpr int kRequests = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TestClient c(port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = c.Request("POST", "/c", body);
        if (r && r->status == 200 && r->body == "POST /c\n" + body) ok.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
  EXPECT_EQ(server_->server_metrics().requests.WithLabels({"test", "Echo", "success"}).Value(),
            static_cast<uint64_t>(kThreads * kRequests));
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequest) {
  std::atomic<bool> entered{false};
  StartServer(TestOptions(), [&](Request&& r) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    return TextResponse(200, "done");
  });
  TestClient idle(port());
  ASSERT_TRUE(idle.connected());
  std::optional<testing::ClientResponse> result;
  std::thread client([&] {
    TestClient c(port());
    result = c.Request("GET", "/work");
  });
  while (!entered) std::this_thread::sleep_for(1ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  client.join();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "done");
  EXPECT_FALSE(result->keep_alive);
  EXPECT_TRUE(idle.WaitClosed(1s));
  TestClient after(port());
  EXPECT_FALSE(after.connected());
}

TEST_F(ServerTest, StopCutsRequestsThatOutliveTheTimeout) {
  ServerOptions o = TestOptions();
  o.shutdown_timeout = 200ms;
  o.header_timeout = 5s;
  StartServer(o);
  TestClient partial(port());
  ASSERT_TRUE(partial.Send("GET / HTTP/1.1\r\nHo"));
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  EXPECT_TRUE(partial.WaitClosed(1s));
}

TEST_F(ServerTest, RequestStopFromHandlerWakesWait) {
  Server* self = nullptr;
  StartServer(TestOptions(), [&](Request&& r) {
    self->Stop();  // from a worker: only requests the stop
    return TextResponse(200, "bye");
  });
  self = server_.get();
  std::thread waiter([&] { server_->Wait(); });
  TestClient c(port());
  auto r = c.Request("GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "bye");
  waiter.join();
  server_->Stop();
  EXPECT_EQ(server_->StopSignal(), 0);
}

TEST_F(ServerTest, SigtermRequestsStop) {
  StartServer();
  ASSERT_TRUE(server_->HandleSignals().ok());
  std::raise(SIGTERM);
  server_->Wait();
  EXPECT_EQ(server_->StopSignal(), SIGTERM);
  server_->Stop();
}

TEST_F(ServerTest, HandlerExceptionGives500) {
  StartServer(TestOptions(), [](Request&& r) -> Response {
    if (r.Path() == "/throw") throw std::runtime_error("boom");
    return TextResponse(200, "fine");
  });
  TestClient c(port());
  auto r = c.Request("GET", "/throw");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("boom"), std::string::npos);
  auto r2 = c.Request("GET", "/ok");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
}

TEST_F(ServerTest, HeadKeepsDeclaredLengthWithoutBody) {
  StartServer(TestOptions(), [](Request&& r) {
    Response resp(200, "application/octet-stream", "");
    resp.SetHeader("Content-Length", "1234");
    resp.SetHeader("Bad\r\nHeader", "x");
    resp.SetHeader("X-Injected", "a\r\nSet-Cookie: evil");
    return resp;
  });
  TestClient c(port());
  auto r = c.Request("HEAD", "/v2/blob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Field("Content-Length"), "1234");
  EXPECT_EQ(r->Field("X-Injected"), "");
  EXPECT_EQ(r->Field("Set-Cookie"), "");
  // The connection is still in step.
  auto r2 = c.Request("HEAD", "/v2/blob");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
}

TEST_F(ServerTest, HealthAndMetricsEndpoints) {
  StartServer();
  TestClient c(port());
  auto h = c.Request("GET", "/_cpa/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->body, R"({"status":"ok"})");
  EXPECT_EQ(h->Field("Content-Type"), "application/json");
  ASSERT_TRUE(c.Request("GET", "/api?Action=X"));
  server_->server_metrics().decisions.WithLabels({"allow"}).Inc();

  auto value_of = [](const std::string& text, const std::string& series) -> long {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with(series + " ")) return std::stol(line.substr(series.size() + 1));
    }
    return -1;
  };
  auto m1 = c.Request("GET", "/_cpa/metrics");
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->status, 200);
  EXPECT_EQ(m1->Field("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  // Every line is a comment or a sample: name{labels} value.
  std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfa]+$)");
  std::istringstream in(m1->body);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    ++samples;
  }
  EXPECT_GT(samples, 10);
  const std::string health =
      R"(cpa_requests_total{service="cpa",operation="health",outcome="success"})";
  EXPECT_EQ(value_of(m1->body, health), 1);
  EXPECT_EQ(value_of(m1->body,
                     R"(cpa_requests_total{service="test",operation="Echo",outcome="success"})"),
            1);
  EXPECT_EQ(value_of(m1->body, R"(cpa_authz_decisions_total{result="allow"})"), 1);
  EXPECT_EQ(value_of(m1->body, "cpa_http_connections_open"), 1);
  EXPECT_EQ(value_of(m1->body, R"(cpa_request_duration_seconds_count{service="test"})"), 1);
  EXPECT_NE(m1->body.find("# TYPE cpa_request_duration_seconds histogram"), std::string::npos);

  ASSERT_TRUE(c.Request("GET", "/_cpa/health"));
  auto m2 = c.Request("GET", "/_cpa/metrics");
  ASSERT_TRUE(m2);
  EXPECT_EQ(value_of(m2->body, health), 2);
  EXPECT_EQ(value_of(m2->body,
                     R"(cpa_requests_total{service="cpa",operation="metrics",outcome="success"})"),
            1);
}

TEST_F(ServerTest, AccessLogHasNoSecrets) {
  std::mutex mu;
  std::vector<std::string> lines;
  server_ = std::make_unique<Server>(TestOptions(), Echo);
  server_->SetAccessLog([&](const AccessLogEntry& e) {
    std::lock_guard lock(mu);
    lines.push_back(std::string(e.method) + " " + std::string(e.path) + " " +
                    std::to_string(e.status) + " in=" + std::to_string(e.bytes_in) +
                    " out=" + std::to_string(e.bytes_out) + " " + std::string(e.service) + "/" +
                    std::string(e.operation) + " " + std::string(e.remote_address));
    EXPECT_GE(e.latency.count(), 0);
  });
  ASSERT_TRUE(server_->Start().ok());
  TestClient c(port());
  auto r = c.Request("POST", "/p?X-Amz-Signature=secret", "body-secret",
                     "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/secret\r\n");
  ASSERT_TRUE(r);
  c.Request("GET", "/_cpa/health");
  server_->Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "POST /p 200 in=11 out=" + std::to_string(r->body.size()) + " test/Echo 127.0.0.1");
  EXPECT_EQ(lines[1].rfind("GET /_cpa/health 200", 0), 0u);
  for (const auto& l : lines) EXPECT_EQ(l.find("secret"), std::string::npos) << l;
}

TEST_F(ServerTest, ListensOnIpv6Loopback) {
  ServerOptions o = TestOptions();
  o.host = "[::1]";
  server_ = std::make_unique<Server>(o, Echo);
  core::Status st = server_->Start();
  if (!st.ok()) GTEST_SKIP() << "no IPv6 loopback: " << st.ToString();
  EXPECT_EQ(server_->address(), "[::1]:" + std::to_string(port()));
  TestClient c(port(), "::1");
  auto r = c.Request("GET", "/six");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->Field("X-Echo-Remote").starts_with("::1:"));
}

TEST_F(ServerTest, StartErrors) {
  StartServer();
  ServerOptions o = TestOptions();
  o.port = port();
  Server clash(o, Echo);
  core::Status st = clash.Start();
  EXPECT_EQ(st.code(), core::ErrorCode::kInternal);
  EXPECT_NE(st.message().find("127.0.0.1:" + std::to_string(port())), std::string::npos);

  o.host = "not-an-ip";
  Server bad(o, Echo);
  EXPECT_EQ(bad.Start().code(), core::ErrorCode::kInvalidArgument);
}

TEST_F(ServerTest, MaxConnections) {
  ServerOptions o = TestOptions();
  o.max_connections = 1;
  StartServer(o);
  TestClient first(port());
  ASSERT_TRUE(first.Request("GET", "/"));
  TestClient second(port());
  EXPECT_TRUE(second.WaitClosed(2s));
  EXPECT_TRUE(first.Request("GET", "/"));
}

TEST(ServerLifecycle, DestructorStopsAndStopIsIdempotent) {
  Server s(TestOptions(), Echo);
  s.Stop();  // before Start: nothing
  ASSERT_TRUE(s.Start().ok());
  TestClient c(s.port());
  ASSERT_TRUE(c.Request("GET", "/"));
  s.Stop();
  s.Stop();
}

}  // namespace
}  // namespace cpa::server::http
