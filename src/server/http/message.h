#pragma once
// The HTTP request and response as handlers see them, independent of Boost.Beast so that services
// and their tests never include Beast.
//
// A Request carries the method, the request target exactly as on the wire (path plus raw query),
// the header fields in arrival order with their names as sent (duplicates kept), the body and the
// peer's address. On a route with a spool directory (RouteOptions::spool_dir) a large body arrives
// as a file instead (`body_file`), with its size and SHA-256 computed while it was received.
//
// A Response carries the status, header fields, body or a file slice to send, and, optionally,
// the labels under which the server accounts the request in its metrics and access log.
//
// Thread safety: plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sigv4/http_request.h"

namespace cpa::server::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // "/path?query" exactly as on the wire
  HeaderList headers;  // arrival order, names as sent
  std::string body;    // empty when the body was spooled to `body_file`
  // Spool routes only: the body's file when it was larger than the route's spool threshold (or
  // chunked and grew past it). The handler may read it or rename(2) it away (same filesystem as
  // the spool directory); whatever is still at this path when the handler returns is unlinked.
  std::string body_file;
  uint64_t body_size = 0;   // bytes of the body, in `body` or in `body_file`
  std::string body_sha256;  // spool routes only: lower-case hex SHA-256 of the body, wherever it is
  std::string remote_address;  // peer IP address ("127.0.0.1", "::1")
  uint16_t remote_port = 0;
  int version = 11;  // 10 or 11

  // The path part of the target ("/" if the target is empty).
  std::string_view Path() const;
  // The raw query, without the '?' ("" when there is none).
  std::string_view Query() const;
  // The first header named `name` (ASCII case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// A slice of a file sent as the response body: `length` bytes from `offset` (0 is an empty
// body). The server opens the file when it sends the response (500 if it cannot be opened or is
// shorter than offset + length) and copies it to the socket in the kernel (sendfile).
struct FileBody {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  HeaderList headers;  // Content-Length is set by the server; Connection is managed by it
  std::string body;
  // When set, the body is this file slice (Content-Length = file->length) and `body` is ignored.
  // The handler sets Content-Type, Content-Range and the like.
  std::optional<FileBody> file;

  // Accounting labels (metrics and access log). Keep them to small, fixed sets: `service` is
  // "iam", "sts", "ecr", "eks", "registry", ...; `operation` an API operation name; `outcome`
  // "success" or an error code. Empty fields are derived by the server: service "other",
  // operation "other", outcome from the status ("success", "client_error", "server_error").
  std::string service;
  std::string operation;
  std::string outcome;

  Response() = default;
  Response(int status_code, std::string content_type, std::string body_text);

  // Replaces every header named `name` (case-insensitive) with one field.
  void SetHeader(std::string name, std::string value);
  std::optional<std::string_view> Header(std::string_view name) const;
};

// A text/plain response with `body` (a trailing newline is not added).
Response TextResponse(int status, std::string body);
// An application/json response.
Response JsonResponse(int status, std::string body);

// The request as SigV4 sees it (method, wire path and query, headers in order, in-memory body). The
// rvalue overload moves the body and headers out of `request`.
sigv4::HttpRequest ToSigV4Request(const Request& request);
sigv4::HttpRequest ToSigV4Request(Request&& request);

}  // namespace cpa::server::http
