#pragma once
// How the procedures report progress: one Event per step, as it happens, to a Reporter the CLI
// prints (text) or collects (JSON).

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace cpa::share {

struct Event {
  std::string step;     // the spec's step "1".."7", "verify", or a rotate-key step name
  std::string subject;  // what the step is about
  std::string status;   // "created", "unchanged", "would create", "failed", "rolled back", ...
  std::string detail;
  bool change = false;  // the step changed (or, in a dry run, would change) something
  // Documents the step writes, titled (dry runs show every document).
  std::vector<std::pair<std::string, std::string>> documents;
};

using Reporter = std::function<void(const Event&)>;

}  // namespace cpa::share
