#pragma once
// Authorization of one action by one caller with the policy engine: the caller's identity
// policies come from the store (attached managed policies' default versions and inline
// policies; for sessions the role's, intersected with the session policies), compiled once and
// cached until the store's generation changes.
//
// Thread safety: Evaluate may be called from many threads.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "policy/compiled.h"
#include "policy/context.h"
#include "policy/evaluator.h"
#include "server/api/caller.h"
#include "server/store/store.h"

namespace cpa::server::api {

// The compiled policies a caller brings to an evaluation.
struct PolicySet {
  std::vector<std::shared_ptr<const policy::CompiledPolicy>> identity;
  std::vector<std::shared_ptr<const policy::CompiledPolicy>> session;  // empty: none passed
};

struct AuthzRequest {
  std::string_view action;
  std::string_view resource;  // the operation's real ARN, "*" for resource-less actions
  const policy::CompiledPolicy* resource_policy = nullptr;  // the trust policy for AssumeRole
  const policy::ContextKeys* context = nullptr;
};

class Authorizer {
 public:
  explicit Authorizer(store::Store& store) : store_(store) {}

  // The caller's policies (cached by store generation). Roots have none: the engine allows an
  // account's root in its own account.
  core::Result<std::shared_ptr<const PolicySet>> PoliciesOf(const Caller& caller);

  core::Result<policy::Decision> Evaluate(const Caller& caller, const AuthzRequest& request);

  // Loads and compiles the identity policies of a user or role (for SimulatePrincipalPolicy).
  core::Result<std::vector<std::shared_ptr<const policy::CompiledPolicy>>> PrincipalPolicies(
      const store::PrincipalRef& principal);

 private:
  core::Result<std::shared_ptr<const PolicySet>> Load(const Caller& caller);
  store::Store& store_;
  std::mutex mu_;
  struct Entry {
    uint64_t generation = 0;
    std::shared_ptr<const PolicySet> set;
  };
  std::unordered_map<std::string, Entry> cache_;
};

// "User: <arn> is not authorized to perform: <action> on resource: <arn>[ because ...]".
std::string AccessDeniedMessage(std::string_view caller_arn, std::string_view action,
                                std::string_view resource, const policy::Decision& decision);

// "<policy>/<statement>" of the statement that decided (the first deny for an explicit deny, the
// first allow otherwise), or "".
std::string DecidingStatement(const policy::Decision& decision);

// A policy that allows nothing: stands for session policies that no longer exist.
std::shared_ptr<const policy::CompiledPolicy> AllowNothingPolicy();

}  // namespace cpa::server::api
