#include "sigv4/signer.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/encoding.h"
#include "sigv4/authorization.h"
#include "sigv4/signing_key.h"

namespace cpa::sigv4 {
namespace {

using core::ErrorCode;
using core::Status;

Status CheckConfig(const HttpRequest& request, const SigningConfig& config) {
  if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty()) {
    return Status(ErrorCode::kInvalidArgument, "signing needs an access key id and a secret key");
  }
  if (config.region.empty() || config.service.empty()) {
    return Status(ErrorCode::kInvalidArgument, "signing needs a region and a service");
  }
  if (!request.Header("host")) {
    return Status(ErrorCode::kInvalidArgument, "the request has no Host header to sign");
  }
  if (config.expires.count() < 1 || config.expires.count() > kMaxPresignSeconds) {
    return Status(ErrorCode::kInvalidArgument, "presign expiry must be 1..604800 seconds");
  }
  return Status::Ok();
}

std::string PayloadHash(const HttpRequest& request, const SigningConfig& config) {
  if (config.unsigned_payload) return std::string(kUnsignedPayload);
  if (request.body_sha256) return *request.body_sha256;
  return core::Sha256Hex(request.body);
}

// Lowercase, sorted, unique names of the headers to sign.
std::vector<std::string> HeadersToSign(const HttpRequest& request) {
  std::vector<std::string> names;
  for (const auto& h : request.headers) {
    std::string lower = core::AsciiLower(h.first);
    if (!IsUnsignableHeader(lower)) names.push_back(std::move(lower));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ';';
    out += n;
  }
  return out;
}

SigningResult Finish(const HttpRequest& request, const SigningConfig& config,
                     std::string_view amz_date, std::string_view scope,
                     const std::vector<std::string>& signed_names, std::string_view payload_hash) {
  SigningResult result;
  std::string& creq = result.canonical_request;
  creq += request.method;
  creq += '\n';
  creq += CanonicalUri(request.path, config.canonical);
  creq += '\n';
  creq += CanonicalQuery(request.query);
  creq += '\n';
  AppendCanonicalHeaders(creq, request, signed_names);
  creq += '\n';
  creq += Join(signed_names);
  creq += '\n';
  creq += payload_hash;
  result.string_to_sign = StringToSign(amz_date, scope, creq);
  core::Sha256Digest key = DeriveSigningKey(config.credentials.secret_access_key,
                                            amz_date.substr(0, 8), config.region, config.service);
  core::Sha256Digest sig = core::HmacSha256(core::DigestView(key), result.string_to_sign);
  result.signature = core::HexEncode(core::Bytes(sig.data(), sig.size()));
  return result;
}

void AppendQueryParam(std::string& query, std::string_view key, std::string_view value) {
  if (!query.empty()) query += '&';
  query += key;
  query += '=';
  core::UriEncodeAppend(query, value);
}

}  // namespace

bool IsUnsignableHeader(std::string_view n) {
  static constexpr std::string_view kSkip[] = {
      "authorization",
      "connection",
      "expect",
      "keep-alive",
      "proxy-authenticate",
      "proxy-authorization",
      "te",
      "trailer",
      "transfer-encoding",
      "upgrade",
      "user-agent",
      "x-amzn-trace-id",
  };
  return std::find(std::begin(kSkip), std::end(kSkip), n) != std::end(kSkip);
}

core::Result<SigningResult> SignRequest(HttpRequest& request, const SigningConfig& config) {
  CPA_RETURN_IF_ERROR(CheckConfig(request, config));
  const std::string amz_date = core::FormatAmzDate(config.time);
  const std::string scope = CredentialScope(amz_date.substr(0, 8), config.region, config.service);
  const std::string payload_hash = PayloadHash(request, config);
  const std::string& token = config.credentials.session_token;

  request.RemoveHeader("authorization");
  request.RemoveHeader("x-amz-date");
  request.RemoveHeader("x-amz-security-token");
  if (config.add_content_sha256_header) request.RemoveHeader("x-amz-content-sha256");

  std::vector<std::string> signed_names;
  if (!token.empty() && !config.omit_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", token);
  }
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (config.add_content_sha256_header) {
    request.headers.emplace_back("x-amz-content-sha256", payload_hash);
  }
  signed_names = HeadersToSign(request);
  if (!token.empty() && config.omit_session_token) {
    // Sent, but not part of the signature; placed where a signed token would be.
    auto date_pos = std::find_if(request.headers.begin(), request.headers.end(),
                                 [](const auto& h) { return h.first == "X-Amz-Date"; });
    request.headers.insert(date_pos, {"X-Amz-Security-Token", token});
  }
  SigningResult result = Finish(request, config, amz_date, scope, signed_names, payload_hash);
  std::string auth = std::string(kAlgorithm) + " Credential=" + config.credentials.access_key_id +
                     "/" + scope + ", SignedHeaders=" + Join(signed_names) +
                     ", Signature=" + result.signature;
  request.headers.emplace_back("Authorization", std::move(auth));
  return result;
}

core::Result<SigningResult> PresignRequest(HttpRequest& request, const SigningConfig& config) {
  CPA_RETURN_IF_ERROR(CheckConfig(request, config));
  if (HasPresignParameters(request.query)) {
    return Status(ErrorCode::kInvalidArgument, "the request is already presigned");
  }
  const std::string amz_date = core::FormatAmzDate(config.time);
  const std::string scope = CredentialScope(amz_date.substr(0, 8), config.region, config.service);
  const std::string payload_hash = PayloadHash(request, config);
  const std::string& token = config.credentials.session_token;
  std::vector<std::string> signed_names = HeadersToSign(request);

  AppendQueryParam(request.query, "X-Amz-Algorithm", kAlgorithm);
  AppendQueryParam(request.query, "X-Amz-Credential",
                   config.credentials.access_key_id + "/" + scope);
  AppendQueryParam(request.query, "X-Amz-Date", amz_date);
  AppendQueryParam(request.query, "X-Amz-SignedHeaders", Join(signed_names));
  AppendQueryParam(request.query, "X-Amz-Expires", std::to_string(config.expires.count()));
  if (!token.empty() && !config.omit_session_token) {
    AppendQueryParam(request.query, "X-Amz-Security-Token", token);
  }
  SigningResult result = Finish(request, config, amz_date, scope, signed_names, payload_hash);
  if (!token.empty() && config.omit_session_token) {
    AppendQueryParam(request.query, "X-Amz-Security-Token", token);
  }
  AppendQueryParam(request.query, "X-Amz-Signature", result.signature);
  return result;
}

}  // namespace cpa::sigv4
