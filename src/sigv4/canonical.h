#pragma once
// The pieces of the SigV4 canonical request and string to sign. Shared by the signer and the
// verifier so that both build byte-identical text from the same request.

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sigv4/http_request.h"

namespace cpa::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kScopeTerminator = "aws4_request";
// The SHA-256 of the empty string.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct CanonicalOptions {
  // Remove "." and ".." segments and repeated slashes (every service but S3).
  bool normalize_path = true;
  // Encode the wire path once more (every service but S3). When false the path is decoded first,
  // so that it is encoded exactly once.
  bool double_encode = true;
};

// The canonical URI of a wire path.
std::string CanonicalUri(std::string_view wire_path, const CanonicalOptions& options);

// The canonical query string of a raw query: each key and value decoded, encoded with the SigV4
// unreserved set, sorted by key then value, joined with '&'. Parameters named in `exclude` (after
// decoding) are left out, e.g. X-Amz-Signature when verifying a presigned URL.
std::string CanonicalQuery(std::string_view raw_query,
                           std::initializer_list<std::string_view> exclude = {});

// A header value as it enters the canonical request: trimmed, inner runs of whitespace (spaces,
// tabs, and the line breaks of folded values) collapsed to one space.
void AppendCanonicalHeaderValue(std::string& out, std::string_view value);

// Appends "name:value\n" for every name of `signed_headers` (lowercase, sorted), joining repeated
// fields with ','. Returns the first signed header that the request lacks, or empty.
std::string_view AppendCanonicalHeaders(std::string& out, const HttpRequest& request,
                                        std::span<const std::string> signed_headers);

// "yyyymmdd/region/service/aws4_request".
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);

// "AWS4-HMAC-SHA256\n<amz-date>\n<scope>\n<hex sha256 of canonical request>".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
// The same, appended to `out` (so a caller can reuse one buffer).
void AppendStringToSign(std::string& out, std::string_view amz_date, std::string_view scope,
                        std::string_view canonical_request);

}  // namespace cpa::sigv4
