// CurlTransport against a tiny loopback HTTP server run by the test.
#include "awsapi/curl_transport.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace cpa::awsapi {
namespace {

// Serves canned HTTP/1.1 responses on 127.0.0.1 and records the raw requests; counts connections.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::string response) : response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 8);
    thread_ = std::thread([this] { Run(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_; }
  std::string last_request() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

 private:
  void Run() {
    while (!stop_) {
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      std::string buffer;
      char chunk[4096];
      for (;;) {
        // Read one request: headers, then Content-Length bytes of body.
        size_t end = buffer.find("\r\n\r\n");
        if (end != std::string::npos) {
          size_t length = 0;
          size_t cl = buffer.find("Content-Length: ");
          if (cl != std::string::npos && cl < end) length = std::stoul(buffer.substr(cl + 16));
          if (buffer.size() >= end + 4 + length) {
            {
              std::lock_guard<std::mutex> lock(mu_);
              last_request_ = buffer.substr(0, end + 4 + length);
            }
            buffer.erase(0, end + 4 + length);
            if (write(client, response_.data(), response_.size()) < 0) break;
            continue;
          }
        }
        ssize_t n = read(client, chunk, sizeof chunk);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      close(client);
    }
  }

  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::string last_request_;
  std::thread thread_;
};

TEST(CurlTransport, SendsAndReceivesAndReusesConnections) {
  LoopbackServer server(
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/xml\r\nx-amzn-RequestId: abc\r\n"
      "Content-Length: 5\r\n\r\nhello");
  CurlTransport transport;
  HttpRequest request{
      "POST", server.url("/p?q=1"), {{"Content-Type", "text/plain"}, {"X-Test", "1"}}, "body!"};
  for (int i = 0; i < 3; ++i) {
    auto response = transport.Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 404);
    EXPECT_EQ(response->body, "hello");
    EXPECT_EQ(response->Header("X-AMZN-REQUESTID"), "abc");
    EXPECT_EQ(response->Header("content-type"), "text/xml");
  }
  EXPECT_EQ(server.connections(), 1);  // kept alive and reused
  std::string raw = server.last_request();
  EXPECT_EQ(raw.rfind("POST /p?q=1 HTTP/1.1\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("X-Test: 1\r\n"), std::string::npos);
  EXPECT_EQ(raw.find("Expect:"), std::string::npos);
  EXPECT_NE(raw.find("\r\n\r\nbody!"), std::string::npos);

  HttpRequest get{"GET", server.url("/g"), {}, ""};
  auto response = transport.Send(get);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(server.last_request().rfind("GET /g HTTP/1.1\r\n", 0), 0u);
  HttpRequest del{"DELETE", server.url("/d"), {}, ""};
  ASSERT_TRUE(transport.Send(del).ok());
  EXPECT_EQ(server.last_request().rfind("DELETE /d HTTP/1.1\r\n", 0), 0u);
}

TEST(CurlTransport, ConnectionRefusedIsTransient) {
  int port;
  {
    LoopbackServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    port = std::stoi(server.url().substr(17));
  }
  CurlTransport transport;
  auto response = transport.Send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::ErrorCode::kInternal);
  EXPECT_NE(response.status().message().find("HTTP request to http://127.0.0.1:"),
            std::string::npos);
}

TEST(CurlTransport, TimeoutsAndLimits) {
  // A server that answers with more than the limit allows.
  LoopbackServer server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'));
  CurlTransportOptions options;
  options.max_response_bytes = 10;
  CurlTransport small(options);
  auto response = small.Send({"GET", server.url(), {}, ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(response.status().message().find("exceeds 10 bytes"), std::string::npos);

  // A listener that never answers: the total timeout fires.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  listen(fd, 1);
  CurlTransportOptions quick;
  quick.total_timeout = std::chrono::milliseconds(200);
  CurlTransport transport(quick);
  auto timed_out = transport.Send(
      {"GET", "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", {}, ""});
  close(fd);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.status().code(), core::ErrorCode::kInternal);

  EXPECT_EQ(transport.Send({"GET", "not a url", {}, ""}).status().code(),
            core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cpa::awsapi
