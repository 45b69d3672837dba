#pragma once
// SigV4 verification of incoming requests (header and presigned forms).
//
// Outcomes, as ErrorCodes (core/aws_error.h turns them into each protocol's AWS code):
//   MissingAuthenticationToken  no Authorization header and no presigned query
//   IncompleteSignature         malformed or incomplete Authorization / presigned query
//   InvalidClientTokenId        unknown or inactive access key, or a wrong/missing session token
//   ExpiredToken                temporary credentials past their expiration
//   RequestExpired              X-Amz-Date more than the allowed skew from the server clock, or a
//                               presigned URL past X-Amz-Expires
//   SignatureDoesNotMatch       the recomputed signature differs (the message carries the
//                               canonical request and string to sign, as AWS's does), or the body
//                               does not match x-amz-content-sha256
// Any region and service in the credential scope are accepted and returned to the caller, who
// routes on them.
//
// Thread safety: Verify is const and safe to call from many threads at once.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "sigv4/authorization.h"
#include "sigv4/canonical.h"
#include "sigv4/http_request.h"
#include "sigv4/signing_key.h"

namespace cpa::sigv4 {

// What the server knows about an access key id.
struct SecretInfo {
  std::string secret_access_key;
  // Temporary credentials carry a session token, known either in clear or (as a server stores
  // it) only as its raw 32-byte SHA-256 (session_token_sha256); the presented token must match.
  std::string session_token;
  std::optional<core::TimePoint> expiration;  // temporary credentials only
  bool active = true;
  std::string session_token_sha256;

  bool temporary() const { return !session_token.empty() || !session_token_sha256.empty(); }
};

// Returns the key's secret, or null when the key id is unknown. Shared rather than copied: the
// server hands out its in-memory record and a warm verification copies no secret.
using SecretLookup =
    std::function<std::shared_ptr<const SecretInfo>(std::string_view access_key_id)>;

struct VerifierOptions {
  std::chrono::seconds max_skew{std::chrono::minutes(15)};
  CanonicalOptions canonical;
  // Accept x-amz-content-sha256: UNSIGNED-PAYLOAD (the body is then not covered).
  bool allow_unsigned_payload = true;
  // Presigned requests sign UNSIGNED-PAYLOAD instead of the body hash (S3-style).
  bool presigned_unsigned_payload = false;
};

struct VerifiedRequest {
  std::string access_key_id;
  std::string region;   // from the credential scope
  std::string service;  // from the credential scope
  core::TimePoint request_time;
  bool presigned = false;
  bool temporary = false;  // signed with STS credentials (session token checked)
  std::vector<std::string> signed_headers;
};

class Verifier {
 public:
  Verifier(const core::Clock& clock, SecretLookup lookup, VerifierOptions options = {});

  core::Result<VerifiedRequest> Verify(const HttpRequest& request) const;

  const SigningKeyCache& key_cache() const { return cache_; }

 private:
  const core::Clock& clock_;
  SecretLookup lookup_;
  VerifierOptions options_;
  mutable SigningKeyCache cache_;
};

}  // namespace cpa::sigv4
