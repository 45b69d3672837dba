#pragma once
// The refresh loop of `cpa agent` (without --once): refresh, record, schedule, wait; until a
// stop is requested. A stop requested during a refresh takes effect when it ends.
//
// Waiter abstracts the wait so that tests drive the loop with a fake clock; StopWaiter is the
// real one (a condition variable; RequestStop from any thread, e.g. a signal-handling thread).

#include <condition_variable>
#include <mutex>

#include "agent/agent_state.h"
#include "agent/refresher.h"
#include "agent/schedule.h"
#include "core/clock.h"

namespace cpa::agent {

class Waiter {
 public:
  virtual ~Waiter() = default;
  // Returns true once `deadline` (by the loop's clock) has come, false when a stop is requested
  // first.
  virtual bool WaitUntil(core::TimePoint deadline) = 0;
};

class StopWaiter final : public Waiter {
 public:
  explicit StopWaiter(const core::Clock& clock) : clock_(clock) {}
  bool WaitUntil(core::TimePoint deadline) override;
  void RequestStop();  // thread-safe; not async-signal-safe
  bool stop_requested() const;

 private:
  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
};

// Runs until `waiter` reports a stop. Returns the number of refreshes done.
int RunDaemon(Refreshable& refresher, RefreshSchedule& schedule, AgentState& state,
              const core::Clock& clock, Waiter& waiter, const LogFn& log);

}  // namespace cpa::agent
