#include "core/aws_error.h"

namespace cpa::core {

AwsError ToAwsError(ErrorCode code, Protocol protocol) {
  const bool json = protocol != Protocol::kQuery;
  switch (code) {
    case ErrorCode::kOk:
      return {"", 200};
    case ErrorCode::kInvalidArgument:
      return json ? AwsError{"InvalidParameterException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kMissingParameter:
      return json ? AwsError{"InvalidParameterException", 400} : AwsError{"MissingParameter", 400};
    case ErrorCode::kNotFound:
      return json ? AwsError{"ResourceNotFoundException", 404} : AwsError{"NoSuchEntity", 404};
    case ErrorCode::kAlreadyExists:
      return json ? AwsError{"ResourceInUseException", 409} : AwsError{"EntityAlreadyExists", 409};
    case ErrorCode::kLimitExceeded:
      if (protocol == Protocol::kRestJson) return {"ResourceLimitExceededException", 400};  // EKS
      return json ? AwsError{"LimitExceededException", 400} : AwsError{"LimitExceeded", 409};
    case ErrorCode::kMalformedArn:
      return json ? AwsError{"InvalidParameterException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kInternal:
      return json ? AwsError{"ServerException", 500} : AwsError{"ServiceFailure", 500};
    case ErrorCode::kIncompleteSignature:
      return json ? AwsError{"IncompleteSignatureException", 400}
                  : AwsError{"IncompleteSignature", 400};
    case ErrorCode::kInvalidClientTokenId:
      return json ? AwsError{"UnrecognizedClientException", 400}
                  : AwsError{"InvalidClientTokenId", 403};
    case ErrorCode::kSignatureDoesNotMatch:
      return json ? AwsError{"InvalidSignatureException", 400}
                  : AwsError{"SignatureDoesNotMatch", 403};
    case ErrorCode::kRequestExpired:
      return json ? AwsError{"InvalidSignatureException", 400} : AwsError{"RequestExpired", 400};
    case ErrorCode::kExpiredToken:
      return json ? AwsError{"ExpiredTokenException", 400} : AwsError{"ExpiredToken", 400};
    case ErrorCode::kMissingAuthenticationToken:
      return json ? AwsError{"MissingAuthenticationTokenException", 403}
                  : AwsError{"MissingAuthenticationToken", 403};
    case ErrorCode::kAccessDenied:
      // EKS models AccessDeniedException with 403; ECR's JSON protocol answers 400.
      if (protocol == Protocol::kRestJson) return {"AccessDeniedException", 403};
      return json ? AwsError{"AccessDeniedException", 400} : AwsError{"AccessDenied", 403};
    case ErrorCode::kMalformedPolicyDocument:
      return json ? AwsError{"InvalidParameterException", 400}
                  : AwsError{"MalformedPolicyDocument", 400};
    case ErrorCode::kValidationError:
      return json ? AwsError{"ValidationException", 400} : AwsError{"ValidationError", 400};
    case ErrorCode::kDeleteConflict:
      return json ? AwsError{"ResourceInUseException", 409} : AwsError{"DeleteConflict", 409};
    // ECR's own exceptions (every ECR exception is a 400).
    case ErrorCode::kRepositoryNotFound:
      return json ? AwsError{"RepositoryNotFoundException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kRepositoryNotEmpty:
      return json ? AwsError{"RepositoryNotEmptyException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kRepositoryPolicyNotFound:
      return json ? AwsError{"RepositoryPolicyNotFoundException", 400}
                  : AwsError{"InvalidInput", 400};
    case ErrorCode::kImageNotFound:
      return json ? AwsError{"ImageNotFoundException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kImageAlreadyExists:
      return json ? AwsError{"ImageAlreadyExistsException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kImageTagAlreadyExists:
      return json ? AwsError{"ImageTagAlreadyExistsException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kLayersNotFound:
      return json ? AwsError{"LayersNotFoundException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kUploadNotFound:
      return json ? AwsError{"UploadNotFoundException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kInvalidLayerPart:
      return json ? AwsError{"InvalidLayerPartException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kDigestMismatch:
      return json ? AwsError{"InvalidLayerException", 400} : AwsError{"InvalidInput", 400};
    case ErrorCode::kManifestInvalid:
      return json ? AwsError{"InvalidParameterException", 400} : AwsError{"InvalidInput", 400};
  }
  return {"InternalFailure", 500};
}

}  // namespace cpa::core
