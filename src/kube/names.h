#pragma once
// Kubernetes object name rules, checked before a name goes into a URL path.

#include <string_view>

#include "core/status.h"

namespace cpa::kube {

// A namespace: an RFC 1123 label (at most 63 of [a-z0-9-], alphanumeric at both ends).
core::Status ValidateNamespaceName(std::string_view name);
// A Secret or ConfigMap name: an RFC 1123 subdomain (at most 253, dot-separated labels).
core::Status ValidateObjectName(std::string_view name);

}  // namespace cpa::kube
