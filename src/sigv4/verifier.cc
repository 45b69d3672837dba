#include "sigv4/verifier.h"

#include "core/crypto.h"
#include "core/encoding.h"

namespace cpa::sigv4 {
namespace {

using core::ErrorCode;
using core::Status;

constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void HexDigestInto(const core::Sha256Digest& d, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.resize(64);
  for (size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
}

// Compares a MAC with the lowercase hex signature a client sent, in constant time.
bool ConstantTimeEqualsHex(const core::Sha256Digest& mac, std::string_view given) {
  static constexpr char kHex[] = "0123456789abcdef";
  char hex[64];
  for (size_t i = 0; i < mac.size(); ++i) {
    hex[2 * i] = kHex[mac[i] >> 4];
    hex[2 * i + 1] = kHex[mac[i] & 15];
  }
  return core::ConstantTimeEquals(std::string_view(hex, sizeof hex), given);
}

std::string SkewMessage(core::TimePoint date, core::TimePoint now, std::chrono::seconds skew) {
  const std::string mins = std::to_string(skew.count() / 60);
  if (date < now) {
    return "Signature expired: " + core::FormatAmzDate(date) + " is now earlier than " +
           core::FormatAmzDate(now - skew) + " (" + core::FormatAmzDate(now) + " - " + mins +
           " min.)";
  }
  return "Signature not yet current: " + core::FormatAmzDate(date) + " is still later than " +
         core::FormatAmzDate(now + skew) + " (" + core::FormatAmzDate(now) + " + " + mins +
         " min.)";
}

}  // namespace

Verifier::Verifier(const core::Clock& clock, SecretLookup lookup, VerifierOptions options)
    : clock_(clock), lookup_(std::move(lookup)), options_(options) {}

core::Result<VerifiedRequest> Verifier::Verify(const HttpRequest& request) const {
  // One pass over the headers for the four that verification reads.
  std::optional<std::string_view> auth_header, date_header, token_header, content_sha;
  for (const auto& [name, value] : request.headers) {
    switch (name.size()) {
      case 10:
        if (core::AsciiIEquals(name, "x-amz-date") && !date_header) date_header = value;
        break;
      case 13:
        if (core::AsciiIEquals(name, "authorization") && !auth_header) auth_header = value;
        break;
      case 20:
        if (core::AsciiIEquals(name, "x-amz-content-sha256") && !content_sha) content_sha = value;
        if (core::AsciiIEquals(name, "x-amz-security-token") && !token_header) {
          token_header = value;
        }
        break;
    }
  }

  // 1. Find and parse the signature.
  const bool presigned_query = HasPresignParameters(request.query);
  if (!auth_header && !presigned_query) {
    return Status(ErrorCode::kMissingAuthenticationToken,
                  "Request is missing Authentication Token");
  }
  if (auth_header && presigned_query) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or "
                  "the Authorization header should be specified.");
  }
  thread_local AuthorizationParts parts;  // storage reused across requests
  CPA_RETURN_IF_ERROR(auth_header ? ParseAuthorizationHeader(*auth_header, parts)
                                  : ParsePresignedQuery(request.query, parts));

  // 2. The request time, and its agreement with the credential scope.
  std::string_view amz_date;
  if (parts.presigned) {
    amz_date = parts.amz_date;
  } else if (date_header) {
    amz_date = core::TrimAsciiWhitespace(*date_header);
  } else {
    return Status(ErrorCode::kIncompleteSignature,
                  "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                  "header.");
  }
  auto date = core::ParseAmzDate(amz_date);
  if (!date.ok()) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Date must be in ISO-8601 'basic format'. Got '" +
                      std::string(amz_date.substr(0, 64)) +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (amz_date.compare(0, 8, parts.scope_date) != 0) {
    return Status(ErrorCode::kSignatureDoesNotMatch,
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                  "from HTTP: '" +
                      parts.scope_date + "' != '" + std::string(amz_date.substr(0, 8)) +
                      "', from '" + std::string(amz_date) + "'.");
  }
  if (std::find(parts.signed_headers.begin(), parts.signed_headers.end(), "host") ==
      parts.signed_headers.end()) {
    return Status(ErrorCode::kIncompleteSignature,
                  "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // 3. The key, its session token and its lifetime.
  std::shared_ptr<const SecretInfo> info = lookup_(parts.access_key_id);
  if (!info || !info->active) {
    return Status(ErrorCode::kInvalidClientTokenId, std::string(kInvalidToken));
  }
  std::optional<std::string_view> token;
  if (parts.presigned) {
    if (parts.security_token) token = *parts.security_token;
  } else {
    token = token_header;
  }
  if (info->temporary()) {
    const bool matches =
        token && (info->session_token.empty()
                      ? core::ConstantTimeEquals(core::DigestView(core::Sha256(*token)),
                                                 info->session_token_sha256)
                      : core::ConstantTimeEquals(*token, info->session_token));
    if (!matches) return Status(ErrorCode::kInvalidClientTokenId, std::string(kInvalidToken));
  } else if (token) {
    return Status(ErrorCode::kInvalidClientTokenId, std::string(kInvalidToken));
  }
  const core::TimePoint now = clock_.Now();
  if (info->expiration && now >= *info->expiration) {
    return Status(ErrorCode::kExpiredToken,
                  "The security token included in the request is expired");
  }

  // 4. The clock window.
  if (parts.presigned) {
    if (*date - now > options_.max_skew) {
      return Status(ErrorCode::kRequestExpired, "Request is not yet valid");
    }
    if (now > *date + std::chrono::seconds(parts.expires_seconds)) {
      return Status(ErrorCode::kRequestExpired, "Request has expired");
    }
  } else if (*date < now - options_.max_skew || *date > now + options_.max_skew) {
    return Status(ErrorCode::kRequestExpired, SkewMessage(*date, now, options_.max_skew));
  }

  // Per-thread scratch buffers: a warm verification then allocates almost nothing.
  thread_local std::string payload_hash, scope, creq, sts;

  // 5. The payload hash.
  auto body_hash = [&]() -> std::string_view {
    if (request.body_sha256) return *request.body_sha256;
    HexDigestInto(core::Sha256(request.body), payload_hash);
    return payload_hash;
  };
  std::string_view payload;
  if (parts.presigned && options_.presigned_unsigned_payload) {
    payload = kUnsignedPayload;
  } else if (content_sha) {
    std::string_view declared = core::TrimAsciiWhitespace(*content_sha);
    if (declared == kUnsignedPayload) {
      if (!options_.allow_unsigned_payload) {
        return Status(ErrorCode::kIncompleteSignature,
                      "x-amz-content-sha256: UNSIGNED-PAYLOAD is not accepted here.");
      }
      payload = declared;
    } else if (IsLowerHex64(declared)) {
      if (body_hash() != declared) {
        return Status(ErrorCode::kSignatureDoesNotMatch,
                      "The provided 'x-amz-content-sha256' header does not match what was "
                      "computed.");
      }
      payload = declared;
    } else {
      return Status(ErrorCode::kIncompleteSignature,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.");
    }
  } else {
    payload = body_hash();
  }

  // 6. The canonical request, the string to sign and the signature.
  auto key = cache_.Get(info->secret_access_key, parts.scope_date, parts.region, parts.service);
  scope.clear();
  scope += parts.scope_date;
  scope += '/';
  scope += parts.region;
  scope += '/';
  scope += parts.service;
  scope += '/';
  scope += kScopeTerminator;
  auto matches = [&](std::initializer_list<std::string_view> excluded_query) -> core::Result<bool> {
    creq.clear();
    creq += request.method;
    creq += '\n';
    creq += CanonicalUri(request.path, options_.canonical);
    creq += '\n';
    if (!request.query.empty()) creq += CanonicalQuery(request.query, excluded_query);
    creq += '\n';
    std::string_view absent = AppendCanonicalHeaders(creq, request, parts.signed_headers);
    if (!absent.empty()) {
      return Status(ErrorCode::kSignatureDoesNotMatch,
                    std::string(kMismatch) + " The signed header '" + std::string(absent) +
                        "' is not in the request.");
    }
    creq += '\n';
    creq += parts.signed_headers_text;
    creq += '\n';
    creq += payload;
    sts.clear();
    AppendStringToSign(sts, amz_date, scope, creq);
    return ConstantTimeEqualsHex(key->Mac(sts), parts.signature);
  };
  CPA_ASSIGN_OR_RETURN(bool ok, parts.presigned ? matches({"X-Amz-Signature"}) : matches({}));
  if (!ok && parts.presigned && parts.security_token) {
    // A presigner may add the session token after signing (it is checked above either way).
    CPA_ASSIGN_OR_RETURN(ok, matches({"X-Amz-Signature", "X-Amz-Security-Token"}));
    if (!ok) {
      CPA_ASSIGN_OR_RETURN(ok, matches({"X-Amz-Signature"}));  // report the usual texts
    }
  }
  if (!ok) {
    return Status(ErrorCode::kSignatureDoesNotMatch,
                  std::string(kMismatch) +
                      "\n\nThe Canonical String for this request should have "
                      "been\n'" +
                      creq + "'\n\nThe String-to-Sign should have been\n'" + sts + "'\n");
  }

  VerifiedRequest out;
  out.access_key_id = parts.access_key_id;
  out.region = parts.region;
  out.service = parts.service;
  out.request_time = *date;
  out.presigned = parts.presigned;
  out.temporary = info->temporary();
  out.signed_headers = parts.signed_headers;
  return out;
}

}  // namespace cpa::sigv4
