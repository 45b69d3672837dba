#pragma once
// The HTTP request as SigV4 sees it: method, the path and query exactly as on the wire, the
// header fields in arrival order (names as sent), and the body.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpa::sigv4 {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // as on the wire, percent-encoded, without the query ("/" if empty)
  std::string query;   // as on the wire, without the leading '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the lowercase hex SHA-256 of the body, so that large bodies hashed while streaming
  // need not be hashed again.
  std::optional<std::string> body_sha256;

  // The first header named `name` (ASCII case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
  // Replaces every header named `name` with one field.
  void SetHeader(std::string name, std::string value);
  void RemoveHeader(std::string_view name);
  // "path?query" (or just the path).
  std::string Target() const;
  // Splits a request target ("/a/b?x=1") into path and query.
  void SetTarget(std::string_view target);
};

}  // namespace cpa::sigv4
