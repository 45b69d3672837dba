#pragma once
// The Kubernetes operations cpa needs, as an interface: client.h implements it over HTTP; the
// agent's tests may fake it. Names and namespaces are validated (names.h) before any request.
//
// Create and Replace take the object's namespace from metadata.namespace_name and answer the
// object as the server stored it (new resourceVersion). Replace sends metadata.resource_version:
// a stale one gives a 409 Conflict (ApiResult::IsConflict), an empty one updates
// unconditionally.

#include <string_view>

#include "kube/api_error.h"
#include "kube/objects.h"

namespace cpa::kube {

class Api {
 public:
  virtual ~Api() = default;

  virtual ApiResult<Secret> GetSecret(std::string_view namespace_name, std::string_view name) = 0;
  virtual ApiResult<Secret> CreateSecret(const Secret& secret) = 0;
  virtual ApiResult<Secret> ReplaceSecret(const Secret& secret) = 0;

  virtual ApiResult<ConfigMap> GetConfigMap(std::string_view namespace_name,
                                            std::string_view name) = 0;
  virtual ApiResult<ConfigMap> CreateConfigMap(const ConfigMap& config_map) = 0;
  virtual ApiResult<ConfigMap> ReplaceConfigMap(const ConfigMap& config_map) = 0;
};

}  // namespace cpa::kube
