#include "sigv4/canonical.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/encoding.h"

namespace cpa::sigv4 {
namespace {

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  out.reserve(path.size() + 1);
  for (std::string_view seg : segments) {
    out += '/';
    out += seg;
  }
  if (out.empty()) return "/";
  if (!path.empty() && path.back() == '/') out += '/';
  return out;
}

// Decodes %XX escapes; an escape that is not valid is kept as literal text.
std::string LenientDecode(std::string_view text) {
  auto decoded = core::UriDecode(text);
  return decoded.ok() ? std::move(decoded).value() : std::string(text);
}

// Line breaks count as spaces so that obsolete line folding collapses like other whitespace.
// (One range check first: every such character is below '!'.)
inline bool IsSpaceOrTab(char c) {
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

}  // namespace

std::string CanonicalUri(std::string_view wire_path, const CanonicalOptions& options) {
  if (wire_path == "/" || wire_path.empty()) return "/";  // every query and JSON protocol request
  std::string path = options.double_encode ? std::string(wire_path) : LenientDecode(wire_path);
  if (options.normalize_path) path = NormalizePath(path);
  if (path.empty()) path.assign(1, '/');  // assign(): GCC 12 warns falsely on operator=("/")
  return core::UriEncode(path, /*keep_slash=*/true);
}

std::string CanonicalQuery(std::string_view raw_query,
                           std::initializer_list<std::string_view> exclude) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < raw_query.size()) {
    size_t amp = raw_query.find('&', start);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view param = raw_query.substr(start, amp - start);
    start = amp + 1;
    if (param.empty()) continue;
    size_t eq = param.find('=');
    std::string key = LenientDecode(param.substr(0, eq));
    if (std::find(exclude.begin(), exclude.end(), key) != exclude.end()) continue;
    std::string value =
        eq == std::string_view::npos ? std::string() : LenientDecode(param.substr(eq + 1));
    params.emplace_back(core::UriEncode(key), core::UriEncode(value));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

void AppendCanonicalHeaderValue(std::string& out, std::string_view value) {
  const char* b = value.data();
  const char* e = b + value.size();
  while (b < e && IsSpaceOrTab(*b)) ++b;
  while (e > b && IsSpaceOrTab(e[-1])) --e;
  // Copy runs of non-space characters in one go; most values have no inner whitespace at all.
  while (b < e) {
    const char* run = b;
    while (run < e && !IsSpaceOrTab(*run)) ++run;
    out.append(b, static_cast<size_t>(run - b));
    if (run == e) break;
    out += ' ';
    b = run;
    while (b < e && IsSpaceOrTab(*b)) ++b;
  }
}

std::string_view AppendCanonicalHeaders(std::string& out, const HttpRequest& request,
                                        std::span<const std::string> signed_headers) {
  for (const std::string& name : signed_headers) {
    out += name;
    out += ':';
    bool found = false;
    for (const auto& [k, v] : request.headers) {
      if (k.size() != name.size() || core::AsciiToLower(k[0]) != name[0] ||
          !core::AsciiIEquals(k, name)) {
        continue;
      }
      if (found) out += ',';
      AppendCanonicalHeaderValue(out, v);
      found = true;
    }
    if (!found) return name;
    out += '\n';
  }
  return {};
}

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string scope;
  scope.reserve(date.size() + region.size() + service.size() + 16);
  scope += date;
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += '/';
  scope += kScopeTerminator;
  return scope;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string sts;
  AppendStringToSign(sts, amz_date, scope, canonical_request);
  return sts;
}

void AppendStringToSign(std::string& out, std::string_view amz_date, std::string_view scope,
                        std::string_view canonical_request) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + kAlgorithm.size() + amz_date.size() + scope.size() + 67);
  out += kAlgorithm;
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  core::Sha256Digest d = core::Sha256(canonical_request);
  char hex[64];
  for (size_t i = 0; i < d.size(); ++i) {
    hex[2 * i] = kHex[d[i] >> 4];
    hex[2 * i + 1] = kHex[d[i] & 15];
  }
  out.append(hex, sizeof hex);
}

}  // namespace cpa::sigv4
