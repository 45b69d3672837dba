#include "server/oci/oci_error.h"

#include <nlohmann/json.hpp>

namespace cpa::server::oci {
namespace {

using core::ErrorCode;

OciError Make(int status, std::string_view code, const core::Status& s) {
  return OciError{status, std::string(code), s.message(), {}};
}

// Bad input without a more specific code.
OciError BadInput(OciContext context, const core::Status& s) {
  switch (context) {
    case OciContext::kManifest:
    case OciContext::kManifestPut:
      return Make(400, "MANIFEST_INVALID", s);
    case OciContext::kBlob:
      return Make(400, "DIGEST_INVALID", s);
    case OciContext::kUpload:
      return Make(400, "BLOB_UPLOAD_INVALID", s);
    case OciContext::kList:
    case OciContext::kGeneric:
      break;
  }
  return Make(400, "UNSUPPORTED", s);
}

OciError NotFound(OciContext context, const core::Status& s) {
  switch (context) {
    case OciContext::kManifest:
      return Make(404, "MANIFEST_UNKNOWN", s);
    case OciContext::kManifestPut:
      return Make(400, "MANIFEST_BLOB_UNKNOWN", s);
    case OciContext::kBlob:
      return Make(404, "BLOB_UNKNOWN", s);
    case OciContext::kUpload:
      return Make(404, "BLOB_UPLOAD_UNKNOWN", s);
    case OciContext::kList:
    case OciContext::kGeneric:
      break;
  }
  return Make(404, "NAME_UNKNOWN", s);
}

}  // namespace

OciError ToOciError(const core::Status& s, OciContext context) {
  switch (s.code()) {
    case ErrorCode::kAccessDenied:
      return Make(403, "DENIED", s);
    case ErrorCode::kExpiredToken:
      return OciError{403, "DENIED", std::string(kExpiredTokenMessage), {}};
    case ErrorCode::kMissingAuthenticationToken:
    case ErrorCode::kInvalidClientTokenId:
    case ErrorCode::kIncompleteSignature:
    case ErrorCode::kSignatureDoesNotMatch:
      return Make(401, "UNAUTHORIZED", s);
    case ErrorCode::kRepositoryNotFound:
      return Make(404, "NAME_UNKNOWN", s);
    case ErrorCode::kImageNotFound:
    case ErrorCode::kLayersNotFound:
      if (context == OciContext::kManifestPut) return Make(400, "MANIFEST_BLOB_UNKNOWN", s);
      return s.code() == ErrorCode::kImageNotFound ? Make(404, "MANIFEST_UNKNOWN", s)
                                                   : Make(404, "BLOB_UNKNOWN", s);
    case ErrorCode::kUploadNotFound:
      return Make(404, "BLOB_UPLOAD_UNKNOWN", s);
    case ErrorCode::kDigestMismatch:
      return Make(400, "DIGEST_INVALID", s);
    case ErrorCode::kManifestInvalid:
    case ErrorCode::kMalformedPolicyDocument:
      return Make(400, "MANIFEST_INVALID", s);
    case ErrorCode::kImageTagAlreadyExists:
      return Make(400, "TAG_INVALID", s);
    case ErrorCode::kInvalidLayerPart:
      return Make(416, "BLOB_UPLOAD_INVALID", s);
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kValidationError:
    case ErrorCode::kMissingParameter:
    case ErrorCode::kMalformedArn:
      return BadInput(context, s);
    case ErrorCode::kNotFound:
      return NotFound(context, s);
    case ErrorCode::kLimitExceeded:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kImageAlreadyExists:
    case ErrorCode::kRepositoryNotEmpty:
    case ErrorCode::kRepositoryPolicyNotFound:
    case ErrorCode::kDeleteConflict:
    case ErrorCode::kRequestExpired:
      return Make(400, "UNSUPPORTED", s);
    case ErrorCode::kOk:
    case ErrorCode::kInternal:
      break;
  }
  return Make(500, "UNKNOWN", s);
}

std::string OciErrorBody(const OciError& error) {
  nlohmann::json e = {{"code", error.code}, {"message", error.message}};
  if (!error.detail.empty()) e["detail"] = error.detail;
  nlohmann::json body = {{"errors", nlohmann::json::array({e})}};
  // Invalid UTF-8 in a message (a name echoed back) is replaced rather than thrown on.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

http::Response OciErrorResponse(const OciError& error, std::string_view host) {
  http::Response r(error.http_status, "application/json; charset=utf-8", OciErrorBody(error));
  r.SetHeader(std::string(kApiVersionHeader), std::string(kApiVersion));
  if (error.http_status == 401) r.SetHeader("Www-Authenticate", ChallengeHeader(host));
  r.outcome = error.code;
  return r;
}

std::string ChallengeHeader(std::string_view host) {
  std::string h = "Basic realm=\"https://";
  h += host;
  h += "/\",service=\"";
  h += kChallengeService;
  h += '"';
  return h;
}

http::Response ChallengeResponse(std::string_view host) {
  http::Response r(401, "text/plain; charset=utf-8", "Not Authorized");
  r.SetHeader(std::string(kApiVersionHeader), std::string(kApiVersion));
  r.SetHeader("Www-Authenticate", ChallengeHeader(host));
  r.outcome = "UNAUTHORIZED";
  return r;
}

}  // namespace cpa::server::oci
