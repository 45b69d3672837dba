#include "share/aws_backend.h"

#include "awsapi/ecr.h"
#include "awsapi/eks.h"
#include "awsapi/iam.h"
#include "awsapi/sts.h"

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

// nullopt for a missing entity (NoSuchEntity), the value, or the error.
template <typename T, typename U, typename F>
Result<std::optional<T>> Optional(const awsapi::Outcome<U>& outcome, F&& take) {
  if (outcome.ok()) return std::optional<T>(take(*outcome));
  if (outcome.status().code() == ErrorCode::kNotFound) return std::optional<T>();
  return outcome.status();
}

Status StatusOf(const awsapi::Outcome<awsapi::EmptyResponse>& outcome) {
  return outcome.ok() ? Status::Ok() : outcome.status();
}

SubscriptionInfo SubscriptionOf(const awsapi::EksAnywhereSubscription& s) {
  return {s.id, s.status, s.package_registry};
}

class AwsAccountApi final : public AccountApi {
 public:
  AwsAccountApi(awsapi::StsClient sts, awsapi::IamClient iam, awsapi::EksClient eks)
      : sts_(std::move(sts)), iam_(std::move(iam)), eks_(std::move(eks)) {}

  Result<CallerIdentity> GetCallerIdentity() override {
    auto who = sts_.GetCallerIdentity();
    if (!who.ok()) return who.status();
    return CallerIdentity{who->account, who->arn, who->user_id};
  }

  Result<std::optional<PolicyInfo>> GetPolicy(const std::string& arn) override {
    return Optional<PolicyInfo>(iam_.GetPolicy({arn}), [](const awsapi::GetPolicyResponse& r) {
      return PolicyInfo{r.policy.arn, r.policy.default_version_id};
    });
  }

  Result<std::string> GetPolicyVersionDocument(const std::string& arn,
                                               const std::string& version_id) override {
    auto out = iam_.GetPolicyVersion({arn, version_id});
    if (!out.ok()) return out.status();
    return out->policy_version.document;
  }

  Result<std::vector<PolicyVersionInfo>> ListPolicyVersions(const std::string& arn) override {
    std::vector<PolicyVersionInfo> versions;
    awsapi::ListPolicyVersionsRequest request;
    request.policy_arn = arn;
    while (true) {
      auto page = iam_.ListPolicyVersions(request);
      if (!page.ok()) return page.status();
      for (const auto& v : page->versions) {
        versions.push_back({v.version_id, v.is_default_version, v.create_date});
      }
      if (!page->is_truncated || page->marker.empty()) return versions;
      request.marker = page->marker;
    }
  }

  Result<PolicyInfo> CreatePolicy(const std::string& name, const std::string& document,
                                  const std::string& description) override {
    awsapi::CreatePolicyRequest request;
    request.policy_name = name;
    request.policy_document = document;
    request.description = description;
    auto out = iam_.CreatePolicy(request);
    if (!out.ok()) return out.status();
    return PolicyInfo{out->policy.arn, out->policy.default_version_id};
  }

  Result<std::string> CreatePolicyVersion(const std::string& arn,
                                          const std::string& document) override {
    auto out = iam_.CreatePolicyVersion({arn, document, true});
    if (!out.ok()) return out.status();
    return out->policy_version.version_id;
  }

  Status DeletePolicyVersion(const std::string& arn, const std::string& version_id) override {
    return StatusOf(iam_.DeletePolicyVersion({arn, version_id}));
  }

  Result<std::optional<Role>> GetRole(const std::string& name) override {
    return Optional<Role>(iam_.GetRole({name}), [](const awsapi::GetRoleResponse& r) {
      return Role{r.role.arn, r.role.assume_role_policy_document};
    });
  }

  Result<Role> CreateRole(const std::string& name, const std::string& trust_document,
                          const std::string& description) override {
    awsapi::CreateRoleRequest request;
    request.role_name = name;
    request.assume_role_policy_document = trust_document;
    request.description = description;
    auto out = iam_.CreateRole(request);
    if (!out.ok()) return out.status();
    return Role{out->role.arn, out->role.assume_role_policy_document};
  }

  Status UpdateAssumeRolePolicy(const std::string& name, const std::string& document) override {
    return StatusOf(iam_.UpdateAssumeRolePolicy({name, document}));
  }

  Result<std::vector<std::string>> ListAttachedRolePolicies(const std::string& name) override {
    std::vector<std::string> arns;
    awsapi::ListAttachedRolePoliciesRequest request;
    request.role_name = name;
    while (true) {
      auto page = iam_.ListAttachedRolePolicies(request);
      if (!page.ok()) return page.status();
      for (const auto& p : page->attached_policies) arns.push_back(p.policy_arn);
      if (!page->is_truncated || page->marker.empty()) return arns;
      request.marker = page->marker;
    }
  }

  Status AttachRolePolicy(const std::string& name, const std::string& arn) override {
    return StatusOf(iam_.AttachRolePolicy({name, arn}));
  }

  Result<std::optional<std::string>> GetUserArn(const std::string& name) override {
    return Optional<std::string>(iam_.GetUser({name}),
                                 [](const awsapi::GetUserResponse& r) { return r.user.arn; });
  }

  Result<std::string> CreateUser(const std::string& name) override {
    awsapi::CreateUserRequest request;
    request.user_name = name;
    auto out = iam_.CreateUser(request);
    if (!out.ok()) return out.status();
    return out->user.arn;
  }

  Result<std::vector<std::string>> ListAttachedUserPolicies(const std::string& name) override {
    std::vector<std::string> arns;
    awsapi::ListAttachedUserPoliciesRequest request;
    request.user_name = name;
    while (true) {
      auto page = iam_.ListAttachedUserPolicies(request);
      if (!page.ok()) return page.status();
      for (const auto& p : page->attached_policies) arns.push_back(p.policy_arn);
      if (!page->is_truncated || page->marker.empty()) return arns;
      request.marker = page->marker;
    }
  }

  Status AttachUserPolicy(const std::string& name, const std::string& arn) override {
    return StatusOf(iam_.AttachUserPolicy({name, arn}));
  }

  Result<std::vector<AccessKeyInfo>> ListAccessKeys(const std::string& user) override {
    std::vector<AccessKeyInfo> keys;
    awsapi::ListAccessKeysRequest request;
    request.user_name = user;
    while (true) {
      auto page = iam_.ListAccessKeys(request);
      if (!page.ok()) return page.status();
      for (const auto& k : page->access_key_metadata) {
        keys.push_back({k.access_key_id, k.status, k.create_date});
      }
      if (!page->is_truncated || page->marker.empty()) return keys;
      request.marker = page->marker;
    }
  }

  Result<NewAccessKey> CreateAccessKey(const std::string& user) override {
    auto out = iam_.CreateAccessKey({user});
    if (!out.ok()) return out.status();
    return NewAccessKey{out->access_key.access_key_id, out->access_key.secret_access_key};
  }

  Status UpdateAccessKey(const std::string& user, const std::string& key_id,
                         const std::string& status) override {
    return StatusOf(iam_.UpdateAccessKey({user, key_id, status}));
  }

  Status DeleteAccessKey(const std::string& user, const std::string& key_id) override {
    return StatusOf(iam_.DeleteAccessKey({user, key_id}));
  }

  Result<SubscriptionInfo> DescribeSubscription(const std::string& id) override {
    auto out = eks_.DescribeEksAnywhereSubscription({id});
    if (!out.ok()) return out.status();
    return SubscriptionOf(out->subscription);
  }

  Result<std::vector<SubscriptionInfo>> ListSubscriptions() override {
    std::vector<SubscriptionInfo> subs;
    awsapi::ListEksAnywhereSubscriptionsRequest request;
    while (true) {
      auto page = eks_.ListEksAnywhereSubscriptions(request);
      if (!page.ok()) return page.status();
      for (const auto& s : page->subscriptions) subs.push_back(SubscriptionOf(s));
      if (page->next_token.empty()) return subs;
      request.next_token = page->next_token;
    }
  }

 private:
  awsapi::StsClient sts_;
  awsapi::IamClient iam_;
  awsapi::EksClient eks_;
};

class AwsChainProbe final : public ChainProbe {
 public:
  explicit AwsChainProbe(awsapi::ClientConfig base) : base_(std::move(base)) {}

  Result<CallerIdentity> GetCallerIdentity(const KeyCredentials& key) override {
    CPA_ASSIGN_OR_RETURN(awsapi::StsClient sts, awsapi::StsClient::Create(ConfigFor(key)));
    auto who = sts.GetCallerIdentity();
    if (!who.ok()) return who.status();
    return CallerIdentity{who->account, who->arn, who->user_id};
  }

  Result<AssumedRole> AssumeRole(const KeyCredentials& key, const std::string& role_arn,
                                 const std::string& session_name) override {
    CPA_ASSIGN_OR_RETURN(awsapi::StsClient sts, awsapi::StsClient::Create(ConfigFor(key)));
    awsapi::AssumeRoleRequest request;
    request.role_arn = role_arn;
    request.role_session_name = session_name;
    auto out = sts.AssumeRole(request);
    if (!out.ok()) return out.status();
    const awsapi::StsCredentials& c = out->credentials;
    return AssumedRole{{c.access_key_id, c.secret_access_key, c.session_token},
                       out->assumed_role_user.arn};
  }

  Result<EcrLogin> GetAuthorizationToken(const KeyCredentials& key) override {
    CPA_ASSIGN_OR_RETURN(awsapi::EcrClient ecr, awsapi::EcrClient::Create(ConfigFor(key)));
    auto out = ecr.GetAuthorizationToken();
    if (!out.ok()) {
      // An endpoint that serves IAM and STS but not (yet) ECR answers this way.
      if (out.aws_code() == "UnknownOperationException") {
        return EcrLogin{true, "",
                        "the endpoint does not serve ECR (UnknownOperationException): the ECR "
                        "token step was skipped"};
      }
      return out.status();
    }
    if (out->authorization_data.empty()) {
      return Status(ErrorCode::kInternal, "ecr:GetAuthorizationToken returned no token");
    }
    return EcrLogin{false, out->authorization_data[0].proxy_endpoint, ""};
  }

 private:
  awsapi::ClientConfig ConfigFor(const KeyCredentials& key) const {
    awsapi::ClientConfig config = base_;
    config.credentials =
        awsapi::MakeStaticCredentials(key.access_key_id, key.secret_access_key, key.session_token);
    return config;
  }

  awsapi::ClientConfig base_;
};

}  // namespace

Result<std::unique_ptr<AccountApi>> MakeAwsAccountApi(const awsapi::ClientConfig& config) {
  CPA_ASSIGN_OR_RETURN(awsapi::StsClient sts, awsapi::StsClient::Create(config));
  CPA_ASSIGN_OR_RETURN(awsapi::IamClient iam, awsapi::IamClient::Create(config));
  CPA_ASSIGN_OR_RETURN(awsapi::EksClient eks, awsapi::EksClient::Create(config));
  return std::unique_ptr<AccountApi>(
      std::make_unique<AwsAccountApi>(std::move(sts), std::move(iam), std::move(eks)));
}

std::unique_ptr<ChainProbe> MakeAwsChainProbe(awsapi::ClientConfig base) {
  return std::make_unique<AwsChainProbe>(std::move(base));
}

}  // namespace cpa::share
