#pragma once
// The OCI Distribution error layer of the `/v2` endpoint: core::Status codes to the registry error
// codes and HTTP statuses, the error body {"errors":[{"code","message","detail"}]}, ECR's Basic
// challenge, and the Docker-Distribution-Api-Version header every `/v2` response carries.
//
// This is the one place where registry errors become OCI codes (core/aws_error.h does the same
// for the AWS APIs):
//
//   kAccessDenied                      403 DENIED (AWS's "User: ... is not authorized ..." message)
//   kExpiredToken                      403 DENIED "Your authorization token has expired. ..." (as
//   ECR) kMissingAuthenticationToken, kInvalidClientTokenId              401 UNAUTHORIZED (+ the
//   Basic challenge) kRepositoryNotFound                404 NAME_UNKNOWN kImageNotFound 404
//   MANIFEST_UNKNOWN (manifest PUT: 400 MANIFEST_BLOB_UNKNOWN) kLayersNotFound 404 BLOB_UNKNOWN
//   (manifest PUT: 400 MANIFEST_BLOB_UNKNOWN) kUploadNotFound                    404
//   BLOB_UPLOAD_UNKNOWN kDigestMismatch                    400 DIGEST_INVALID kManifestInvalid 400
//   MANIFEST_INVALID kImageTagAlreadyExists             400 TAG_INVALID (immutable tag; ECR's
//   wording) kInvalidLayerPart                  416 BLOB_UPLOAD_INVALID (chunk out of order)
//   kInvalidArgument, kValidationError,
//   kMissingParameter                  400, code by context (see OciContext)
//   kNotFound                          404, code by context
//   kLimitExceeded, other client codes 400 UNSUPPORTED
//   kInternal and the rest             500 UNKNOWN
//
// Thread safety: pure functions.
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http/message.h"

namespace cpa::server::oci {

// The header every `/v2` response carries, and its value.
inline constexpr std::string_view kApiVersionHeader = "Docker-Distribution-Api-Version";
inline constexpr std::string_view kApiVersion = "registry/2.0";
// ECR's challenge service.
inline constexpr std::string_view kChallengeService = "ecr.amazonaws.com";
// ECR's message for an expired authorization token (Docker prints "denied: <message>").
inline constexpr std::string_view kExpiredTokenMessage =
    "Your authorization token has expired. Reauthenticate and try again.";

// What a request was about, for the codes whose meaning depends on it.
enum class OciContext {
  kGeneric,      // NAME_UNKNOWN for kNotFound, UNSUPPORTED for bad input
  kManifest,     // GET/HEAD/DELETE manifest: MANIFEST_UNKNOWN, MANIFEST_INVALID
  kManifestPut,  // PUT manifest: missing references are MANIFEST_BLOB_UNKNOWN
  kBlob,         // GET/HEAD blob: BLOB_UNKNOWN, DIGEST_INVALID
  kUpload,       // uploads: BLOB_UPLOAD_UNKNOWN, BLOB_UPLOAD_INVALID
  kList,         // tags/list, _catalog: UNSUPPORTED for bad n/last (as ECR)
};

struct OciError {
  int http_status = 500;
  std::string code;     // "NAME_UNKNOWN", ...
  std::string message;  // human-readable
  std::string detail;   // optional; sent as a JSON string when not empty
};

OciError ToOciError(const core::Status& status, OciContext context = OciContext::kGeneric);

// {"errors":[{"code":...,"message":...[,"detail":...]}]}
std::string OciErrorBody(const OciError& error);

// The JSON error response (application/json; charset=utf-8) with the API version header; a 401
// also carries the challenge for `host`.
http::Response OciErrorResponse(const OciError& error, std::string_view host = {});

// `Basic realm="https://<host>/",service="ecr.amazonaws.com"` (host as the request named it).
std::string ChallengeHeader(std::string_view host);

// ECR's answer to a request without credentials: 401, the challenge, text/plain "Not Authorized".
http::Response ChallengeResponse(std::string_view host);

}  // namespace cpa::server::oci
