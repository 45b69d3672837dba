#pragma once
// When to refresh: at half of the remaining life of the logins in place, a little earlier by a
// random jitter (so that many agents started together spread out), never sooner than a floor;
// after a failure, a capped exponential backoff with jitter. The logins in place are not touched
// by a failure, so they keep working until they expire.
//
// With ECR's 12-hour tokens: about 5.4-6 hours between refreshes; the first retries after a
// failure come after 2.5-5 s, 5-10 s, 10-20 s, ... up to 2.5-5 minutes.
//
// Pure: time and randomness are inputs. Not thread-safe (one scheduling loop owns it).

#include <chrono>

#include "core/clock.h"
#include "core/crypto.h"

namespace cpa::agent {

struct SchedulePolicy {
  int refresh_divisor = 2;              // refresh after remaining / refresh_divisor
  int jitter_percent = 10;              // ... minus up to this share of that delay
  std::chrono::seconds min_delay{30};   // never sooner than this after a success
  std::chrono::seconds retry_base{5};   // first retry after base/2 .. base
  std::chrono::seconds retry_max{300};  // cap of the backoff
};

class RefreshSchedule {
 public:
  RefreshSchedule(SchedulePolicy policy, core::Random* random) : policy_(policy), random_(random) {}

  // After a refresh that put logins valid until `valid_until` in place.
  core::TimePoint AfterSuccess(core::TimePoint now, core::TimePoint valid_until);
  // After a failed (or partly failed) refresh.
  core::TimePoint AfterFailure(core::TimePoint now);

  int consecutive_failures() const { return failures_; }

 private:
  // Uniform in [0, bound] seconds.
  std::chrono::seconds Uniform(std::chrono::seconds bound);

  SchedulePolicy policy_;
  core::Random* random_;
  int failures_ = 0;
};

}  // namespace cpa::agent
