#include "awsapi/retry.h"

#include <algorithm>
#include <array>

namespace cpa::awsapi {

bool IsThrottlingErrorCode(std::string_view code) {
  static constexpr std::array<std::string_view, 15> kCodes = {
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "RequestThrottledException",
      "TooManyRequestsException",
      "ProvisionedThroughputExceededException",
      "TransactionInProgressException",
      "RequestLimitExceeded",
      "BandwidthLimitExceeded",
      "LimitExceededException",
      "RequestThrottled",
      "SlowDown",
      "PriorRequestNotComplete",
      "EC2ThrottledException",
      "TooManyRequests",
  };
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool IsTransientErrorCode(std::string_view code) {
  static constexpr std::array<std::string_view, 5> kCodes = {
      "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
      "IDPCommunicationError", "InternalError"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

RetryKind ClassifyAwsError(const AwsErrorInfo& error) {
  if (IsThrottlingErrorCode(error.code) || error.http_status == 429) return RetryKind::kThrottling;
  if (IsTransientErrorCode(error.code)) return RetryKind::kTransient;
  switch (error.http_status) {
    case 500:
    case 502:
    case 503:
    case 504:
      return RetryKind::kTransient;
    default:
      return RetryKind::kNone;
  }
}

RetryKind ClassifyTransportError(const core::Status& status) {
  return status.code() == core::ErrorCode::kInternal ? RetryKind::kTransient : RetryKind::kNone;
}

std::chrono::milliseconds BackoffDelay(int attempts_made, const RetryOptions& options,
                                       core::Random& random) {
  int exponent = std::clamp(attempts_made - 1, 0, 30);
  // min(base * 2^exponent, max_backoff), in milliseconds, without overflow.
  int64_t cap = options.max_backoff.count();
  int64_t ceiling = options.base_delay.count();
  for (int i = 0; i < exponent && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  if (ceiling <= 0) return std::chrono::milliseconds(0);
  // random[0,1) * ceiling, at millisecond resolution.
  return std::chrono::milliseconds(
      static_cast<int64_t>(random.Uniform(static_cast<uint64_t>(ceiling))));
}

bool RetryQuota::TryAcquire(int cost) {
  std::lock_guard<std::mutex> lock(mu_);
  if (available_ < cost) return false;
  available_ -= cost;
  return true;
}

void RetryQuota::OnSuccess(int retry_cost) {
  std::lock_guard<std::mutex> lock(mu_);
  available_ = std::min(kCapacity, available_ + (retry_cost > 0 ? retry_cost : 1));
}

int RetryQuota::available() const {
  std::lock_guard<std::mutex> lock(mu_);
  return available_;
}

}  // namespace cpa::awsapi
