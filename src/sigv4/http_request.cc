#include "sigv4/http_request.h"

#include <algorithm>

#include "core/encoding.h"

namespace cpa::sigv4 {

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (core::AsciiIEquals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

void HttpRequest::SetHeader(std::string name, std::string value) {
  RemoveHeader(name);
  headers.emplace_back(std::move(name), std::move(value));
}

void HttpRequest::RemoveHeader(std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return core::AsciiIEquals(h.first, name); });
}

std::string HttpRequest::Target() const { return query.empty() ? path : path + "?" + query; }

void HttpRequest::SetTarget(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) {
    path = target;
    query.clear();
  } else {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  if (path.empty()) path = "/";
}

}  // namespace cpa::sigv4
