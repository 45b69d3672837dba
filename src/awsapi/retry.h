#pragma once
// The AWS "standard" retry mode (SDK reference: retry behavior).
//
// - Up to max_attempts attempts in all (3 by default).
// - Retried: throttling errors (Throttling, ThrottlingException, RequestLimitExceeded,
//   TooManyRequestsException, ProvisionedThroughputExceededException, ...), transient errors
//   (HTTP 500/502/503/504, RequestTimeout, RequestTimeoutException, PriorRequestNotComplete,
//   IDPCommunicationError) and transport failures that may succeed later (connect, reset,
//   timeout).
// - Before attempt n+1 the client sleeps random[0,1) * min(2^(n-1) s, max_backoff): full jitter,
//   capped at 20 s.
// - A retry quota (token bucket of 500; a retry costs 5, a retry after a transport failure 10;
//   a success refunds what its retries cost, or adds 1) stops retry storms when a service is down.

#include <chrono>
#include <functional>
#include <mutex>
#include <string_view>

#include "awsapi/error.h"
#include "core/crypto.h"
#include "core/status.h"

namespace cpa::awsapi {

struct RetryOptions {
  int max_attempts = 3;  // AWS_MAX_ATTEMPTS / max_attempts; 1 disables retries
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_backoff{20'000};
  bool use_quota = true;
};

enum class RetryKind {
  kNone,        // not retryable
  kThrottling,  // the service asked us to slow down
  kTransient,   // a server-side or network hiccup
};

bool IsThrottlingErrorCode(std::string_view code);
bool IsTransientErrorCode(std::string_view code);
RetryKind ClassifyAwsError(const AwsErrorInfo& error);
// Transport failures: kInternal (see awsapi/http.h) is transient, anything else is final.
RetryKind ClassifyTransportError(const core::Status& status);

// The delay before the attempt after `attempts_made` attempts (>= 1).
std::chrono::milliseconds BackoffDelay(int attempts_made, const RetryOptions& options,
                                       core::Random& random);

// The standard-mode retry token bucket. Thread-safe.
class RetryQuota {
 public:
  static constexpr int kCapacity = 500;
  static constexpr int kRetryCost = 5;
  static constexpr int kTransportErrorCost = 10;

  // Takes the cost of one retry; false (and nothing taken) when the bucket cannot pay it.
  bool TryAcquire(int cost);
  // After a successful attempt: refunds `retry_cost` (what this operation's retries took), or
  // adds 1 when there were none.
  void OnSuccess(int retry_cost);
  int available() const;

 private:
  mutable std::mutex mu_;
  int available_ = kCapacity;  // guarded by mu_
};

using SleepFunction = std::function<void(std::chrono::milliseconds)>;

}  // namespace cpa::awsapi
