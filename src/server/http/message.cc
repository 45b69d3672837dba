#include "server/http/message.h"

#include <algorithm>

#include "core/encoding.h"

namespace cpa::server::http {

namespace {

std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (core::AsciiIEquals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace

std::string_view Request::Path() const {
  std::string_view t = target;
  size_t q = t.find('?');
  std::string_view path = q == std::string_view::npos ? t : t.substr(0, q);
  return path.empty() ? std::string_view("/") : path;
}

std::string_view Request::Query() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

Response::Response(int status_code, std::string content_type, std::string body_text)
    : status(status_code), body(std::move(body_text)) {
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::move(content_type));
}

void Response::SetHeader(std::string name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return core::AsciiIEquals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

Response TextResponse(int status, std::string body) {
  return Response(status, "text/plain; charset=utf-8", std::move(body));
}

Response JsonResponse(int status, std::string body) {
  return Response(status, "application/json", std::move(body));
}

sigv4::HttpRequest ToSigV4Request(const Request& request) {
  sigv4::HttpRequest out;
  out.method = request.method;
  out.SetTarget(request.target);
  out.headers = request.headers;
  out.body = request.body;
  return out;
}

sigv4::HttpRequest ToSigV4Request(Request&& request) {
  sigv4::HttpRequest out;
  out.method = std::move(request.method);
  out.SetTarget(request.target);
  out.headers = std::move(request.headers);
  out.body = std::move(request.body);
  return out;
}

}  // namespace cpa::server::http
