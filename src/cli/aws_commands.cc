// `cpa whoami` and `cpa ecr-login`: resolve credentials from the AWS shared config files the way
// the AWS SDKs do (awsapi/profile_credentials.h) and call STS GetCallerIdentity or ECR
// GetAuthorizationToken with them.
//
// Errors are one line on stderr naming the profile, exit code 1. Secrets (secret keys, session
// tokens) are never printed; `ecr-login` prints the registry password and nothing else, as
// `aws ecr get-login-password` does.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "awsapi/ecr.h"
#include "awsapi/profile_credentials.h"
#include "awsapi/sts.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/registry_host.h"
#include "core/status.h"
#include "profile/chain.h"
#include "profile/files.h"
#include "profile/mask.h"

namespace cpa::cli {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

struct AwsArgs {
  std::string profile;
  std::string region;
  std::string endpoint_url;
  std::string output = "text";
};

void AddAwsOptions(CLI::App* cmd, AwsArgs* args) {
  cmd->add_option("--profile", args->profile,
                  "Profile of the shared config files (default: AWS_PROFILE, else the default "
                  "chain: environment keys, then profile `default`)");
  cmd->add_option("--region", args->region,
                  "Region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)");
  cmd->add_option("--endpoint-url", args->endpoint_url,
                  "Endpoint for this command's service; role assumptions follow AWS_ENDPOINT_URL "
                  "and the profile's endpoint settings instead, as in the AWS CLI");
}

std::string Quote(std::string_view s) { return "`" + std::string(s) + "`"; }

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// Reports `status` as "cpa <command>: profile `P`: message" (the profile named once).
int Fail(std::string_view command, std::string_view profile, const Status& status, bool as_json) {
  std::string message = OneLine(status.message());
  if (!profile.empty() && message.find("profile " + Quote(profile)) == std::string::npos) {
    message = "profile " + Quote(profile) + ": " + message;
  }
  if (as_json) {
    json out = {
        {"error",
         {{"code", std::string(core::ErrorCodeName(status.code()))}, {"message", message}}}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cerr << "cpa " << command << ": " << message << "\n";
  }
  return kExitError;
}

struct Session {
  profile::Environment env;
  awsapi::SharedConfig shared;
  std::shared_ptr<awsapi::ProfileCredentialsProvider> provider;
};

// The profile a failure is reported against before the provider exists.
std::string ProfileForMessages(const profile::Environment& env, const AwsArgs& args) {
  profile::ChainOptions options;
  if (!args.profile.empty()) options.profile = args.profile;
  return profile::SelectedProfileName(env, options);
}

Result<Session> OpenSession(const AwsArgs& args) {
  Session s;
  s.env = profile::ProcessEnvironment();
  CPA_ASSIGN_OR_RETURN(s.shared,
                       awsapi::LoadSharedConfig(s.env, nullptr, profile::PasswdHomeDirectory()));
  awsapi::ProfileProviderOptions options;
  if (!args.profile.empty()) options.profile = args.profile;
  options.region = args.region;
  CPA_ASSIGN_OR_RETURN(s.provider,
                       awsapi::ProfileCredentialsProvider::Create(s.shared, s.env, options));
  return s;
}

awsapi::ClientConfig ClientConfigFor(const Session& s, const AwsArgs& args, std::string region) {
  awsapi::ClientConfig config;
  config.region = std::move(region);
  config.endpoints =
      awsapi::EndpointOverridesFor(s.shared.files, s.env, s.provider->profile_name());
  config.endpoints.explicit_url = args.endpoint_url;
  config.credentials = s.provider;
  config.user_agent = "cpa-cli";
  return config;
}

// ---- whoami ----

int RunWhoami(const AwsArgs& args) {
  const bool as_json = args.output == "json";
  const std::string command = "whoami";
  auto session = OpenSession(args);
  if (!session.ok()) {
    return Fail(command, ProfileForMessages(profile::ProcessEnvironment(), args), session.status(),
                as_json);
  }
  const Session& s = *session;
  const std::string profile_name = s.provider->profile_name();
  // STS is regional; without a configured region use us-east-1, as the SDKs' global default.
  const std::string region = s.provider->region().empty() ? "us-east-1" : s.provider->region();
  // Resolve the chain first, so that its failures are reported as such (not as a failed call).
  auto creds = s.provider->GetCredentials();
  if (!creds.ok()) return Fail(command, profile_name, creds.status(), as_json);
  auto sts = awsapi::StsClient::Create(ClientConfigFor(s, args, region));
  if (!sts.ok()) return Fail(command, profile_name, sts.status(), as_json);
  auto who = sts->GetCallerIdentity();
  if (!who.ok()) return Fail(command, profile_name, who.status(), as_json);

  const auto origins = s.provider->Origins();
  const bool from_environment = origins.size() == 1 && origins[0].profile.empty();
  const std::string region_source =
      s.provider->region().empty() ? "default" : s.provider->region_source();
  const std::string masked_key = profile::MaskAccessKeyId(creds->access_key_id);
  const std::string expiration =
      creds->expiration ? core::FormatIso8601(*creds->expiration) : std::string();

  if (as_json) {
    json chain = json::array();
    for (const auto& o : origins) {
      chain.push_back({{"kind", o.kind}, {"profile", o.profile}, {"description", o.description}});
    }
    json out = {{"Account", who->account},
                {"Arn", who->arn},
                {"UserId", who->user_id},
                {"Profile", from_environment ? json(nullptr) : json(profile_name)},
                {"Region", region},
                {"RegionSource", region_source},
                {"AccessKeyId", masked_key},
                {"SessionToken", creds->session_token.empty() ? "" : "****"},
                {"Expiration", expiration.empty() ? json(nullptr) : json(expiration)},
                {"CredentialChain", chain}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "Account:      " << who->account << "\n"
            << "Arn:          " << who->arn << "\n"
            << "UserId:       " << who->user_id << "\n"
            << "Profile:      "
            << (from_environment ? std::string("(none: environment variables)") : profile_name)
            << "\n"
            << "Region:       " << region << " (" << region_source << ")\n"
            << "AccessKeyId:  " << masked_key
            << (creds->session_token.empty() ? "" : " (with session token ****)") << "\n";
  if (!expiration.empty()) std::cout << "Expires:      " << expiration << "\n";
  std::cout << "Credentials:\n";
  int n = 0;
  for (const auto& o : origins) std::cout << "  " << ++n << ". " << o.description << "\n";
  return kExitOk;
}

// ---- ecr-login ----

// The --registry value: a private registry host (AWS's suffixes, or `cpa serve`'s "localhost"
// domain), optionally with scheme, port and path.
Result<core::RegistryHost> ParseRegistryArg(std::string_view text) {
  auto host = core::ParseRegistryServerUrl(text);
  if (!host || host->kind != core::RegistryKind::kPrivate) {
    return Status(ErrorCode::kInvalidArgument,
                  "--registry " + Quote(text) +
                      " is not an ECR registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com, "
                      "or ACCOUNT.dkr.ecr.REGION.localhost for cpa serve)");
  }
  return *host;
}

struct EcrLoginArgs {
  AwsArgs aws;
  std::string registry;
};

int RunEcrLogin(const EcrLoginArgs& args) {
  const std::string command = "ecr-login";
  std::optional<core::RegistryHost> registry;
  if (!args.registry.empty()) {
    auto parsed = ParseRegistryArg(args.registry);
    if (!parsed.ok()) {
      return Fail(command, ProfileForMessages(profile::ProcessEnvironment(), args.aws),
                  parsed.status(), false);
    }
    registry = *parsed;
  }
  auto session = OpenSession(args.aws);
  if (!session.ok()) {
    return Fail(command, ProfileForMessages(profile::ProcessEnvironment(), args.aws),
                session.status(), false);
  }
  const Session& s = *session;
  const std::string profile_name = s.provider->profile_name();
  // The registry's own region wins: a token is only valid for the region that issued it.
  const std::string region = registry ? registry->region : s.provider->region();
  if (region.empty()) {
    return Fail(command, profile_name,
                Status(ErrorCode::kInvalidArgument,
                       "no region configured for ECR; set --region, --registry, AWS_REGION or "
                       "the profile's region"),
                false);
  }
  if (auto creds = s.provider->GetCredentials(); !creds.ok()) {
    return Fail(command, profile_name, creds.status(), false);
  }
  auto ecr = awsapi::EcrClient::Create(ClientConfigFor(s, args.aws, region));
  if (!ecr.ok()) return Fail(command, profile_name, ecr.status(), false);
  awsapi::GetAuthorizationTokenRequest request;
  if (registry) request.registry_ids.push_back(registry->account_id);
  auto token = ecr->GetAuthorizationToken(request);
  if (!token.ok()) return Fail(command, profile_name, token.status(), false);
  if (token->authorization_data.empty()) {
    return Fail(command, profile_name,
                Status(ErrorCode::kInternal, "ecr:GetAuthorizationToken returned no token"), false);
  }
  auto login = awsapi::DecodeAuthorizationToken(token->authorization_data[0].authorization_token);
  if (!login.ok()) return Fail(command, profile_name, login.status(), false);
  std::cout << login->password << "\n";
  return kExitOk;
}

}  // namespace

void RegisterAwsCommands(CLI::App& app, CommandRegistry& registry) {
  auto whoami_args = std::make_shared<AwsArgs>();
  CLI::App* whoami = app.add_subcommand(
      "whoami",
      "Resolve the credential chain of a profile, call STS GetCallerIdentity, and show the "
      "identity and where each credential came from (secrets masked)");
  AddAwsOptions(whoami, whoami_args.get());
  whoami->add_option("--output", whoami_args->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  whoami->callback([whoami_args, &registry]() {
    registry.SetAction([whoami_args] { return RunWhoami(*whoami_args); });
  });

  auto login_args = std::make_shared<EcrLoginArgs>();
  CLI::App* login = app.add_subcommand(
      "ecr-login",
      "Print an ECR registry password for docker/skopeo login (user AWS), like `aws ecr "
      "get-login-password`");
  AddAwsOptions(login, &login_args->aws);
  login->add_option("--registry", login_args->registry,
                    "Registry host ACCOUNT.dkr.ecr.REGION.amazonaws.com (or .localhost for cpa "
                    "serve): its region and registry id are used");
  login->callback([login_args, &registry]() {
    registry.SetAction([login_args] { return RunEcrLogin(*login_args); });
  });
}

}  // namespace cpa::cli
