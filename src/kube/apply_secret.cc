#include "kube/apply_secret.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cpa::kube {

using core::ErrorCode;
using core::Status;

std::string_view ApplyActionName(ApplyAction action) {
  switch (action) {
    case ApplyAction::kCreated:
      return "created";
    case ApplyAction::kUpdated:
      return "updated";
    case ApplyAction::kUnchanged:
      return "unchanged";
  }
  return "unknown";
}

ApiResult<ApplyResult> ApplyDockerConfigSecret(Api& api, std::string_view ns, std::string_view name,
                                               std::string_view payload,
                                               const ApplyOptions& options) {
  const std::string where = "apply secret " + std::string(ns) + "/" + std::string(name);
  if (!nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false).is_object()) {
    return Status(
        ErrorCode::kInvalidArgument,
        where + ": the " + std::string(kDockerConfigJsonKey) + " payload is not a JSON object");
  }
  const int attempts = std::max(1, options.max_attempts);
  ApiResult<ApplyResult> last = Status(ErrorCode::kInternal, where + ": no attempt made");
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1 && options.sleep) options.sleep(options.backoff * (attempt - 1));
    ApplyResult result;
    result.attempts = attempt;

    auto current = api.GetSecret(ns, name);
    if (!current.ok() && !current.IsNotFound()) return ApiResult<ApplyResult>::FailureOf(current);

    if (current.IsNotFound()) {
      Secret secret;
      secret.metadata.name = std::string(name);
      secret.metadata.namespace_name = std::string(ns);
      secret.metadata.labels = options.labels;
      secret.metadata.annotations = options.annotations;
      secret.type = std::string(kDockerConfigJsonType);
      secret.data.emplace(std::string(kDockerConfigJsonKey), std::string(payload));
      auto created = api.CreateSecret(secret);
      if (created.IsAlreadyExists()) {  // created by someone else since the GET
        last = ApiResult<ApplyResult>::FailureOf(created);
        continue;
      }
      if (!created.ok()) return ApiResult<ApplyResult>::FailureOf(created);
      result.action = ApplyAction::kCreated;
      result.resource_version = created->metadata.resource_version;
      return result;
    }

    Secret secret = std::move(*current);
    std::string type = secret.type.empty() ? std::string(kOpaqueSecretType) : secret.type;
    if (type != kDockerConfigJsonType) {
      return Status(ErrorCode::kInvalidArgument,
                    where + ": the Secret exists with type " + type + ", not " +
                        std::string(kDockerConfigJsonType) +
                        "; a Secret's type cannot be changed: delete it and it is recreated");
    }
    auto it = secret.data.find(std::string(kDockerConfigJsonKey));
    if (it != secret.data.end() && it->second == payload) {
      result.action = ApplyAction::kUnchanged;
      result.resource_version = secret.metadata.resource_version;
      return result;
    }
    if (secret.immutable) {
      return Status(ErrorCode::kInvalidArgument,
                    where + ": the Secret is immutable; delete it and it is recreated");
    }
    secret.data[std::string(kDockerConfigJsonKey)] = std::string(payload);
    auto replaced = api.ReplaceSecret(secret);
    if (replaced.IsConflict()) {  // changed since the GET: read it again
      last = ApiResult<ApplyResult>::FailureOf(replaced);
      continue;
    }
    if (!replaced.ok()) return ApiResult<ApplyResult>::FailureOf(replaced);
    result.action = ApplyAction::kUpdated;
    result.resource_version = replaced->metadata.resource_version;
    return result;
  }
  // Out of attempts: the last conflict, saying so.
  Status s(last.status().code(), where + ": gave up after " + std::to_string(attempts) +
                                     " attempts: " + last.status().message());
  return last.api_error() ? ApiResult<ApplyResult>(s, *last.api_error())
                          : ApiResult<ApplyResult>(s);
}

}  // namespace cpa::kube
