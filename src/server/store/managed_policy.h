#pragma once
// Managed policies: name (unique per account, case-insensitively), path, unique id ANPA...,
// versions v1..vN with documents (at most 5 kept, one default), and the attachment count.
// Customer-managed policies belong to a 12-digit account; AWS-managed ones to the account "aws"
// (ARN arn:aws:iam::aws:policy/<path><name>) and can be attached from any account.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "server/store/pagination.h"

namespace cpa::server::store {

namespace internal {
struct StoreState;
}

inline constexpr std::string_view kAwsManagedAccount = "aws";
inline constexpr int kMaxPolicyVersions = 5;

struct ManagedPolicy {
  std::string account_id;  // 12 digits, or "aws"
  std::string name;
  std::string path = "/";
  std::string policy_id;  // ANPA + 17
  std::string arn;        // arn:aws:iam::<account>:policy<path><name>
  std::string description;
  std::string default_version_id;  // "v1", ...
  int attachment_count = 0;
  core::TimePoint create_date{};
  core::TimePoint update_date{};

  bool aws_managed() const { return account_id == kAwsManagedAccount; }
};

struct PolicyVersion {
  std::string version_id;  // "v1", ...
  std::string document;
  bool is_default = false;
  core::TimePoint create_date{};
};

struct NewPolicy {
  std::string account_id;  // 12 digits, or "aws"
  std::string name;
  std::string path = "/";
  std::string description;
  std::string document;   // becomes v1, the default
  std::string policy_id;  // empty: generated
};

enum class PolicyScope { kAll, kAws, kLocal };

struct ListPoliciesRequest {
  std::string account_id;  // the caller's account (kLocal and kAll)
  PolicyScope scope = PolicyScope::kAll;
  bool only_attached = false;
  std::string path_prefix = "/";
  PageRequest page;
};

class PolicyRepository {
 public:
  explicit PolicyRepository(internal::StoreState& s) : s_(s) {}

  // EntityAlreadyExists ("A policy called X already exists. Duplicate names are not allowed."),
  // NoSuchEntity (account), InvalidInput.
  core::Result<ManagedPolicy> Create(const NewPolicy& policy);
  // NoSuchEntity "Policy <arn> was not found."; InvalidInput for an ARN that is not a policy's.
  core::Result<ManagedPolicy> Get(std::string_view arn);
  // Ordered by name, case-insensitively (then by creation).
  core::Result<Page<ManagedPolicy>> List(const ListPoliciesRequest& request);
  // DeleteConflict while attached, or while versions other than the default exist.
  core::Status Delete(std::string_view arn);

  // LimitExceeded beyond 5 versions. With set_as_default the new version becomes the default.
  core::Result<PolicyVersion> CreateVersion(std::string_view arn, std::string_view document,
                                            bool set_as_default);
  core::Result<PolicyVersion> GetVersion(std::string_view arn, std::string_view version_id);
  core::Result<PolicyVersion> GetDefaultVersion(std::string_view arn);
  // Newest first, as IAM lists them.
  core::Result<std::vector<PolicyVersion>> ListVersions(std::string_view arn);
  // DeleteConflict for the default version.
  core::Status DeleteVersion(std::string_view arn, std::string_view version_id);
  core::Status SetDefaultVersion(std::string_view arn, std::string_view version_id);

 private:
  internal::StoreState& s_;
};

namespace internal {
struct PolicyRow {
  int64_t pk = 0;
  ManagedPolicy policy;
};
core::Result<PolicyRow> FindPolicy(StoreState& s, std::string_view arn);
}  // namespace internal

}  // namespace cpa::server::store
