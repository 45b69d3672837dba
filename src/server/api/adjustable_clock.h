#pragma once
// The system clock plus an offset that only grows: `cpa serve --test-clock` lets tests move the
// server's time forward (POST /_cpa/test/advance-clock?seconds=N) to expire sessions.
//
// Thread safety: Now and Advance may be called from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/clock.h"

namespace cpa::server::api {

class AdjustableClock final : public core::Clock {
 public:
  core::TimePoint Now() const override {
    return system_.Now() + std::chrono::seconds(offset_.load(std::memory_order_relaxed));
  }
  void Advance(std::chrono::seconds by) { offset_.fetch_add(by.count()); }
  std::chrono::seconds offset() const { return std::chrono::seconds(offset_.load()); }

 private:
  core::SystemClock system_;
  std::atomic<int64_t> offset_{0};
};

}  // namespace cpa::server::api
