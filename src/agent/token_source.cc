#include "agent/token_source.h"

#include <atomic>

#include "agent/aws_inputs.h"
#include "awsapi/ecr.h"

namespace cpa::agent {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

// The name under which the in-memory credentials file is "read": it does not exist.
constexpr std::string_view kNoCredentialsFile = "(no shared credentials file)";

}  // namespace

std::string_view FailureCauseName(FailureCause cause) {
  switch (cause) {
    case FailureCause::kAccessDenied:
      return "access_denied";
    case FailureCause::kInvalidCredentials:
      return "invalid_credentials";
    case FailureCause::kNetwork:
      return "network";
    case FailureCause::kConfig:
      return "config";
    case FailureCause::kService:
      return "service";
    case FailureCause::kOutput:
      return "output";
  }
  return "service";
}

FailureCause ClassifyFailure(const Status& status, bool no_http_answer) {
  if (no_http_answer) return FailureCause::kNetwork;
  switch (status.code()) {
    case ErrorCode::kAccessDenied:
      return FailureCause::kAccessDenied;
    case ErrorCode::kInvalidClientTokenId:
    case ErrorCode::kSignatureDoesNotMatch:
    case ErrorCode::kExpiredToken:
    case ErrorCode::kIncompleteSignature:
    case ErrorCode::kMissingAuthenticationToken:
    case ErrorCode::kRequestExpired:
      return FailureCause::kInvalidCredentials;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMissingParameter:
    case ErrorCode::kNotFound:
    case ErrorCode::kValidationError:
    case ErrorCode::kMalformedArn:
    case ErrorCode::kMalformedPolicyDocument:
      return FailureCause::kConfig;
    default:
      return FailureCause::kService;
  }
}

// Remembers whether the last exchange got no HTTP answer, to tell network failures apart.
class AwsTokenSource::ProbeTransport final : public awsapi::HttpTransport {
 public:
  explicit ProbeTransport(std::shared_ptr<awsapi::HttpTransport> inner)
      : inner_(std::move(inner)) {}
  Result<awsapi::HttpResponse> Send(const awsapi::HttpRequest& request) override {
    auto response = inner_->Send(request);
    failed_ = !response.ok();
    return response;
  }
  void Reset() { failed_ = false; }
  bool last_failed() const { return failed_; }

 private:
  std::shared_ptr<awsapi::HttpTransport> inner_;
  std::atomic<bool> failed_{false};
};

AwsTokenSource::AwsTokenSource(awsapi::SharedConfig shared, profile::Environment env,
                               AwsTokenSourceOptions options)
    : shared_(std::move(shared)), env_(std::move(env)), options_(std::move(options)) {
  probe_ = std::make_shared<ProbeTransport>(options_.transport ? options_.transport
                                                               : awsapi::DefaultTransport());
}

AwsTokenSource::~AwsTokenSource() = default;

Result<std::shared_ptr<awsapi::ProfileCredentialsProvider>> AwsTokenSource::ProviderFor(
    const TokenRequest& request) {
  auto key = std::make_pair(request.profile.value_or(""), request.region);
  if (auto it = providers_.find(key); it != providers_.end()) return it->second;
  awsapi::ProfileProviderOptions options;
  options.profile = request.profile;
  options.region = request.region;
  options.transport = probe_;
  options.clock = options_.clock;
  options.random = options_.random;
  options.sleep = options_.sleep;
  CPA_ASSIGN_OR_RETURN(auto provider,
                       awsapi::ProfileCredentialsProvider::Create(shared_, env_, options));
  providers_.emplace(key, provider);
  return provider;
}

FetchOutcome AwsTokenSource::Fetch(const TokenRequest& request) {
  probe_->Reset();
  auto fail = [&](Status status, std::optional<FailureCause> cause = std::nullopt) {
    FetchOutcome out;
    out.cause = cause ? *cause : ClassifyFailure(status, probe_->last_failed());
    out.status = std::move(status);
    return out;
  };
  auto provider = ProviderFor(request);
  if (!provider.ok()) return fail(provider.status(), FailureCause::kConfig);

  awsapi::ClientConfig config;
  config.region = request.region;
  config.endpoints = awsapi::EndpointOverridesFor(shared_.files, env_, (*provider)->profile_name());
  config.credentials = *provider;
  config.transport = probe_;
  config.clock = options_.clock;
  config.random = options_.random;
  config.sleep = options_.sleep;
  config.user_agent = options_.user_agent;
  auto ecr = awsapi::EcrClient::Create(std::move(config));
  if (!ecr.ok()) return fail(ecr.status(), FailureCause::kConfig);

  awsapi::GetAuthorizationTokenRequest call;
  call.registry_ids = request.registry_ids;
  auto response = ecr->GetAuthorizationToken(call);
  if (!response.ok()) return fail(response.status());
  if (response->authorization_data.empty()) {
    return fail(
        Status(ErrorCode::kInternal, "ecr:GetAuthorizationToken returned no authorizationData"),
        FailureCause::kService);
  }
  const awsapi::AuthorizationData& data = response->authorization_data.front();
  auto login = awsapi::DecodeAuthorizationToken(data.authorization_token);
  if (!login.ok()) return fail(login.status(), FailureCause::kService);
  if (!data.expires_at) {
    return fail(Status(ErrorCode::kInternal, "ecr:GetAuthorizationToken returned no expiresAt"),
                FailureCause::kService);
  }
  const core::TimePoint now = (options_.clock ? *options_.clock : core::DefaultClock()).Now();
  if (*data.expires_at <= now) {
    return fail(
        Status(ErrorCode::kInternal, "ecr:GetAuthorizationToken returned a token that expired at " +
                                         core::FormatIso8601(*data.expires_at) +
                                         " (is this host's clock or the service's wrong?)"),
        FailureCause::kService);
  }
  FetchOutcome out;
  out.token =
      RegistryToken{login->username, login->password, *data.expires_at, data.proxy_endpoint};
  return out;
}

Result<std::pair<awsapi::SharedConfig, profile::Environment>> SharedConfigFor(
    const AwsSettings& settings, profile::Environment env) {
  // A leading "~" would be expanded to the home directory; the name is only a label.
  std::string name = settings.config_name;
  if (name.starts_with('~')) name = "./" + name;
  env.Set("AWS_CONFIG_FILE", name);
  env.Set("AWS_SHARED_CREDENTIALS_FILE", std::string(kNoCredentialsFile));
  const std::string text = settings.config_text;
  awsapi::FileReader reader = [name, text](const std::string& path) -> Result<std::string> {
    if (path == name) return text;
    return Status(ErrorCode::kNotFound, path + " does not exist");
  };
  CPA_ASSIGN_OR_RETURN(awsapi::SharedConfig shared, awsapi::LoadSharedConfig(env, reader));
  return std::make_pair(std::move(shared), std::move(env));
}

}  // namespace cpa::agent
