#pragma once
// Inline policies of users and roles: a name (unique per principal) and a document.

#include <string>
#include <string_view>

#include "core/status.h"
#include "server/store/pagination.h"
#include "server/store/principal.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

struct InlinePolicy {
  std::string name;
  std::string document;
};

class InlinePolicyRepository {
 public:
  explicit InlinePolicyRepository(internal::StoreState& s) : s_(s) {}

  // Creates or replaces. NoSuchEntity for the principal; InvalidInput for the name.
  core::Status Put(const PrincipalRef& principal, std::string_view name, std::string_view document);
  // NoSuchEntity "The user policy with name X cannot be found." (or "role policy").
  core::Result<InlinePolicy> Get(const PrincipalRef& principal, std::string_view name);
  core::Status Delete(const PrincipalRef& principal, std::string_view name);
  // Policy names, ordered.
  core::Result<Page<std::string>> List(const PrincipalRef& principal, const PageRequest& page = {});

 private:
  internal::StoreState& s_;
};

}  // namespace cpa::server::store
