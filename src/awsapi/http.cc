#include "awsapi/http.h"

#include <cctype>
#include <charconv>

#include "core/encoding.h"

namespace cpa::awsapi {

using core::ErrorCode;
using core::Status;

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (core::AsciiIEquals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool IsUrlChar(char c) {
  // Printable ASCII without space and the characters that never appear unencoded in a URL.
  return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' &&
         c != '`' && c != '{' && c != '|' && c != '}';
}

}  // namespace

core::Result<Url> Url::Parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status(ErrorCode::kInvalidArgument,
                  "invalid URL '" + std::string(text) + "': " + std::string(why));
  };
  for (char c : text) {
    if (!IsUrlChar(c)) return bad("contains a character that must be percent-encoded");
  }
  Url url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return bad("expected http:// or https://");
  url.scheme = core::AsciiLower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") return bad("the scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) return bad("fragments are not allowed");
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 literal");
      port = after.substr(1);
    }
    for (char c : host.substr(1, host.size() - 2)) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) {
        return bad("malformed IPv6 literal");
      }
    }
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    for (char c : host) {
      if (!IsHostChar(c)) return bad("malformed host name");
    }
  }
  if (host.empty() || host == "[]") return bad("the host is empty");
  url.host = core::AsciiLower(host);
  if (port.data() != nullptr) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return bad("the port must be a number from 1 to 65535");
    }
    url.port = static_cast<uint16_t>(value);
  }
  size_t q = tail.find('?');
  url.path = std::string(tail.substr(0, q));
  if (q != std::string_view::npos) url.query = std::string(tail.substr(q + 1));
  return url;
}

std::string Url::Authority() const {
  bool default_port =
      !port || (scheme == "https" && *port == 443) || (scheme == "http" && *port == 80);
  return default_port ? host : host + ":" + std::to_string(*port);
}

std::string Url::Origin() const { return scheme + "://" + Authority(); }

}  // namespace cpa::awsapi
