#pragma once
// The HTTP transport as the AWS client sees it: one request in, one response (or a transport
// failure) out. Tests inject a fake; production uses CurlTransport (awsapi/curl_transport.h).
//
// Error contract for HttpTransport::Send: a non-2xx answer from the server is NOT an error here
// (it is a response with that status). A Status is returned only when no HTTP response was
// received:
//   - kInternal: the exchange failed in a way worth retrying (DNS, connect, reset, timeout);
//   - kInvalidArgument: it can never succeed as configured (bad URL, TLS verification failure,
//     unsupported scheme, response too large).
// Messages name the URL's host and the cause; they never contain header values or bodies.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cpa::awsapi {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", "DELETE", ...
  std::string url;     // absolute: scheme://authority/path?query, already percent-encoded
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names as received
  std::string body;

  // The first header named `name` (ASCII case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// Thread safety: implementations must allow concurrent Send calls.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual core::Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// An absolute http(s) URL split into its parts.
struct Url {
  std::string scheme;            // "http" or "https", lowercase
  std::string host;              // lowercase; IPv6 literals keep their brackets ("[::1]")
  std::optional<uint16_t> port;  // explicit port, if any
  std::string path;              // percent-encoded as given; may be empty
  std::string query;             // without '?'; may be empty

  // Accepts "http[s]://host[:port][/path][?query]"; rejects user info, fragments, empty hosts,
  // bad ports and characters that cannot appear in a URL. The message says what is wrong.
  static core::Result<Url> Parse(std::string_view text);

  // "host" or "host:port"; the port is left out when it is the scheme's default.
  std::string Authority() const;
  // scheme://Authority()
  std::string Origin() const;
};

}  // namespace cpa::awsapi
