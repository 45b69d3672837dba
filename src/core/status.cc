#include "core/status.h"

namespace cpa::core {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "OK";
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kMissingParameter:
      return "MissingParameter";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kAlreadyExists:
      return "AlreadyExists";
    case ErrorCode::kLimitExceeded:
      return "LimitExceeded";
    case ErrorCode::kMalformedArn:
      return "MalformedArn";
    case ErrorCode::kInternal:
      return "InternalFailure";
    case ErrorCode::kIncompleteSignature:
      return "IncompleteSignature";
    case ErrorCode::kInvalidClientTokenId:
      return "InvalidClientTokenId";
    case ErrorCode::kSignatureDoesNotMatch:
      return "SignatureDoesNotMatch";
    case ErrorCode::kRequestExpired:
      return "RequestExpired";
    case ErrorCode::kExpiredToken:
      return "ExpiredToken";
    case ErrorCode::kMissingAuthenticationToken:
      return "MissingAuthenticationToken";
    case ErrorCode::kAccessDenied:
      return "AccessDenied";
    case ErrorCode::kMalformedPolicyDocument:
      return "MalformedPolicyDocument";
    case ErrorCode::kValidationError:
      return "ValidationError";
    case ErrorCode::kDeleteConflict:
      return "DeleteConflict";
    case ErrorCode::kRepositoryNotFound:
      return "RepositoryNotFound";
    case ErrorCode::kRepositoryNotEmpty:
      return "RepositoryNotEmpty";
    case ErrorCode::kRepositoryPolicyNotFound:
      return "RepositoryPolicyNotFound";
    case ErrorCode::kImageNotFound:
      return "ImageNotFound";
    case ErrorCode::kImageAlreadyExists:
      return "ImageAlreadyExists";
    case ErrorCode::kImageTagAlreadyExists:
      return "ImageTagAlreadyExists";
    case ErrorCode::kLayersNotFound:
      return "LayersNotFound";
    case ErrorCode::kUploadNotFound:
      return "UploadNotFound";
    case ErrorCode::kInvalidLayerPart:
      return "InvalidLayerPart";
    case ErrorCode::kDigestMismatch:
      return "DigestMismatch";
    case ErrorCode::kManifestInvalid:
      return "ManifestInvalid";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(ErrorCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace cpa::core
