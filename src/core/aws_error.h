#pragma once
// The one place where a cpa Status becomes an AWS error on the wire: the error code string and
// HTTP status that AWS itself returns for the same situation, per protocol family.

#include <string_view>

#include "core/status.h"

namespace cpa::core {

enum class Protocol {
  kQuery,     // IAM and STS (awsQuery, XML responses)
  kJson,      // ECR API (awsJson1_1)
  kRestJson,  // EKS (restJson1)
};

struct AwsError {
  std::string_view code;  // e.g. "SignatureDoesNotMatch", "InvalidSignatureException"
  int http_status;        // e.g. 403
};

AwsError ToAwsError(ErrorCode code, Protocol protocol);

}  // namespace cpa::core
