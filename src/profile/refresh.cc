#include "profile/refresh.h"

#include <algorithm>
#include <utility>

namespace cpa::profile {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using std::chrono::minutes;
using std::chrono::seconds;

}  // namespace

bool IsNonRecoverableRefreshError(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kAccessDenied:
    case ErrorCode::kInvalidClientTokenId:
    case ErrorCode::kSignatureDoesNotMatch:
    case ErrorCode::kIncompleteSignature:
    case ErrorCode::kExpiredToken:
    case ErrorCode::kMissingAuthenticationToken:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMissingParameter:
    case ErrorCode::kMalformedArn:
    case ErrorCode::kMalformedPolicyDocument:
      return true;
    default:
      return false;
  }
}

RefreshingCredentialsCache::RefreshingCredentialsCache(FetchCredentials fetch,
                                                       const core::Clock& clock,
                                                       RefreshOptions options)
    : fetch_(std::move(fetch)),
      clock_(clock),
      options_(std::move(options)),
      rng_(std::random_device{}()) {}

seconds RefreshingCredentialsCache::AdvisoryWindowForLifetime(seconds lifetime) {
  if (lifetime <= minutes(20)) return minutes(5);
  if (lifetime < minutes(90)) return minutes(15);
  return minutes(60);
}

std::optional<seconds> RefreshingCredentialsCache::advisory_window() const {
  std::lock_guard lock(state_mutex_);
  return advisory_window_;
}

seconds RefreshingCredentialsCache::Jitter(seconds lo, seconds hi) {
  if (hi <= lo) return lo;
  double r =
      options_.random ? options_.random() : std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  const int64_t span = (hi - lo).count();
  const auto pick = static_cast<int64_t>(r * static_cast<double>(span + 1));
  return lo + seconds(std::min(std::max<int64_t>(pick, 0), span));
}

void RefreshingCredentialsCache::Store(Credentials credentials, core::TimePoint now) {
  if (credentials.expiration) {
    advisory_window_ = options_.advisory_window
                           ? *options_.advisory_window
                           : AdvisoryWindowForLifetime(*credentials.expiration - now);
  } else {
    advisory_window_.reset();
  }
  cached_ = std::move(credentials);
  next_refresh_allowed_.reset();
  cached_error_.reset();
  invalidated_ = false;
}

void RefreshingCredentialsCache::Prime(Credentials credentials) {
  std::lock_guard lock(state_mutex_);
  Store(std::move(credentials), clock_.Now());
}

void RefreshingCredentialsCache::Invalidate() {
  std::lock_guard lock(state_mutex_);
  invalidated_ = true;
}

RefreshingCredentialsCache::Decision RefreshingCredentialsCache::Decide(core::TimePoint now) const {
  if (cached_ && !invalidated_) {
    if (!cached_->expiration) return Decision::kServe;
    if (now < *cached_->expiration - *advisory_window_) return Decision::kServe;
  }
  if (cached_error_ && now < cached_error_until_) return Decision::kRaiseCachedError;
  // The backoff sits after the validity check so that a held-back caller is still served.
  if (cached_ && next_refresh_allowed_ && now < *next_refresh_allowed_) {
    return Decision::kServeRateLimited;
  }
  if (!cached_ || invalidated_ || !cached_->expiration ||
      now >= *cached_->expiration - options_.mandatory_window) {
    return Decision::kRefreshMandatory;
  }
  return Decision::kRefreshAdvisory;
}

RefreshingCredentialsCache::Lookup RefreshingCredentialsCache::Immediate(Decision decision) const {
  switch (decision) {
    case Decision::kServe:
      return Lookup{*cached_, false, false};
    case Decision::kServeRateLimited:
      return Lookup{*cached_, false, true};
    case Decision::kRaiseCachedError:
      return Lookup{*cached_error_, false, false};
    default:
      break;
  }
  // Unreachable: refresh decisions are not immediate.
  return Lookup{Status(ErrorCode::kInternal, "credential cache: no immediate answer"), false,
                false};
}

RefreshingCredentialsCache::Lookup RefreshingCredentialsCache::Apply(Result<Credentials> fetched) {
  const core::TimePoint now = clock_.Now();
  Status failure;
  if (fetched.ok()) {
    if (!fetched->expiration || *fetched->expiration > now) {
      Store(std::move(*fetched), now);
      return Lookup{*cached_, true, false};
    }
    // Credentials that are already expired are as good as a failed refresh.
    failure = Status(ErrorCode::kExpiredToken,
                     "the credential source returned credentials that expired at " +
                         core::FormatIso8601(*fetched->expiration));
  } else {
    failure = fetched.status();
    if (options_.is_non_recoverable && options_.is_non_recoverable(failure)) {
      // Surfaced at once (no backoff), but briefly remembered so that a caller retrying in a
      // loop does not hammer the source.
      cached_error_ = failure;
      cached_error_until_ = now + Jitter(options_.error_cache_min, options_.error_cache_max);
      return Lookup{failure, true, false};
    }
  }
  if (!cached_) {
    return Lookup{Status(failure.code(), "no credentials: " + failure.message()), true, false};
  }
  next_refresh_allowed_ = now + Jitter(options_.backoff_min, options_.backoff_max);
  return Lookup{*cached_, true, false};
}

RefreshingCredentialsCache::Lookup RefreshingCredentialsCache::GetWithDetails() {
  Decision decision;
  {
    std::lock_guard lock(state_mutex_);
    decision = Decide(clock_.Now());
    if (decision != Decision::kRefreshAdvisory && decision != Decision::kRefreshMandatory) {
      return Immediate(decision);
    }
  }

  std::unique_lock refresh(refresh_mutex_, std::defer_lock);
  if (decision == Decision::kRefreshAdvisory) {
    if (!refresh.try_lock()) {
      // Someone is refreshing; the cached credentials are still good for a while.
      std::lock_guard lock(state_mutex_);
      if (cached_) return Lookup{*cached_, false, false};
      refresh.lock();
    }
  } else {
    refresh.lock();
  }

  {
    // The refresh we waited for may have made ours unnecessary.
    std::lock_guard lock(state_mutex_);
    decision = Decide(clock_.Now());
    if (decision != Decision::kRefreshAdvisory && decision != Decision::kRefreshMandatory) {
      return Immediate(decision);
    }
  }
  Result<Credentials> fetched = fetch_();
  std::lock_guard lock(state_mutex_);
  return Apply(std::move(fetched));
}

}  // namespace cpa::profile
