#pragma once
// SigV4 request signing, in the header form (Authorization) and the presigned query form.

#include <chrono>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "sigv4/canonical.h"
#include "sigv4/http_request.h"

namespace cpa::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term credentials
};

struct SigningConfig {
  Credentials credentials;
  std::string region;
  std::string service;
  core::TimePoint time;
  CanonicalOptions canonical;  // S3-style: both off
  // Send (and sign) x-amz-content-sha256 with the payload hash, as S3 and some SDKs do.
  bool add_content_sha256_header = false;
  // Sign "UNSIGNED-PAYLOAD" instead of the body's hash.
  bool unsigned_payload = false;
  // Send the session token without signing it (it is added after the signature is computed).
  bool omit_session_token = false;
  // Presigned form: how long the URL stays valid.
  std::chrono::seconds expires{3600};
};

// What signing produced; the intermediate texts are for diagnostics and conformance tests.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

// Adds X-Amz-Date (and X-Amz-Security-Token, x-amz-content-sha256 as configured) and the
// Authorization header. Every header present is signed except hop-by-hop and tracing headers
// (user-agent, connection, expect, x-amzn-trace-id, ...). Fails with InvalidArgument when the
// request has no Host header or the configuration is incomplete.
core::Result<SigningResult> SignRequest(HttpRequest& request, const SigningConfig& config);

// Appends the X-Amz-* query parameters of a presigned URL, signing every header present.
core::Result<SigningResult> PresignRequest(HttpRequest& request, const SigningConfig& config);

// True for headers a signer leaves unsigned because proxies may change them.
bool IsUnsignableHeader(std::string_view lowercase_name);

}  // namespace cpa::sigv4
