#include "awsapi/sts.h"

#include "awsapi/query_codec.h"

namespace cpa::awsapi {
namespace {

constexpr std::string_view kVersion = "2011-06-15";

void ReadCredentials(const query::XmlReader& r, StsCredentials& out) {
  out.access_key_id = r.Str("AccessKeyId");
  out.secret_access_key = r.Str("SecretAccessKey");
  out.session_token = r.Str("SessionToken");
  out.expiration = r.Time("Expiration").value_or(core::TimePoint{});
}

void ReadAssumedRoleUser(const query::XmlReader& r, AssumedRoleUser& out) {
  out.assumed_role_id = r.Str("AssumedRoleId");
  out.arn = r.Str("Arn");
}

}  // namespace

core::Result<StsClient> StsClient::Create(ClientConfig config) {
  CPA_ASSIGN_OR_RETURN(ServiceClient client,
                       ServiceClient::Create(Service::kSts, std::move(config)));
  return StsClient(std::move(client));
}

Outcome<AssumeRoleResponse> StsClient::AssumeRole(const AssumeRoleRequest& request) const {
  query::Params p("AssumeRole", kVersion);
  p.Add("RoleArn", request.role_arn);
  p.Add("RoleSessionName", request.role_session_name);
  p.AddOptional("DurationSeconds", request.duration_seconds);
  p.AddOptional("ExternalId", request.external_id);
  p.AddOptional("Policy", request.policy);
  for (size_t i = 0; i < request.policy_arns.size(); ++i) {
    p.Add("PolicyArns.member." + std::to_string(i + 1) + ".arn", request.policy_arns[i]);
  }
  p.AddTags("Tags", request.tags);
  p.AddList("TransitiveTagKeys", request.transitive_tag_keys);
  p.AddOptional("SerialNumber", request.serial_number);
  p.AddOptional("TokenCode", request.token_code);
  p.AddOptional("SourceIdentity", request.source_identity);
  return query::Call<AssumeRoleResponse>(
      client_, "AssumeRole", p, true, [](const query::XmlReader& r, AssumeRoleResponse& out) {
        ReadCredentials(r.Child("Credentials"), out.credentials);
        ReadAssumedRoleUser(r.Child("AssumedRoleUser"), out.assumed_role_user);
        out.packed_policy_size = r.Int("PackedPolicySize");
        out.source_identity = r.Str("SourceIdentity");
      });
}

Outcome<AssumeRoleWithWebIdentityResponse> StsClient::AssumeRoleWithWebIdentity(
    const AssumeRoleWithWebIdentityRequest& request) const {
  query::Params p("AssumeRoleWithWebIdentity", kVersion);
  p.Add("RoleArn", request.role_arn);
  p.Add("RoleSessionName", request.role_session_name);
  p.Add("WebIdentityToken", request.web_identity_token);
  p.AddOptional("ProviderId", request.provider_id);
  for (size_t i = 0; i < request.policy_arns.size(); ++i) {
    p.Add("PolicyArns.member." + std::to_string(i + 1) + ".arn", request.policy_arns[i]);
  }
  p.AddOptional("Policy", request.policy);
  p.AddOptional("DurationSeconds", request.duration_seconds);
  return query::Call<AssumeRoleWithWebIdentityResponse>(
      client_, "AssumeRoleWithWebIdentity", p, true,
      [](const query::XmlReader& r, AssumeRoleWithWebIdentityResponse& out) {
        ReadCredentials(r.Child("Credentials"), out.credentials);
        out.subject_from_web_identity_token = r.Str("SubjectFromWebIdentityToken");
        ReadAssumedRoleUser(r.Child("AssumedRoleUser"), out.assumed_role_user);
        out.packed_policy_size = r.Int("PackedPolicySize");
        out.provider = r.Str("Provider");
        out.audience = r.Str("Audience");
        out.source_identity = r.Str("SourceIdentity");
      },
      /*sign=*/false);
}

Outcome<GetCallerIdentityResponse> StsClient::GetCallerIdentity() const {
  query::Params p("GetCallerIdentity", kVersion);
  return query::Call<GetCallerIdentityResponse>(
      client_, "GetCallerIdentity", p, true,
      [](const query::XmlReader& r, GetCallerIdentityResponse& out) {
        out.user_id = r.Str("UserId");
        out.account = r.Str("Account");
        out.arn = r.Str("Arn");
      });
}

}  // namespace cpa::awsapi
