#pragma once
// Durations as Go's time.Duration.String() prints them, for whole seconds: "0s", "45s", "5m0s",
// "6h0m0s". The kubelet parses cacheDuration in this syntax; the agent's log uses it too.
// Pure; thread-safe.

#include <chrono>
#include <string>

namespace cpa::agent {

// Negative durations get a leading '-'.
std::string FormatGoDuration(std::chrono::seconds d);

}  // namespace cpa::agent
