#include "agent/schedule.h"

#include <algorithm>

namespace cpa::agent {

using std::chrono::seconds;

seconds RefreshSchedule::Uniform(seconds bound) {
  if (bound.count() <= 0) return seconds(0);
  return seconds(static_cast<int64_t>(random_->Uniform(static_cast<uint64_t>(bound.count()) + 1)));
}

core::TimePoint RefreshSchedule::AfterSuccess(core::TimePoint now, core::TimePoint valid_until) {
  failures_ = 0;
  const seconds remaining = std::max(seconds(0), valid_until - now);
  seconds delay = remaining / std::max(1, policy_.refresh_divisor);
  delay -= Uniform(delay * policy_.jitter_percent / 100);
  return now + std::max(delay, policy_.min_delay);
}

core::TimePoint RefreshSchedule::AfterFailure(core::TimePoint now) {
  ++failures_;
  seconds backoff = policy_.retry_base;
  for (int i = 1; i < failures_ && backoff < policy_.retry_max; ++i) backoff *= 2;
  backoff = std::min(backoff, policy_.retry_max);
  // Equal jitter: at least half the backoff, so retries never bunch up at zero.
  const seconds half = backoff / 2;
  return now + std::max(seconds(1), half + Uniform(backoff - half));
}

}  // namespace cpa::agent
