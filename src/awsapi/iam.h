#pragma once
// AWS Identity and Access Management (awsQuery, version 2010-05-08).
//
// IAM is global: without an endpoint override the client calls https://iam.amazonaws.com and signs
// for us-east-1 whatever the configured region (see awsapi/endpoints.h).
//
// Policy documents (Role::assume_role_policy_document) arrive URL-encoded and are returned
// decoded. Documents in requests are plain JSON text.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "awsapi/client.h"
#include "awsapi/sts.h"  // Tag
#include "core/clock.h"

namespace cpa::awsapi {

struct PermissionsBoundary {
  std::string type;  // "PermissionsBoundaryPolicy"
  std::string arn;
};

struct IamPolicy {
  std::string policy_name;
  std::string policy_id;
  std::string arn;
  std::string path;
  std::string default_version_id;
  std::optional<int64_t> attachment_count;
  std::optional<int64_t> permissions_boundary_usage_count;
  std::optional<bool> is_attachable;
  std::string description;
  std::optional<core::TimePoint> create_date;
  std::optional<core::TimePoint> update_date;
  std::vector<Tag> tags;
};

struct RoleLastUsed {
  std::optional<core::TimePoint> last_used_date;
  std::string region;
};

struct IamRole {
  std::string path;
  std::string role_name;
  std::string role_id;
  std::string arn;
  std::optional<core::TimePoint> create_date;
  std::string assume_role_policy_document;  // decoded JSON
  std::string description;
  std::optional<int64_t> max_session_duration;
  std::optional<PermissionsBoundary> permissions_boundary;
  std::vector<Tag> tags;
  RoleLastUsed role_last_used;
};

struct IamUser {
  std::string path;
  std::string user_name;
  std::string user_id;
  std::string arn;
  std::optional<core::TimePoint> create_date;
  std::optional<core::TimePoint> password_last_used;
  std::optional<PermissionsBoundary> permissions_boundary;
  std::vector<Tag> tags;
};

// A new access key. The secret is returned only here and must never be logged.
struct IamAccessKey {
  std::string user_name;
  std::string access_key_id;
  std::string status;  // Active | Inactive
  std::string secret_access_key;
  std::optional<core::TimePoint> create_date;
};

struct AccessKeyMetadata {
  std::string user_name;
  std::string access_key_id;
  std::string status;
  std::optional<core::TimePoint> create_date;
};

struct AttachedPolicy {
  std::string policy_name;
  std::string policy_arn;
};

// ---- requests and responses ----

struct CreatePolicyRequest {
  std::string policy_name;
  std::string policy_document;  // JSON
  std::string path;             // default "/"
  std::string description;
  std::vector<Tag> tags;
};
struct CreatePolicyResponse {
  IamPolicy policy;
  std::string request_id;
};

struct GetPolicyRequest {
  std::string policy_arn;
};
struct GetPolicyResponse {
  IamPolicy policy;
  std::string request_id;
};

// One version of a managed policy. `document` is decoded JSON; List omits it (empty).
struct PolicyVersion {
  std::string document;
  std::string version_id;  // "v1", "v2", ...
  bool is_default_version = false;
  std::optional<core::TimePoint> create_date;
};

struct CreatePolicyVersionRequest {
  std::string policy_arn;
  std::string policy_document;  // JSON
  std::optional<bool> set_as_default;
};
struct GetPolicyVersionRequest {
  std::string policy_arn;
  std::string version_id;
};
struct PolicyVersionResponse {
  PolicyVersion policy_version;
  std::string request_id;
};

struct ListPolicyVersionsRequest {
  std::string policy_arn;
  std::string marker;
  std::optional<int64_t> max_items;
};
struct ListPolicyVersionsResponse {
  std::vector<PolicyVersion> versions;
  bool is_truncated = false;
  std::string marker;
  std::string request_id;
};

struct DeletePolicyVersionRequest {
  std::string policy_arn;
  std::string version_id;
};

struct CreateRoleRequest {
  std::string role_name;
  std::string assume_role_policy_document;  // JSON
  std::string path;
  std::string description;
  std::optional<int64_t> max_session_duration;
  std::string permissions_boundary;  // policy ARN
  std::vector<Tag> tags;
};
struct CreateRoleResponse {
  IamRole role;
  std::string request_id;
};

struct GetRoleRequest {
  std::string role_name;
};
struct GetRoleResponse {
  IamRole role;
  std::string request_id;
};

struct UpdateAssumeRolePolicyRequest {
  std::string role_name;
  std::string policy_document;  // JSON
};

struct AttachRolePolicyRequest {
  std::string role_name;
  std::string policy_arn;
};

struct AttachUserPolicyRequest {
  std::string user_name;
  std::string policy_arn;
};

// Responses of operations without output carry only the request id.
struct EmptyResponse {
  std::string request_id;
};

struct ListAttachedRolePoliciesRequest {
  std::string role_name;
  std::string path_prefix;
  std::string marker;
  std::optional<int64_t> max_items;
};
struct ListAttachedUserPoliciesRequest {
  std::string user_name;
  std::string path_prefix;
  std::string marker;
  std::optional<int64_t> max_items;
};
struct ListAttachedPoliciesResponse {
  std::vector<AttachedPolicy> attached_policies;
  bool is_truncated = false;
  std::string marker;
  std::string request_id;
};

struct CreateUserRequest {
  std::string user_name;
  std::string path;
  std::string permissions_boundary;
  std::vector<Tag> tags;
};
struct CreateUserResponse {
  IamUser user;
  std::string request_id;
};

struct GetUserRequest {
  std::string user_name;  // empty: the calling user
};
struct GetUserResponse {
  IamUser user;
  std::string request_id;
};

struct CreateAccessKeyRequest {
  std::string user_name;  // empty: the calling user
};
struct CreateAccessKeyResponse {
  IamAccessKey access_key;
  std::string request_id;
};

struct ListAccessKeysRequest {
  std::string user_name;
  std::string marker;
  std::optional<int64_t> max_items;
};
struct ListAccessKeysResponse {
  std::vector<AccessKeyMetadata> access_key_metadata;
  bool is_truncated = false;
  std::string marker;
  std::string request_id;
};

struct UpdateAccessKeyRequest {
  std::string user_name;
  std::string access_key_id;
  std::string status;  // Active | Inactive
};

struct DeleteAccessKeyRequest {
  std::string user_name;
  std::string access_key_id;
};

struct ContextEntry {
  std::string key_name;
  std::vector<std::string> values;
  std::string type;  // string, stringList, numeric, boolean, date, ip, binary, ...
};

struct SimulatePrincipalPolicyRequest {
  std::string policy_source_arn;
  std::vector<std::string> action_names;
  std::vector<std::string> resource_arns;
  std::vector<std::string> policy_input_list;
  std::vector<std::string> permissions_boundary_policy_input_list;
  std::string resource_policy;
  std::string resource_owner;
  std::string caller_arn;
  std::vector<ContextEntry> context_entries;
  std::string resource_handling_option;
  std::optional<int64_t> max_items;
  std::string marker;
};

struct StatementPosition {
  int64_t line = 0;
  int64_t column = 0;
};

struct MatchedStatement {
  std::string source_policy_id;
  std::string source_policy_type;
  StatementPosition start_position;
  StatementPosition end_position;
};

struct ResourceSpecificResult {
  std::string eval_resource_name;
  std::string eval_resource_decision;
  std::vector<MatchedStatement> matched_statements;
  std::vector<std::string> missing_context_values;
  std::map<std::string, std::string> eval_decision_details;
};

struct EvaluationResult {
  std::string eval_action_name;
  std::string eval_resource_name;
  std::string eval_decision;  // allowed | explicitDeny | implicitDeny
  std::vector<MatchedStatement> matched_statements;
  std::vector<std::string> missing_context_values;
  std::optional<bool> allowed_by_organizations;
  std::optional<bool> allowed_by_permissions_boundary;
  std::map<std::string, std::string> eval_decision_details;
  std::vector<ResourceSpecificResult> resource_specific_results;
};

struct SimulatePrincipalPolicyResponse {
  std::vector<EvaluationResult> evaluation_results;
  bool is_truncated = false;
  std::string marker;
  std::string request_id;
};

class IamClient {
 public:
  static core::Result<IamClient> Create(ClientConfig config);

  Outcome<CreatePolicyResponse> CreatePolicy(const CreatePolicyRequest& request) const;
  Outcome<GetPolicyResponse> GetPolicy(const GetPolicyRequest& request) const;
  Outcome<PolicyVersionResponse> CreatePolicyVersion(
      const CreatePolicyVersionRequest& request) const;
  Outcome<PolicyVersionResponse> GetPolicyVersion(const GetPolicyVersionRequest& request) const;
  Outcome<ListPolicyVersionsResponse> ListPolicyVersions(
      const ListPolicyVersionsRequest& request) const;
  Outcome<EmptyResponse> DeletePolicyVersion(const DeletePolicyVersionRequest& request) const;
  Outcome<CreateRoleResponse> CreateRole(const CreateRoleRequest& request) const;
  Outcome<GetRoleResponse> GetRole(const GetRoleRequest& request) const;
  Outcome<EmptyResponse> UpdateAssumeRolePolicy(const UpdateAssumeRolePolicyRequest& request) const;
  Outcome<EmptyResponse> AttachRolePolicy(const AttachRolePolicyRequest& request) const;
  Outcome<ListAttachedPoliciesResponse> ListAttachedRolePolicies(
      const ListAttachedRolePoliciesRequest& request) const;
  Outcome<CreateUserResponse> CreateUser(const CreateUserRequest& request) const;
  Outcome<GetUserResponse> GetUser(const GetUserRequest& request) const;
  Outcome<EmptyResponse> AttachUserPolicy(const AttachUserPolicyRequest& request) const;
  Outcome<ListAttachedPoliciesResponse> ListAttachedUserPolicies(
      const ListAttachedUserPoliciesRequest& request) const;
  Outcome<CreateAccessKeyResponse> CreateAccessKey(const CreateAccessKeyRequest& request) const;
  Outcome<ListAccessKeysResponse> ListAccessKeys(const ListAccessKeysRequest& request) const;
  Outcome<EmptyResponse> UpdateAccessKey(const UpdateAccessKeyRequest& request) const;
  Outcome<EmptyResponse> DeleteAccessKey(const DeleteAccessKeyRequest& request) const;
  Outcome<SimulatePrincipalPolicyResponse> SimulatePrincipalPolicy(
      const SimulatePrincipalPolicyRequest& request) const;

  const ServiceClient& service_client() const { return client_; }

 private:
  explicit IamClient(ServiceClient client) : client_(std::move(client)) {}
  ServiceClient client_;
};

// Decodes a URL-encoded IAM policy document; returns the input unchanged when it does not decode
// (as the AWS CLI does).
std::string DecodePolicyDocument(std::string_view encoded);

}  // namespace cpa::awsapi
