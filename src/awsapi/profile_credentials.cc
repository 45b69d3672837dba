#include "awsapi/profile_credentials.h"

#include <openssl/evp.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>
#include <variant>

#include "awsapi/sts.h"
#include "core/encoding.h"
#include "profile/executor.h"
#include "profile/files.h"
#include "profile/mask.h"

namespace cpa::awsapi {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

std::string Quote(std::string_view name) { return "`" + std::string(name) + "`"; }

std::string OfProfile(std::string_view profile) {
  return profile.empty() ? std::string("credentials from the environment")
                         : "profile " + Quote(profile);
}

// Prefixes `status` with the profile unless its message already names it.
Status NameProfile(const Status& status, std::string_view profile) {
  if (status.message().find("profile " + Quote(profile)) != std::string::npos) return status;
  return Status(status.code(), "profile " + Quote(profile) + ": " + status.message());
}

std::optional<bool> ParseBool(std::optional<std::string> text) {
  if (!text) return std::nullopt;
  std::string lower = core::AsciiLower(core::TrimAsciiWhitespace(*text));
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

std::string Sha1Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha1(), nullptr) != 1) return "";
  return core::HexEncode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

Result<std::string> ReadOptionalFile(const FileReader& read, const std::string& path, bool* found) {
  auto text = read(path);
  if (text.ok()) {
    *found = true;
    return text;
  }
  *found = false;
  if (text.status().code() == ErrorCode::kNotFound) return std::string();
  return text.status();
}

}  // namespace

std::string AccountFromArn(std::string_view arn) {
  // arn:partition:service:region:account:resource
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return "";
    ++pos;
  }
  if (!arn.starts_with("arn:")) return "";
  size_t end = arn.find(':', pos);
  if (end == std::string_view::npos) return "";
  return std::string(arn.substr(pos, end - pos));
}

Result<SharedConfig> LoadSharedConfig(const profile::Environment& env, const FileReader& read,
                                      const std::optional<std::string>& fallback_home) {
  const FileReader reader = read ? read : FileReader(profile::ReadTextFile);
  SharedConfig shared;
  const profile::Platform platform = profile::NativePlatform();
  CPA_ASSIGN_OR_RETURN(shared.locations,
                       profile::ResolveFileLocations(env, platform, fallback_home));
  if (auto home = profile::ResolveHomeDirectory(env, platform, fallback_home); home.ok()) {
    shared.home = *home;
  }
  auto config_text = ReadOptionalFile(reader, shared.locations.config, &shared.config_found);
  if (!config_text.ok()) {
    return Status(config_text.status().code(),
                  "cannot read the AWS config file: " + config_text.status().message());
  }
  auto credentials_text =
      ReadOptionalFile(reader, shared.locations.credentials, &shared.credentials_found);
  if (!credentials_text.ok()) {
    return Status(credentials_text.status().code(),
                  "cannot read the AWS credentials file: " + credentials_text.status().message());
  }
  CPA_ASSIGN_OR_RETURN(
      profile::ConfigFile config,
      profile::ParseFile(*config_text, profile::FileKind::kConfig, shared.locations.config));
  CPA_ASSIGN_OR_RETURN(shared.credentials,
                       profile::ParseFile(*credentials_text, profile::FileKind::kCredentials,
                                          shared.locations.credentials));
  shared.files = profile::MergeFiles(std::move(config), shared.credentials);
  return shared;
}

EnvLookup EnvLookupOf(const profile::Environment& env) {
  return [env](std::string_view name) { return env.Get(name); };
}

void ApplyProfileEndpoints(const profile::ConfigFile& files, std::string_view profile_name,
                           EndpointOverrides* overrides) {
  const profile::Section* p = files.FindProfile(profile_name);
  if (p == nullptr) return;
  if (auto url = p->Get("endpoint_url"); url && !url->empty()) overrides->profile_url = *url;
  if (auto ignore = ParseBool(p->Get("ignore_configured_endpoint_urls"))) {
    overrides->profile_ignore_configured = *ignore;
  }
  if (auto fips = ParseBool(p->Get("use_fips_endpoint"))) overrides->use_fips = *fips;
  if (auto dual = ParseBool(p->Get("use_dualstack_endpoint"))) overrides->use_dualstack = *dual;
  if (auto services = p->Get("services")) {
    if (const profile::Section* s = files.FindServices(*services)) {
      for (const auto& [key, property] : s->properties) {
        if (!property.sub_properties) continue;
        auto it = property.sub_properties->find("endpoint_url");
        if (it != property.sub_properties->end() && !it->second.empty()) {
          overrides->profile_service_urls[key] = it->second;
        }
      }
    }
  }
}

EndpointOverrides EndpointOverridesFor(const profile::ConfigFile& files,
                                       const profile::Environment& env,
                                       std::string_view profile_name) {
  EndpointOverrides overrides;
  ApplyProfileEndpoints(files, profile_name, &overrides);
  // The environment wins over the profile for the FIPS / dual-stack switches too.
  overrides.LoadEnvironment(EnvLookupOf(env));
  return overrides;
}

struct ProfileCredentialsProvider::State {
  SharedConfig shared;
  profile::Environment env;
  ProfileProviderOptions options;
  std::string profile_name;
  std::string region;
  std::string region_source;
  profile::ProviderChain chain;
  EndpointOverrides overrides;  // of the selected profile
  std::string sts_region;       // region, or us-east-1
  ResolvedEndpoint sts_endpoint;
  std::shared_ptr<HttpTransport> transport;
  profile::ChainExecutor executor;
  std::unique_ptr<profile::RefreshingCredentialsCache> cache;

  const core::Clock& clock() const { return options.clock ? *options.clock : core::DefaultClock(); }

  ClientConfig StsConfig(CredentialsProviderPtr credentials) const {
    ClientConfig config;
    config.region = sts_region;
    config.endpoints = overrides;
    config.credentials = std::move(credentials);
    config.transport = transport;
    config.retry = options.retry;
    config.clock = options.clock;
    config.random = options.random;
    config.sleep = options.sleep;
    return config;
  }

  Result<profile::Credentials> AssumeRole(const profile::Credentials& source,
                                          const profile::AssumeRoleStep& step) const {
    CPA_ASSIGN_OR_RETURN(
        StsClient sts, StsClient::Create(StsConfig(MakeStaticCredentials(
                           source.access_key_id, source.secret_access_key, source.session_token))));
    AssumeRoleRequest request;
    request.role_arn = step.role_arn;
    request.role_session_name = step.role_session_name.value_or("");
    if (step.duration_seconds) request.duration_seconds = *step.duration_seconds;
    request.external_id = step.external_id.value_or("");
    auto response = sts.AssumeRole(request);
    if (!response.ok()) return response.status();
    profile::Credentials out;
    out.access_key_id = response->credentials.access_key_id;
    out.secret_access_key = response->credentials.secret_access_key;
    out.session_token = response->credentials.session_token;
    out.expiration = response->credentials.expiration;
    out.account_id = AccountFromArn(response->assumed_role_user.arn);
    out.source = "AssumeRole " + step.role_arn + " via profile " + Quote(step.profile);
    return out;
  }

  Result<profile::Credentials> AssumeRoleWithWebIdentity(const profile::WebIdentityToken& provider,
                                                         const std::string& token) const {
    auto fail = [&](const Status& status) {
      return Status(status.code(), OfProfile(provider.profile) + ": AssumeRoleWithWebIdentity " +
                                       provider.role_arn + ": " + status.message());
    };
    auto sts = StsClient::Create(StsConfig(nullptr));
    if (!sts.ok()) return fail(sts.status());
    AssumeRoleWithWebIdentityRequest request;
    request.role_arn = provider.role_arn;
    request.role_session_name = provider.role_session_name.value_or("");
    request.web_identity_token = token;
    if (provider.duration_seconds) request.duration_seconds = *provider.duration_seconds;
    auto response = sts->AssumeRoleWithWebIdentity(request);
    if (!response.ok()) return fail(response.status());
    profile::Credentials out;
    out.access_key_id = response->credentials.access_key_id;
    out.secret_access_key = response->credentials.secret_access_key;
    out.session_token = response->credentials.session_token;
    out.expiration = response->credentials.expiration;
    out.account_id = AccountFromArn(response->assumed_role_user.arn);
    out.source = "AssumeRoleWithWebIdentity " + provider.role_arn;
    return out;
  }

  // The SSO portal's base URL, with the same overrides as any service (service id "SSO").
  std::string SsoPortalUrl(const std::string& sso_region) const {
    const bool ignore =
        overrides.env_ignore_configured.value_or(overrides.profile_ignore_configured);
    if (!ignore) {
      std::string url;
      if (auto v = env.GetNonEmpty("AWS_ENDPOINT_URL_SSO")) {
        url = *v;
      } else if (!overrides.env_url.empty()) {
        url = overrides.env_url;
      } else if (auto it = overrides.profile_service_urls.find("sso");
                 it != overrides.profile_service_urls.end()) {
        url = it->second;
      } else {
        url = overrides.profile_url;
      }
      url = std::string(core::TrimAsciiWhitespace(url));
      while (!url.empty() && url.back() == '/') url.pop_back();
      if (!url.empty()) return url;
    }
    return "https://portal.sso." + sso_region + "." + std::string(DnsSuffixForRegion(sso_region));
  }

  // IAM Identity Center: the cached token of `aws sso login`, then GetRoleCredentials.
  Result<profile::Credentials> FetchSso(const profile::SsoConfig& sso) const {
    const std::string who = "profile " + Quote(sso.profile);
    if (!shared.home) {
      return Status(ErrorCode::kInvalidArgument,
                    who + ": no home directory, so no SSO token cache (~/.aws/sso/cache)");
    }
    const std::string key = sso.sso_session ? *sso.sso_session : sso.sso_start_url.value_or("");
    const std::string path = *shared.home + "/.aws/sso/cache/" + Sha1Hex(key) + ".json";
    const FileReader read =
        options.read_file ? options.read_file : FileReader(profile::ReadTextFile);
    auto text = read(path);
    if (!text.ok()) {
      return Status(ErrorCode::kInvalidArgument,
                    who + ": no cached SSO token (" + text.status().message() +
                        "); run `aws sso login --profile " + sso.profile + "`");
    }
    nlohmann::json cached = nlohmann::json::parse(*text, nullptr, false);
    if (cached.is_discarded() || !cached.is_object() || !cached.contains("accessToken") ||
        !cached["accessToken"].is_string() || !cached.contains("expiresAt") ||
        !cached["expiresAt"].is_string()) {
      return Status(ErrorCode::kInvalidArgument, who + ": the SSO token cache " + path +
                                                     " is not valid JSON with accessToken "
                                                     "and expiresAt");
    }
    auto expires = core::ParseIso8601(cached["expiresAt"].get<std::string>());
    if (!expires.ok() || *expires <= clock().Now()) {
      return Status(
          ErrorCode::kExpiredToken,
          who + ": the SSO session has expired; run `aws sso login --profile " + sso.profile + "`");
    }
    const std::string role = sso.sso_role_name.value_or("");
    const std::string account = sso.sso_account_id.value_or("");
    HttpRequest request;
    request.method = "GET";
    request.url = SsoPortalUrl(sso.sso_region.value_or("")) +
                  "/federation/credentials?role_name=" + core::UriEncode(role) +
                  "&account_id=" + core::UriEncode(account);
    request.headers.emplace_back("x-amz-sso_bearer_token",
                                 cached["accessToken"].get<std::string>());
    auto response = transport->Send(request);
    if (!response.ok()) {
      return Status(response.status().code(),
                    who + ": SSO GetRoleCredentials: " + response.status().message());
    }
    nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
    if (response->status < 200 || response->status > 299) {
      std::string detail = "HTTP " + std::to_string(response->status);
      if (auto type = response->Header("x-amzn-ErrorType")) detail += ": " + std::string(*type);
      if (body.is_object() && body.contains("message") && body["message"].is_string()) {
        detail += ": " + body["message"].get<std::string>();
      }
      return Status(response->status == 401 || response->status == 403 ? ErrorCode::kAccessDenied
                                                                       : ErrorCode::kInternal,
                    who + ": SSO GetRoleCredentials " + role + " in " + account + ": " + detail);
    }
    const nlohmann::json* rc = nullptr;
    if (body.is_object() && body.contains("roleCredentials") &&
        body["roleCredentials"].is_object()) {
      rc = &body["roleCredentials"];
    }
    auto str = [&](const char* name) -> std::optional<std::string> {
      if (rc == nullptr || !rc->contains(name) || !(*rc)[name].is_string()) return std::nullopt;
      return (*rc)[name].get<std::string>();
    };
    auto akid = str("accessKeyId");
    auto secret = str("secretAccessKey");
    if (!akid || !secret) {
      return Status(ErrorCode::kInternal,
                    who + ": SSO GetRoleCredentials returned no roleCredentials");
    }
    profile::Credentials out;
    out.access_key_id = *akid;
    out.secret_access_key = *secret;
    out.session_token = str("sessionToken").value_or("");
    if (rc->contains("expiration") && (*rc)["expiration"].is_number()) {
      const auto ms = (*rc)["expiration"].get<int64_t>();
      out.expiration = core::TimePoint(std::chrono::seconds(ms / 1000));
    }
    out.account_id = account;
    out.source = "IAM Identity Center role " + role + " in account " + account + " via " + who;
    return out;
  }

  Result<profile::Credentials> Fetch() const {
    profile::ProviderChain to_run = chain;
    if (auto* sso = std::get_if<profile::SsoConfig>(&to_run.base); sso && !sso->token_only()) {
      CPA_ASSIGN_OR_RETURN(profile::Credentials creds, FetchSso(*sso));
      to_run.base = profile::StaticKeys{sso->profile, std::move(creds)};
    }
    return profile::ExecuteChain(to_run, executor);
  }

  // The file that defines `key` for `profile` (the credentials file wins, as when merging).
  std::string FileOf(const std::string& profile, std::string_view key) const {
    const profile::Section* c = shared.credentials.FindProfile(profile);
    if (c != nullptr && c->Get(key)) return shared.locations.credentials;
    return shared.locations.config;
  }
};

ProfileCredentialsProvider::ProfileCredentialsProvider(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

ProfileCredentialsProvider::~ProfileCredentialsProvider() = default;

Result<std::shared_ptr<ProfileCredentialsProvider>> ProfileCredentialsProvider::Create(
    const SharedConfig& config, const profile::Environment& env, ProfileProviderOptions options) {
  auto state = std::make_unique<State>();
  State& s = *state;
  s.shared = config;
  s.env = env;
  s.options = std::move(options);
  profile::ChainOptions chain_options;
  chain_options.profile = s.options.profile;
  s.profile_name = profile::SelectedProfileName(env, chain_options);

  auto chain = s.options.profile_only || (s.options.profile && !s.options.profile->empty())
                   ? profile::ResolveProfileChain(s.shared.files, s.profile_name)
                   : profile::PlanCredentialChain(s.shared.files, env, chain_options);
  if (!chain.ok()) return NameProfile(chain.status(), s.profile_name);
  s.chain = std::move(*chain);

  if (!s.options.region.empty()) {
    s.region = s.options.region;
    s.region_source = "--region";
  } else if (auto r = profile::ResolveRegion(s.shared.files, env, s.profile_name)) {
    s.region = r->region;
    s.region_source = r->source;
  }
  s.sts_region = s.region.empty() ? "us-east-1" : s.region;
  s.overrides = EndpointOverridesFor(s.shared.files, env, s.profile_name);
  const bool calls_sts =
      !s.chain.roles.empty() || std::holds_alternative<profile::WebIdentityToken>(s.chain.base);
  if (calls_sts) {
    auto endpoint = ResolveEndpoint(Service::kSts, s.sts_region, s.overrides);
    if (!endpoint.ok()) return NameProfile(endpoint.status(), s.profile_name);
    s.sts_endpoint = std::move(*endpoint);
  }
  s.transport = s.options.transport ? s.options.transport : DefaultTransport();

  const State* self = &s;
  s.executor.assume_role = [self](const profile::Credentials& source,
                                  const profile::AssumeRoleStep& step) {
    return self->AssumeRole(source, step);
  };
  s.executor.assume_role_with_web_identity = [self](const profile::WebIdentityToken& provider,
                                                    const std::string& token) {
    return self->AssumeRoleWithWebIdentity(provider, token);
  };
  s.executor.read_file =
      s.options.read_file ? s.options.read_file : FileReader(profile::ReadTextFile);
  s.executor.run_process = s.options.run_process ? s.options.run_process
                                                 : profile::ProcessRunner(profile::RunShellCommand);
  s.executor.env = env;
  s.executor.clock = s.options.clock;
  s.cache = std::make_unique<profile::RefreshingCredentialsCache>(
      [self]() { return self->Fetch(); }, s.clock(), s.options.refresh);
  return std::shared_ptr<ProfileCredentialsProvider>(
      new ProfileCredentialsProvider(std::move(state)));
}

Result<profile::Credentials> ProfileCredentialsProvider::GetCredentials() {
  return state_->cache->Get();
}

Result<sigv4::Credentials> ProfileCredentialsProvider::Get() {
  CPA_ASSIGN_OR_RETURN(profile::Credentials creds, GetCredentials());
  return sigv4::Credentials{std::move(creds.access_key_id), std::move(creds.secret_access_key),
                            std::move(creds.session_token)};
}

const std::string& ProfileCredentialsProvider::profile_name() const { return state_->profile_name; }
const std::string& ProfileCredentialsProvider::region() const { return state_->region; }
const std::string& ProfileCredentialsProvider::region_source() const {
  return state_->region_source;
}
const profile::ProviderChain& ProfileCredentialsProvider::chain() const { return state_->chain; }
const ResolvedEndpoint& ProfileCredentialsProvider::sts_endpoint() const {
  return state_->sts_endpoint;
}

std::vector<CredentialOrigin> ProfileCredentialsProvider::Origins() const {
  const State& s = *state_;
  std::vector<CredentialOrigin> out;
  struct BaseVisitor {
    const State& s;
    CredentialOrigin operator()(const profile::StaticKeys& k) const {
      if (k.profile.empty()) {
        return {"environment", "",
                "static keys from the environment variables AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY" +
                    std::string(k.credentials.session_token.empty() ? ""
                                                                    : " (with AWS_SESSION_TOKEN)")};
      }
      return {"static", k.profile,
              "static keys from profile " + Quote(k.profile) + " in " +
                  s.FileOf(k.profile, "aws_access_key_id")};
    }
    CredentialOrigin operator()(const profile::NamedSource& n) const {
      const std::string name(profile::CredentialSourceName(n.source));
      if (n.source == profile::CredentialSource::kEnvironment) {
        return {"environment", n.profile,
                "credential_source Environment of profile " + Quote(n.profile) +
                    ": keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"};
      }
      return {
          "unsupported", n.profile,
          "credential source " + name + " of " + OfProfile(n.profile) + " (not supported by cpa)"};
    }
    CredentialOrigin operator()(const profile::WebIdentityToken& w) const {
      return {"web-identity", w.profile,
              "AssumeRoleWithWebIdentity " + w.role_arn + " with the token in " +
                  w.web_identity_token_file +
                  (w.profile.empty() ? std::string(" (AWS_WEB_IDENTITY_TOKEN_FILE)")
                                     : " via profile " + Quote(w.profile)) +
                  " at " + s.sts_endpoint.url};
    }
    CredentialOrigin operator()(const profile::CredentialProcess& c) const {
      return {"credential-process", c.profile,
              "credential_process of profile " + Quote(c.profile) + " in " +
                  s.FileOf(c.profile, "credential_process")};
    }
    CredentialOrigin operator()(const profile::SsoConfig& o) const {
      if (o.token_only()) {
        return {"unsupported", o.profile,
                "SSO token (no role) of profile " + Quote(o.profile) + " (not credentials)"};
      }
      return {"sso", o.profile,
              "IAM Identity Center role " + o.sso_role_name.value_or("") + " in account " +
                  o.sso_account_id.value_or("") + " via profile " + Quote(o.profile) +
                  (o.sso_session ? " (sso-session " + Quote(*o.sso_session) + ")" : "")};
    }
  };
  out.push_back(std::visit(BaseVisitor{s}, s.chain.base));
  for (const auto& step : s.chain.roles) {
    std::string d = "AssumeRole " + step.role_arn + " via profile " + Quote(step.profile) + " at " +
                    s.sts_endpoint.url;
    if (s.sts_endpoint.source != EndpointSource::kDefault) {
      d += " (" + std::string(EndpointSourceName(s.sts_endpoint.source)) + ")";
    }
    out.push_back({"assume-role", step.profile, std::move(d)});
  }
  return out;
}

}  // namespace cpa::awsapi
