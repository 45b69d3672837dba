#pragma once
// Parsers for the two places a SigV4 signature travels: the Authorization header and the
// presigned query string. They take untrusted input: every malformation is an
// IncompleteSignature status with a specific message, never an exception or a crash.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::sigv4 {

struct AuthorizationParts {
  bool presigned = false;
  // From the credential: AccessKeyId/yyyymmdd/region/service/aws4_request.
  std::string access_key_id;
  std::string scope_date;
  std::string region;
  std::string service;
  // Lowercase names in the order given, and that list joined by ';' (as it enters the canonical
  // request).
  std::vector<std::string> signed_headers;
  std::string signed_headers_text;
  std::string signature;  // lowercase hex as given
  // Presigned only: the query's X-Amz-Date, X-Amz-Expires and X-Amz-Security-Token.
  std::string amz_date;
  int64_t expires_seconds = 0;
  std::optional<std::string> security_token;
};

// Longest validity of a presigned URL: seven days.
inline constexpr int64_t kMaxPresignSeconds = 604800;

// Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
core::Result<AuthorizationParts> ParseAuthorizationHeader(std::string_view value);
// The same into `out`, whose storage is reused (a verifier keeps one per thread).
core::Status ParseAuthorizationHeader(std::string_view value, AuthorizationParts& out);

// True when the raw query carries any presigning parameter (X-Amz-Algorithm, -Credential,
// -Signature).
bool HasPresignParameters(std::string_view raw_query);

// Parses the X-Amz-* parameters of a presigned URL's raw query.
core::Result<AuthorizationParts> ParsePresignedQuery(std::string_view raw_query);
core::Status ParsePresignedQuery(std::string_view raw_query, AuthorizationParts& out);

}  // namespace cpa::sigv4
