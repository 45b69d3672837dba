#pragma once
// Time as a dependency (so that tests control it), and the AWS timestamp formats.

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cpa::core {

using TimePoint = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(now_.load())); }
  void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::seconds d) { now_ += d.count(); }

 private:
  std::atomic<int64_t> now_;
};

// The process-wide system clock.
const Clock& DefaultClock();

// "20150830T123600Z" (SigV4 X-Amz-Date).
std::string FormatAmzDate(TimePoint t);
Result<TimePoint> ParseAmzDate(std::string_view s);
// "20150830" (SigV4 credential scope date).
std::string FormatScopeDate(TimePoint t);
// "2015-08-30T12:36:00Z" (ISO 8601 as in IAM/STS XML and config files).
std::string FormatIso8601(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"; fractions are truncated.
Result<TimePoint> ParseIso8601(std::string_view s);

}  // namespace cpa::core
