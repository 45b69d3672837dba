#include "sigv4/authorization.h"

#include <algorithm>
#include <charconv>

#include "core/encoding.h"
#include "sigv4/canonical.h"

namespace cpa::sigv4 {
namespace {

using core::ErrorCode;
using core::Status;

Status Incomplete(std::string message) {
  return Status(ErrorCode::kIncompleteSignature, std::move(message));
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

// Splits the credential and fills the scope fields.
Status ParseCredential(std::string_view credential, AuthorizationParts& parts) {
  std::string_view segs[5];
  size_t start = 0;
  int n = 0;
  while (n < 5) {
    size_t slash = credential.find('/', start);
    if (n == 4) slash = credential.size();
    if (slash == std::string_view::npos) break;
    segs[n++] = credential.substr(start, slash - start);
    start = slash + 1;
  }
  if (n != 5 || segs[4].find('/') != std::string_view::npos) {
    return Incomplete(
        "Credential must have exactly 5 slash-separated parts: "
        "AccessKeyId/yyyymmdd/region/service/aws4_request; got '" +
        std::string(credential) + "'.");
  }
  if (segs[0].empty()) return Incomplete("Credential has an empty access key id.");
  for (char c : segs[0]) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return Incomplete("Credential access key id contains an invalid character.");
    }
  }
  if (segs[1].size() != 8 ||
      !std::all_of(segs[1].begin(), segs[1].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Incomplete("Credential should be scoped to a valid date (yyyymmdd), not '" +
                      std::string(segs[1]) + "'.");
  }
  if (segs[2].empty() || !std::all_of(segs[2].begin(), segs[2].end(), IsTokenChar)) {
    return Incomplete("Credential should be scoped to a valid region, not '" +
                      std::string(segs[2]) + "'.");
  }
  if (segs[3].empty() || !std::all_of(segs[3].begin(), segs[3].end(), IsTokenChar)) {
    return Incomplete("Credential should be scoped to a valid service, not '" +
                      std::string(segs[3]) + "'.");
  }
  if (segs[4] != kScopeTerminator) {
    return Incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                      std::string(segs[4]) + "'.");
  }
  parts.access_key_id = segs[0];
  parts.scope_date = segs[1];
  parts.region = segs[2];
  parts.service = segs[3];
  return Status::Ok();
}

Status ParseSignedHeaders(std::string_view text, AuthorizationParts& parts) {
  if (text.empty()) return Incomplete("SignedHeaders must not be empty.");
  // One pass validates and lowercases; the names are then cut from the lowercased text.
  std::string& lower = parts.signed_headers_text;
  lower.assign(text);
  for (char& c : lower) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ':' || c == ',') {
      return Incomplete("SignedHeaders contains an invalid header name.");
    }
    c = core::AsciiToLower(c);
  }
  bool ascending = true;
  size_t start = 0;
  while (start <= lower.size()) {
    size_t semi = lower.find(';', start);
    if (semi == std::string::npos) semi = lower.size();
    if (semi == start) return Incomplete("SignedHeaders contains an empty header name.");
    std::string_view name(lower.data() + start, semi - start);
    if (!parts.signed_headers.empty() && parts.signed_headers.back() >= name) ascending = false;
    parts.signed_headers.emplace_back(name);
    start = semi + 1;
  }
  if (!ascending) {  // clients sort the list; only an unsorted one can hide a repeat
    for (size_t i = 0; i < parts.signed_headers.size(); ++i) {
      for (size_t j = i + 1; j < parts.signed_headers.size(); ++j) {
        if (parts.signed_headers[i] == parts.signed_headers[j]) {
          return Incomplete("SignedHeaders lists '" + parts.signed_headers[i] +
                            "' more than once.");
        }
      }
    }
  }
  return Status::Ok();
}

Status CheckSignatureText(std::string_view sig) {
  if (sig.empty()) return Incomplete("Signature must not be empty.");
  if (sig.size() > 256) return Incomplete("Signature is too long.");
  return Status::Ok();
}

void Reset(AuthorizationParts& p) {
  p.presigned = false;
  p.access_key_id.clear();
  p.scope_date.clear();
  p.region.clear();
  p.service.clear();
  p.signed_headers.clear();
  p.signed_headers_text.clear();
  p.signature.clear();
  p.amz_date.clear();
  p.expires_seconds = 0;
  p.security_token.reset();
}

}  // namespace

core::Result<AuthorizationParts> ParseAuthorizationHeader(std::string_view value) {
  AuthorizationParts parts;
  CPA_RETURN_IF_ERROR(ParseAuthorizationHeader(value, parts));
  return parts;
}

core::Result<AuthorizationParts> ParsePresignedQuery(std::string_view raw_query) {
  AuthorizationParts parts;
  CPA_RETURN_IF_ERROR(ParsePresignedQuery(raw_query, parts));
  return parts;
}

core::Status ParseAuthorizationHeader(std::string_view value, AuthorizationParts& parts) {
  Reset(parts);
  std::string_view v = core::TrimAsciiWhitespace(value);
  size_t sp = v.find_first_of(" \t");
  std::string_view algorithm = v.substr(0, sp);
  if (algorithm != kAlgorithm) {
    return Incomplete("Unsupported Authorization algorithm '" +
                      std::string(algorithm.substr(0, 64)) + "'; expected AWS4-HMAC-SHA256.");
  }
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : v.substr(sp);
  std::optional<std::string_view> credential, signed_headers, signature;
  size_t start = 0;
  while (start < rest.size()) {
    size_t comma = rest.find(',', start);
    if (comma == std::string_view::npos) comma = rest.size();
    std::string_view item = core::TrimAsciiWhitespace(rest.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Incomplete("Authorization header parameter '" + std::string(item.substr(0, 64)) +
                        "' is not of the form key=value.");
    }
    std::string_view key = item.substr(0, eq);
    std::string_view val = item.substr(eq + 1);
    std::optional<std::string_view>* slot = nullptr;
    if (key == "Credential") slot = &credential;
    if (key == "SignedHeaders") slot = &signed_headers;
    if (key == "Signature") slot = &signature;
    if (slot == nullptr) {
      return Incomplete("Authorization header has an unknown parameter '" +
                        std::string(key.substr(0, 64)) + "'.");
    }
    if (slot->has_value()) {
      return Incomplete("Authorization header repeats parameter '" + std::string(key) + "'.");
    }
    *slot = val;
  }
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) {
    return Incomplete(missing + "Authorization=" + std::string(v.substr(0, 512)));
  }
  CPA_RETURN_IF_ERROR(ParseCredential(*credential, parts));
  CPA_RETURN_IF_ERROR(ParseSignedHeaders(*signed_headers, parts));
  CPA_RETURN_IF_ERROR(CheckSignatureText(*signature));
  parts.signature.assign(*signature);
  for (char& c : parts.signature) c = core::AsciiToLower(c);
  return Status::Ok();
}

bool HasPresignParameters(std::string_view q) {
  for (std::string_view name : {"X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Signature="}) {
    size_t pos = q.find(name);
    while (pos != std::string_view::npos) {
      if (pos == 0 || q[pos - 1] == '&') return true;
      pos = q.find(name, pos + 1);
    }
  }
  return false;
}

core::Status ParsePresignedQuery(std::string_view raw_query, AuthorizationParts& parts) {
  Reset(parts);
  std::optional<std::string> algorithm, credential, date, expires, signed_headers, signature, token;
  size_t start = 0;
  while (start < raw_query.size()) {
    size_t amp = raw_query.find('&', start);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view param = raw_query.substr(start, amp - start);
    start = amp + 1;
    size_t eq = param.find('=');
    std::string_view raw_key = param.substr(0, eq);
    if (raw_key.size() < 6 || raw_key.substr(0, 6) != "X-Amz-") continue;
    std::optional<std::string>* slot = nullptr;
    if (raw_key == "X-Amz-Algorithm")
      slot = &algorithm;
    else if (raw_key == "X-Amz-Credential")
      slot = &credential;
    else if (raw_key == "X-Amz-Date")
      slot = &date;
    else if (raw_key == "X-Amz-Expires")
      slot = &expires;
    else if (raw_key == "X-Amz-SignedHeaders")
      slot = &signed_headers;
    else if (raw_key == "X-Amz-Signature")
      slot = &signature;
    else if (raw_key == "X-Amz-Security-Token")
      slot = &token;
    if (slot == nullptr) continue;
    if (slot->has_value()) {
      return Incomplete("Query-string parameter '" + std::string(raw_key) +
                        "' appears more than once.");
    }
    auto decoded = core::UriDecode(eq == std::string_view::npos ? "" : param.substr(eq + 1));
    if (!decoded.ok()) {
      return Incomplete("Query-string parameter '" + std::string(raw_key) +
                        "' is not properly percent-encoded.");
    }
    *slot = std::move(decoded).value();
  }
  if (!algorithm || !credential || !date || !expires || !signed_headers || !signature) {
    return Incomplete(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
  }
  if (*algorithm != kAlgorithm) {
    return Incomplete("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\".");
  }
  parts.presigned = true;
  CPA_RETURN_IF_ERROR(ParseCredential(*credential, parts));
  CPA_RETURN_IF_ERROR(ParseSignedHeaders(*signed_headers, parts));
  CPA_RETURN_IF_ERROR(CheckSignatureText(*signature));
  parts.signature = core::AsciiLower(*signature);
  parts.amz_date = std::move(*date);
  int64_t secs = -1;
  const char* b = expires->data();
  const char* e = b + expires->size();
  auto [ptr, ec] = std::from_chars(b, e, secs);
  if (ec != std::errc() || ptr != e || expires->empty()) {
    return Incomplete("X-Amz-Expires should be a number.");
  }
  if (secs < 0) return Incomplete("X-Amz-Expires must be non-negative.");
  if (secs > kMaxPresignSeconds) {
    return Incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800.");
  }
  parts.expires_seconds = secs;
  parts.security_token = std::move(token);
  return Status::Ok();
}

}  // namespace cpa::sigv4
