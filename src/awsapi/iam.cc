#include "awsapi/iam.h"

#include "awsapi/query_codec.h"
#include "core/encoding.h"

namespace cpa::awsapi {
namespace {

using query::Params;
using query::XmlReader;

constexpr std::string_view kVersion = "2010-05-08";

std::optional<PermissionsBoundary> ReadBoundary(const XmlReader& r) {
  if (!r.Has("PermissionsBoundary")) return std::nullopt;
  XmlReader b = r.Child("PermissionsBoundary");
  return PermissionsBoundary{b.Str("PermissionsBoundaryType"), b.Str("PermissionsBoundaryArn")};
}

IamPolicy ReadPolicy(const XmlReader& r) {
  IamPolicy p;
  p.policy_name = r.Str("PolicyName");
  p.policy_id = r.Str("PolicyId");
  p.arn = r.Str("Arn");
  p.path = r.Str("Path");
  p.default_version_id = r.Str("DefaultVersionId");
  p.attachment_count = r.Int("AttachmentCount");
  p.permissions_boundary_usage_count = r.Int("PermissionsBoundaryUsageCount");
  p.is_attachable = r.Bool("IsAttachable");
  p.description = r.Str("Description");
  p.create_date = r.Time("CreateDate");
  p.update_date = r.Time("UpdateDate");
  p.tags = r.Tags("Tags");
  return p;
}

PolicyVersion ReadPolicyVersion(const XmlReader& r) {
  PolicyVersion v;
  v.document = DecodePolicyDocument(r.Str("Document"));
  v.version_id = r.Str("VersionId");
  v.is_default_version = r.Bool("IsDefaultVersion").value_or(false);
  v.create_date = r.Time("CreateDate");
  return v;
}

IamRole ReadRole(const XmlReader& r) {
  IamRole role;
  role.path = r.Str("Path");
  role.role_name = r.Str("RoleName");
  role.role_id = r.Str("RoleId");
  role.arn = r.Str("Arn");
  role.create_date = r.Time("CreateDate");
  role.assume_role_policy_document = DecodePolicyDocument(r.Str("AssumeRolePolicyDocument"));
  role.description = r.Str("Description");
  role.max_session_duration = r.Int("MaxSessionDuration");
  role.permissions_boundary = ReadBoundary(r);
  role.tags = r.Tags("Tags");
  XmlReader used = r.Child("RoleLastUsed");
  role.role_last_used.last_used_date = used.Time("LastUsedDate");
  role.role_last_used.region = used.Str("Region");
  return role;
}

IamUser ReadUser(const XmlReader& r) {
  IamUser user;
  user.path = r.Str("Path");
  user.user_name = r.Str("UserName");
  user.user_id = r.Str("UserId");
  user.arn = r.Str("Arn");
  user.create_date = r.Time("CreateDate");
  user.password_last_used = r.Time("PasswordLastUsed");
  user.permissions_boundary = ReadBoundary(r);
  user.tags = r.Tags("Tags");
  return user;
}

void ReadAttachedPolicies(const XmlReader& r, ListAttachedPoliciesResponse& out) {
  for (const XmlReader& m : r.List("AttachedPolicies")) {
    out.attached_policies.push_back({m.Str("PolicyName"), m.Str("PolicyArn")});
  }
  out.is_truncated = r.Bool("IsTruncated").value_or(false);
  out.marker = r.Str("Marker");
}

StatementPosition ReadPosition(const XmlReader& r) {
  return {r.Int("Line").value_or(0), r.Int("Column").value_or(0)};
}

std::vector<MatchedStatement> ReadMatchedStatements(const XmlReader& r) {
  std::vector<MatchedStatement> out;
  for (const XmlReader& m : r.List("MatchedStatements")) {
    out.push_back({m.Str("SourcePolicyId"), m.Str("SourcePolicyType"),
                   ReadPosition(m.Child("StartPosition")), ReadPosition(m.Child("EndPosition"))});
  }
  return out;
}

EvaluationResult ReadEvaluationResult(const XmlReader& r) {
  EvaluationResult e;
  e.eval_action_name = r.Str("EvalActionName");
  e.eval_resource_name = r.Str("EvalResourceName");
  e.eval_decision = r.Str("EvalDecision");
  e.matched_statements = ReadMatchedStatements(r);
  e.missing_context_values = r.StrList("MissingContextValues");
  e.allowed_by_organizations =
      r.Child("OrganizationsDecisionDetail").Bool("AllowedByOrganizations");
  e.allowed_by_permissions_boundary =
      r.Child("PermissionsBoundaryDecisionDetail").Bool("AllowedByPermissionsBoundary");
  e.eval_decision_details = r.Map("EvalDecisionDetails");
  for (const XmlReader& m : r.List("ResourceSpecificResults")) {
    ResourceSpecificResult rs;
    rs.eval_resource_name = m.Str("EvalResourceName");
    rs.eval_resource_decision = m.Str("EvalResourceDecision");
    rs.matched_statements = ReadMatchedStatements(m);
    rs.missing_context_values = m.StrList("MissingContextValues");
    rs.eval_decision_details = m.Map("EvalDecisionDetails");
    e.resource_specific_results.push_back(std::move(rs));
  }
  return e;
}

auto NoOutput = [](const XmlReader&, EmptyResponse&) {};

}  // namespace

std::string DecodePolicyDocument(std::string_view encoded) {
  std::string_view trimmed = core::TrimAsciiWhitespace(encoded);
  if (trimmed.starts_with('{')) return std::string(encoded);  // already plain JSON
  auto decoded = core::UriDecode(encoded);
  return decoded.ok() ? std::move(decoded).value() : std::string(encoded);
}

core::Result<IamClient> IamClient::Create(ClientConfig config) {
  CPA_ASSIGN_OR_RETURN(ServiceClient client,
                       ServiceClient::Create(Service::kIam, std::move(config)));
  return IamClient(std::move(client));
}

Outcome<CreatePolicyResponse> IamClient::CreatePolicy(const CreatePolicyRequest& request) const {
  Params p("CreatePolicy", kVersion);
  p.Add("PolicyName", request.policy_name);
  p.Add("PolicyDocument", request.policy_document);
  p.AddOptional("Path", request.path);
  p.AddOptional("Description", request.description);
  p.AddTags("Tags", request.tags);
  return query::Call<CreatePolicyResponse>(client_, "CreatePolicy", p, true,
                                           [](const XmlReader& r, CreatePolicyResponse& out) {
                                             out.policy = ReadPolicy(r.Child("Policy"));
                                           });
}

Outcome<GetPolicyResponse> IamClient::GetPolicy(const GetPolicyRequest& request) const {
  Params p("GetPolicy", kVersion);
  p.Add("PolicyArn", request.policy_arn);
  return query::Call<GetPolicyResponse>(client_, "GetPolicy", p, true,
                                        [](const XmlReader& r, GetPolicyResponse& out) {
                                          out.policy = ReadPolicy(r.Child("Policy"));
                                        });
}

Outcome<PolicyVersionResponse> IamClient::CreatePolicyVersion(
    const CreatePolicyVersionRequest& request) const {
  Params p("CreatePolicyVersion", kVersion);
  p.Add("PolicyArn", request.policy_arn);
  p.Add("PolicyDocument", request.policy_document);
  p.AddOptional("SetAsDefault", request.set_as_default);
  return query::Call<PolicyVersionResponse>(
      client_, "CreatePolicyVersion", p, true, [](const XmlReader& r, PolicyVersionResponse& out) {
        out.policy_version = ReadPolicyVersion(r.Child("PolicyVersion"));
      });
}

Outcome<PolicyVersionResponse> IamClient::GetPolicyVersion(
    const GetPolicyVersionRequest& request) const {
  Params p("GetPolicyVersion", kVersion);
  p.Add("PolicyArn", request.policy_arn);
  p.Add("VersionId", request.version_id);
  return query::Call<PolicyVersionResponse>(
      client_, "GetPolicyVersion", p, true, [](const XmlReader& r, PolicyVersionResponse& out) {
        out.policy_version = ReadPolicyVersion(r.Child("PolicyVersion"));
      });
}

Outcome<ListPolicyVersionsResponse> IamClient::ListPolicyVersions(
    const ListPolicyVersionsRequest& request) const {
  Params p("ListPolicyVersions", kVersion);
  p.Add("PolicyArn", request.policy_arn);
  p.AddOptional("Marker", request.marker);
  p.AddOptional("MaxItems", request.max_items);
  return query::Call<ListPolicyVersionsResponse>(
      client_, "ListPolicyVersions", p, true,
      [](const XmlReader& r, ListPolicyVersionsResponse& out) {
        for (const XmlReader& m : r.List("Versions")) out.versions.push_back(ReadPolicyVersion(m));
        out.is_truncated = r.Bool("IsTruncated").value_or(false);
        out.marker = r.Str("Marker");
      });
}

Outcome<EmptyResponse> IamClient::DeletePolicyVersion(
    const DeletePolicyVersionRequest& request) const {
  Params p("DeletePolicyVersion", kVersion);
  p.Add("PolicyArn", request.policy_arn);
  p.Add("VersionId", request.version_id);
  return query::Call<EmptyResponse>(client_, "DeletePolicyVersion", p, false, NoOutput);
}

Outcome<CreateRoleResponse> IamClient::CreateRole(const CreateRoleRequest& request) const {
  Params p("CreateRole", kVersion);
  p.Add("RoleName", request.role_name);
  p.Add("AssumeRolePolicyDocument", request.assume_role_policy_document);
  p.AddOptional("Path", request.path);
  p.AddOptional("Description", request.description);
  p.AddOptional("MaxSessionDuration", request.max_session_duration);
  p.AddOptional("PermissionsBoundary", request.permissions_boundary);
  p.AddTags("Tags", request.tags);
  return query::Call<CreateRoleResponse>(
      client_, "CreateRole", p, true,
      [](const XmlReader& r, CreateRoleResponse& out) { out.role = ReadRole(r.Child("Role")); });
}

Outcome<GetRoleResponse> IamClient::GetRole(const GetRoleRequest& request) const {
  Params p("GetRole", kVersion);
  p.Add("RoleName", request.role_name);
  return query::Call<GetRoleResponse>(
      client_, "GetRole", p, true,
      [](const XmlReader& r, GetRoleResponse& out) { out.role = ReadRole(r.Child("Role")); });
}

Outcome<EmptyResponse> IamClient::UpdateAssumeRolePolicy(
    const UpdateAssumeRolePolicyRequest& request) const {
  Params p("UpdateAssumeRolePolicy", kVersion);
  p.Add("RoleName", request.role_name);
  p.Add("PolicyDocument", request.policy_document);
  return query::Call<EmptyResponse>(client_, "UpdateAssumeRolePolicy", p, false, NoOutput);
}

Outcome<EmptyResponse> IamClient::AttachRolePolicy(const AttachRolePolicyRequest& request) const {
  Params p("AttachRolePolicy", kVersion);
  p.Add("RoleName", request.role_name);
  p.Add("PolicyArn", request.policy_arn);
  return query::Call<EmptyResponse>(client_, "AttachRolePolicy", p, false, NoOutput);
}

Outcome<ListAttachedPoliciesResponse> IamClient::ListAttachedRolePolicies(
    const ListAttachedRolePoliciesRequest& request) const {
  Params p("ListAttachedRolePolicies", kVersion);
  p.Add("RoleName", request.role_name);
  p.AddOptional("PathPrefix", request.path_prefix);
  p.AddOptional("Marker", request.marker);
  p.AddOptional("MaxItems", request.max_items);
  return query::Call<ListAttachedPoliciesResponse>(client_, "ListAttachedRolePolicies", p, true,
                                                   ReadAttachedPolicies);
}

Outcome<CreateUserResponse> IamClient::CreateUser(const CreateUserRequest& request) const {
  Params p("CreateUser", kVersion);
  p.Add("UserName", request.user_name);
  p.AddOptional("Path", request.path);
  p.AddOptional("PermissionsBoundary", request.permissions_boundary);
  p.AddTags("Tags", request.tags);
  return query::Call<CreateUserResponse>(
      client_, "CreateUser", p, true,
      [](const XmlReader& r, CreateUserResponse& out) { out.user = ReadUser(r.Child("User")); });
}

Outcome<GetUserResponse> IamClient::GetUser(const GetUserRequest& request) const {
  Params p("GetUser", kVersion);
  p.AddOptional("UserName", request.user_name);
  return query::Call<GetUserResponse>(
      client_, "GetUser", p, true,
      [](const XmlReader& r, GetUserResponse& out) { out.user = ReadUser(r.Child("User")); });
}

Outcome<EmptyResponse> IamClient::AttachUserPolicy(const AttachUserPolicyRequest& request) const {
  Params p("AttachUserPolicy", kVersion);
  p.Add("UserName", request.user_name);
  p.Add("PolicyArn", request.policy_arn);
  return query::Call<EmptyResponse>(client_, "AttachUserPolicy", p, false, NoOutput);
}

Outcome<ListAttachedPoliciesResponse> IamClient::ListAttachedUserPolicies(
    const ListAttachedUserPoliciesRequest& request) const {
  Params p("ListAttachedUserPolicies", kVersion);
  p.Add("UserName", request.user_name);
  p.AddOptional("PathPrefix", request.path_prefix);
  p.AddOptional("Marker", request.marker);
  p.AddOptional("MaxItems", request.max_items);
  return query::Call<ListAttachedPoliciesResponse>(client_, "ListAttachedUserPolicies", p, true,
                                                   ReadAttachedPolicies);
}

Outcome<CreateAccessKeyResponse> IamClient::CreateAccessKey(
    const CreateAccessKeyRequest& request) const {
  Params p("CreateAccessKey", kVersion);
  p.AddOptional("UserName", request.user_name);
  return query::Call<CreateAccessKeyResponse>(
      client_, "CreateAccessKey", p, true, [](const XmlReader& r, CreateAccessKeyResponse& out) {
        XmlReader k = r.Child("AccessKey");
        out.access_key.user_name = k.Str("UserName");
        out.access_key.access_key_id = k.Str("AccessKeyId");
        out.access_key.status = k.Str("Status");
        out.access_key.secret_access_key = k.Str("SecretAccessKey");
        out.access_key.create_date = k.Time("CreateDate");
      });
}

Outcome<ListAccessKeysResponse> IamClient::ListAccessKeys(
    const ListAccessKeysRequest& request) const {
  Params p("ListAccessKeys", kVersion);
  p.AddOptional("UserName", request.user_name);
  p.AddOptional("Marker", request.marker);
  p.AddOptional("MaxItems", request.max_items);
  return query::Call<ListAccessKeysResponse>(
      client_, "ListAccessKeys", p, true, [](const XmlReader& r, ListAccessKeysResponse& out) {
        for (const XmlReader& m : r.List("AccessKeyMetadata")) {
          out.access_key_metadata.push_back(
              {m.Str("UserName"), m.Str("AccessKeyId"), m.Str("Status"), m.Time("CreateDate")});
        }
        out.is_truncated = r.Bool("IsTruncated").value_or(false);
        out.marker = r.Str("Marker");
      });
}

Outcome<EmptyResponse> IamClient::UpdateAccessKey(const UpdateAccessKeyRequest& request) const {
  Params p("UpdateAccessKey", kVersion);
  p.AddOptional("UserName", request.user_name);
  p.Add("AccessKeyId", request.access_key_id);
  p.Add("Status", request.status);
  return query::Call<EmptyResponse>(client_, "UpdateAccessKey", p, false, NoOutput);
}

Outcome<EmptyResponse> IamClient::DeleteAccessKey(const DeleteAccessKeyRequest& request) const {
  Params p("DeleteAccessKey", kVersion);
  p.AddOptional("UserName", request.user_name);
  p.Add("AccessKeyId", request.access_key_id);
  return query::Call<EmptyResponse>(client_, "DeleteAccessKey", p, false, NoOutput);
}

Outcome<SimulatePrincipalPolicyResponse> IamClient::SimulatePrincipalPolicy(
    const SimulatePrincipalPolicyRequest& request) const {
  Params p("SimulatePrincipalPolicy", kVersion);
  p.Add("PolicySourceArn", request.policy_source_arn);
  p.AddList("PolicyInputList", request.policy_input_list);
  p.AddList("PermissionsBoundaryPolicyInputList", request.permissions_boundary_policy_input_list);
  p.AddList("ActionNames", request.action_names);
  p.AddList("ResourceArns", request.resource_arns);
  p.AddOptional("ResourcePolicy", request.resource_policy);
  p.AddOptional("ResourceOwner", request.resource_owner);
  p.AddOptional("CallerArn", request.caller_arn);
  for (size_t i = 0; i < request.context_entries.size(); ++i) {
    const ContextEntry& e = request.context_entries[i];
    std::string prefix = "ContextEntries.member." + std::to_string(i + 1);
    p.Add(prefix + ".ContextKeyName", e.key_name);
    p.AddList(prefix + ".ContextKeyValues", e.values);
    p.Add(prefix + ".ContextKeyType", e.type);
  }
  p.AddOptional("ResourceHandlingOption", request.resource_handling_option);
  p.AddOptional("MaxItems", request.max_items);
  p.AddOptional("Marker", request.marker);
  return query::Call<SimulatePrincipalPolicyResponse>(
      client_, "SimulatePrincipalPolicy", p, true,
      [](const XmlReader& r, SimulatePrincipalPolicyResponse& out) {
        for (const XmlReader& m : r.List("EvaluationResults")) {
          out.evaluation_results.push_back(ReadEvaluationResult(m));
        }
        out.is_truncated = r.Bool("IsTruncated").value_or(false);
        out.marker = r.Str("Marker");
      });
}

}  // namespace cpa::awsapi
