#pragma once
// Create or update one `kubernetes.io/dockerconfigjson` Secret, as the ecr-token refresher does
// for `ecr-token` in every target namespace (reference section 3.6), but race-safe:
//
//   GET ns/name
//     404      -> POST {type: dockerconfigjson, data: {.dockerconfigjson: payload}, labels}
//                 409 AlreadyExists (created meanwhile) -> start over
//     found    -> same payload: nothing is written (kUnchanged)
//                 otherwise PUT the object as read (its resourceVersion, other data keys,
//                 labels, annotations and unknown fields untouched) with only the payload key
//                 replaced; 409 Conflict (changed meanwhile) -> start over
//   at most `max_attempts` rounds; the last conflict is returned when they run out.
//
// Refused without a write: a payload that is not a JSON object, an existing Secret of another
// type (the type of a Secret is immutable: delete it and it is recreated), an immutable Secret.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "kube/api.h"

namespace cpa::kube {

struct ApplyOptions {
  int max_attempts = 5;
  // Labels and annotations of a Secret this creates (an existing one keeps its own).
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // Pause before round n (n >= 2): backoff * (n - 1). Null sleep: no pause (tests).
  std::chrono::milliseconds backoff{10};
  std::function<void(std::chrono::milliseconds)> sleep;
};

enum class ApplyAction { kCreated, kUpdated, kUnchanged };

struct ApplyResult {
  ApplyAction action = ApplyAction::kUnchanged;
  std::string resource_version;  // of the Secret as it now is
  int attempts = 0;              // rounds used (1 without conflicts)
};

ApiResult<ApplyResult> ApplyDockerConfigSecret(Api& api, std::string_view namespace_name,
                                               std::string_view name, std::string_view payload,
                                               const ApplyOptions& options = {});

// "created", "updated", "unchanged".
std::string_view ApplyActionName(ApplyAction action);

}  // namespace cpa::kube
