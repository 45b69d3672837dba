#pragma once
// A small HTTP test client on Beast with deadlines on every operation, able to send raw bytes
// (malformed requests, half requests) and to read responses or notice the server closing.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cpa::server::http::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct ClientResponse {
  int status = 0;
  std::string body;
  bool keep_alive = false;
  bhttp::fields fields;
  std::string Field(std::string_view name) const {
    auto it = fields.find(beast::string_view(name.data(), name.size()));
    return it == fields.end() ? std::string() : std::string(it->value());
  }
};

class TestClient {
 public:
  explicit TestClient(uint16_t port, std::string host = "127.0.0.1") : stream_(ioc_) {
    beast::error_code ec;
    net::ip::tcp::endpoint ep(net::ip::make_address(host, ec), port);
    stream_.expires_after(std::chrono::seconds(5));
    stream_.async_connect(ep, [&](beast::error_code e) { ec_ = e; });
    Run();
    connected_ = !ec_;
  }

  bool connected() const { return connected_; }

  bool Send(std::string_view data, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    stream_.expires_after(timeout);
    net::async_write(stream_, net::buffer(data.data(), data.size()),
                     [&](beast::error_code e, size_t) { ec_ = e; });
    Run();
    return !ec_;
  }

  std::optional<ClientResponse> Read(bool head = false,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (head) parser.skip(true);
    stream_.expires_after(timeout);
    bhttp::async_read(stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec_ = e; });
    Run();
    if (ec_) return std::nullopt;
    auto msg = parser.release();
    ClientResponse r;
    r.status = static_cast<int>(msg.result_int());
    r.keep_alive = msg.keep_alive();
    r.body = std::move(msg.body());
    for (const auto& f : msg) r.fields.insert(f.name_string(), f.value());
    return r;
  }

  // Reads a raw status line + header (for interim 1xx responses), up to the blank line.
  std::optional<std::string> ReadRawHead(
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    stream_.expires_after(timeout);
    std::string out;
    for (;;) {
      auto data = buffer_.data();
      std::string_view have(static_cast<const char*>(data.data()), data.size());
      size_t end = have.find("\r\n\r\n");
      if (end != std::string_view::npos) {
        out.assign(have.substr(0, end + 4));
        buffer_.consume(end + 4);
        return out;
      }
      stream_.async_read_some(buffer_.prepare(4096), [&](beast::error_code e, size_t n) {
        ec_ = e;
        if (!e) buffer_.commit(n);
      });
      Run();
      if (ec_) return std::nullopt;
    }
  }

  // True if the server closes the connection (EOF or reset) within `timeout`; any data that
  // arrives first is discarded.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    stream_.expires_after(timeout);
    for (;;) {
      stream_.async_read_some(buffer_.prepare(4096), [&](beast::error_code e, size_t n) {
        ec_ = e;
        if (!e) buffer_.commit(n);
      });
      Run();
      if (ec_ == beast::error::timeout) return false;
      if (ec_) return true;
      buffer_.consume(buffer_.size());
    }
  }

  // One request with a keep-alive Host header; returns the response.
  std::optional<ClientResponse> Request(std::string_view method, std::string_view target,
                                        std::string_view body = {},
                                        std::string_view extra_headers = {}) {
    std::string req;
    req.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
    req.append(extra_headers);
    if (!body.empty() || method == "POST" || method == "PUT") {
      req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    req.append("\r\n").append(body);
    if (!Send(req)) return std::nullopt;
    return Read(method == "HEAD");
  }

 private:
  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code ec_;
  bool connected_ = false;
};

}  // namespace cpa::server::http::testing
