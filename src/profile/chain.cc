#include "profile/chain.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "profile/mask.h"

namespace cpa::profile {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

constexpr int kMinDurationSeconds = 900;    // STS AssumeRole minimum
constexpr int kMaxDurationSeconds = 43200;  // 12 hours, the largest a role may allow

std::string Quote(std::string_view name) { return "`" + std::string(name) + "`"; }

Status Invalid(std::string_view profile, std::string_view message) {
  return Status(ErrorCode::kInvalidArgument,
                "profile " + Quote(profile) + ": " + std::string(message));
}

// Why building a base provider from a profile failed when it did.
enum class BaseFailure { kNone, kNoCredentials, kInvalid };

Result<CredentialSource> ParseCredentialSource(const Section& p, const std::string& value) {
  if (value == "Environment") return CredentialSource::kEnvironment;
  if (value == "Ec2InstanceMetadata") return CredentialSource::kEc2InstanceMetadata;
  if (value == "EcsContainer") return CredentialSource::kEcsContainer;
  return Invalid(p.name, "credential_source " + Quote(value) +
                             " is not one of Environment, Ec2InstanceMetadata, EcsContainer");
}

Result<std::optional<int>> ParseDuration(const Section& p) {
  auto value = p.Get("duration_seconds");
  if (!value) return std::optional<int>();
  int seconds = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec != std::errc() || end != value->data() + value->size() || seconds < kMinDurationSeconds ||
      seconds > kMaxDurationSeconds) {
    return Invalid(p.name, "duration_seconds " + Quote(*value) + " must be a whole number of " +
                               "seconds from 900 to 43200");
  }
  return std::optional<int>(seconds);
}

Result<StaticKeys> StaticFromProfile(const Section& p, BaseFailure* failure) {
  auto access_key = p.Get("aws_access_key_id");
  auto secret_key = p.Get("aws_secret_access_key");
  auto session_token = p.Get("aws_session_token");
  if (!access_key && !secret_key && !session_token) {
    *failure = BaseFailure::kNoCredentials;
    return Status(ErrorCode::kNotFound,
                  "profile " + Quote(p.name) + " did not contain credential information");
  }
  *failure = BaseFailure::kInvalid;
  if (!access_key) return Invalid(p.name, "profile missing aws_access_key_id");
  if (!secret_key) return Invalid(p.name, "profile missing aws_secret_access_key");
  *failure = BaseFailure::kNone;
  StaticKeys keys;
  keys.profile = p.name;
  keys.credentials.access_key_id = *access_key;
  keys.credentials.secret_access_key = *secret_key;
  keys.credentials.session_token = session_token.value_or("");
  keys.credentials.account_id = p.Get("aws_account_id").value_or("");
  keys.credentials.source = "profile " + Quote(p.name) + " (static keys)";
  return keys;
}

std::optional<Result<BaseProvider>> WebIdentityFromProfile(const Section& p) {
  auto role_arn = p.Get("role_arn");
  auto token_file = p.Get("web_identity_token_file");
  if (!token_file) return std::nullopt;
  if (!role_arn) {
    return Result<BaseProvider>(
        Invalid(p.name, "web_identity_token_file is set but `role_arn` was missing"));
  }
  auto duration = ParseDuration(p);
  if (!duration.ok()) return Result<BaseProvider>(duration.status());
  return Result<BaseProvider>(
      WebIdentityToken{p.name, *role_arn, *token_file, p.Get("role_session_name"), *duration});
}

std::optional<Result<BaseProvider>> SsoFromProfile(const ConfigFile& files, const Section& p) {
  SsoConfig sso;
  sso.profile = p.name;
  sso.sso_account_id = p.Get("sso_account_id");
  sso.sso_role_name = p.Get("sso_role_name");
  sso.sso_region = p.Get("sso_region");
  sso.sso_start_url = p.Get("sso_start_url");
  sso.sso_session = p.Get("sso_session");
  if (!sso.sso_account_id && !sso.sso_role_name && !sso.sso_region && !sso.sso_start_url &&
      !sso.sso_session) {
    return std::nullopt;
  }
  auto fail = [&](std::string_view message) {
    return std::optional<Result<BaseProvider>>(Result<BaseProvider>(Invalid(p.name, message)));
  };
  if (sso.sso_session) {
    const Section* session = files.FindSsoSession(*sso.sso_session);
    if (session == nullptr) {
      return Result<BaseProvider>(
          Status(ErrorCode::kNotFound, "sso-session named " + Quote(*sso.sso_session) +
                                           " (referenced by profile " + Quote(p.name) +
                                           ") was not found"));
    }
    // A profile may repeat the session's values but not contradict them.
    if (sso.sso_region && sso.sso_region != session->Get("sso_region")) {
      return fail(
          "`sso_region` can only be specified in the [sso-session] config when a session name is "
          "given");
    }
    if (sso.sso_start_url && sso.sso_start_url != session->Get("sso_start_url")) {
      return fail(
          "`sso_start_url` can only be specified in the [sso-session] config when a session name "
          "is given");
    }
    sso.sso_region = session->Get("sso_region");
    sso.sso_start_url = session->Get("sso_start_url");
  }
  if (!sso.sso_region) return fail("`sso_region` can only be omitted when `sso_session` is set");
  if (!sso.sso_start_url) {
    return fail("`sso_start_url` can only be omitted when `sso_session` is set");
  }
  if (sso.sso_account_id && !sso.sso_role_name) {
    return fail("if `sso_account_id` is set, then `sso_role_name` must also be set");
  }
  if (sso.sso_role_name && !sso.sso_account_id) {
    return fail("if `sso_role_name` is set, then `sso_account_id` must also be set");
  }
  return Result<BaseProvider>(std::move(sso));
}

Result<BaseProvider> BaseFromProfile(const ConfigFile& files, const Section& p,
                                     BaseFailure* failure) {
  *failure = BaseFailure::kInvalid;
  if (auto source = p.Get("credential_source")) {
    CPA_ASSIGN_OR_RETURN(CredentialSource s, ParseCredentialSource(p, *source));
    *failure = BaseFailure::kNone;
    return BaseProvider(NamedSource{p.name, s});
  }
  if (auto web = WebIdentityFromProfile(p)) {
    if (web->ok()) *failure = BaseFailure::kNone;
    return std::move(*web);
  }
  if (auto sso = SsoFromProfile(files, p)) {
    if (sso->ok()) *failure = BaseFailure::kNone;
    return std::move(*sso);
  }
  if (auto command = p.Get("credential_process")) {
    *failure = BaseFailure::kNone;
    return BaseProvider(CredentialProcess{p.name, *command, p.Get("aws_account_id")});
  }
  CPA_ASSIGN_OR_RETURN(StaticKeys keys, StaticFromProfile(p, failure));
  return BaseProvider(std::move(keys));
}

// role_arn makes a profile a chain link, unless it belongs to web_identity_token_file.
bool IsRoleProfile(const Section& p) {
  return p.Get("role_arn").has_value() && !p.Get("web_identity_token_file").has_value();
}

std::string JoinPath(const std::vector<std::string>& visited, std::string_view next) {
  std::string out;
  for (const auto& v : visited) out += Quote(v) + " -> ";
  return out + Quote(next);
}

Result<ProviderChain> ResolveImpl(const ConfigFile& files, std::string_view selected,
                                  BaseFailure* root_failure) {
  *root_failure = BaseFailure::kNone;
  if (files.profiles.empty()) return Status(ErrorCode::kNotFound, "No profiles were defined");
  // The SDKs treat an implicit default profile that does not exist like an empty file.
  if (selected == "default" && files.FindProfile("default") == nullptr) {
    return Status(ErrorCode::kNotFound, "No profiles were defined: there is no `default` profile");
  }

  std::vector<std::string> visited;
  std::vector<AssumeRoleStep> roles;  // outermost first; reversed at the end
  std::string name(selected);
  std::optional<BaseProvider> base;
  while (!base) {
    const Section* p = files.FindProfile(name);
    if (p == nullptr) {
      if (visited.empty()) {
        return Status(
            ErrorCode::kNotFound,
            "profile " + Quote(name) + " was not found in the config or credentials files");
      }
      return Status(ErrorCode::kNotFound,
                    "could not find source profile " + name + " referenced from " + visited.back());
    }
    if (std::find(visited.begin(), visited.end(), name) != visited.end()) {
      return Status(ErrorCode::kInvalidArgument,
                    "profile formed an infinite loop: " + JoinPath(visited, name));
    }
    visited.push_back(name);

    // Past the first profile, static keys end the chain even if the profile has a role.
    if (visited.size() > 1) {
      BaseFailure ignored;
      auto keys = StaticFromProfile(*p, &ignored);
      if (keys.ok()) {
        base = std::move(*keys);
        break;
      }
    }

    if (IsRoleProfile(*p)) {
      auto source_profile = p->Get("source_profile");
      auto credential_source = p->Get("credential_source");
      if (source_profile && credential_source) {
        return Invalid(p->name,
                       "profile contained both source_profile and credential_source; only one "
                       "may be defined");
      }
      if (!source_profile && !credential_source) {
        return Invalid(p->name,
                       "role_arn is set, so the profile must contain `source_profile` or "
                       "`credential_source`, but neither is defined");
      }
      CPA_ASSIGN_OR_RETURN(auto duration, ParseDuration(*p));
      roles.push_back(AssumeRoleStep{p->name, *p->Get("role_arn"), p->Get("external_id"),
                                     p->Get("role_session_name"), duration});
      if (source_profile && *source_profile == p->name) {
        // Self reference: this profile's own keys are the base of its role.
        BaseFailure failure;
        CPA_ASSIGN_OR_RETURN(BaseProvider b, BaseFromProfile(files, *p, &failure));
        base = std::move(b);
      } else if (source_profile) {
        name = *source_profile;
      } else {
        CPA_ASSIGN_OR_RETURN(CredentialSource s, ParseCredentialSource(*p, *credential_source));
        base = NamedSource{p->name, s};
      }
      continue;
    }

    BaseFailure failure;
    auto b = BaseFromProfile(files, *p, &failure);
    if (!b.ok()) {
      if (visited.size() == 1) {
        *root_failure = failure;
        return b.status();
      }
      return Status(b.status().code(),
                    "could not load source profile " + Quote(p->name) + " (referenced from " +
                        Quote(visited[visited.size() - 2]) + "): " + b.status().message());
    }
    base = std::move(*b);
  }
  std::reverse(roles.begin(), roles.end());
  return ProviderChain{std::move(*base), std::move(roles)};
}

std::string DescribeBase(const BaseProvider& base) {
  struct Visitor {
    std::string operator()(const StaticKeys& k) const {
      return (k.profile.empty() ? std::string("static keys from the environment")
                                : "static keys from profile " + Quote(k.profile)) +
             ": " + k.credentials.ToString();
    }
    std::string operator()(const NamedSource& s) const {
      return "credential source " + std::string(CredentialSourceName(s.source)) +
             (s.profile.empty() ? std::string(" (from the environment)")
                                : " (profile " + Quote(s.profile) + ")");
    }
    std::string operator()(const WebIdentityToken& w) const {
      return "AssumeRoleWithWebIdentity " + w.role_arn + " with token file " +
             w.web_identity_token_file +
             (w.profile.empty() ? std::string(" (from the environment)")
                                : " (profile " + Quote(w.profile) + ")");
    }
    std::string operator()(const CredentialProcess& c) const {
      // The command line may carry secrets as arguments; only say that there is one.
      return "credential_process (profile " + Quote(c.profile) + ")";
    }
    std::string operator()(const SsoConfig& s) const {
      return std::string(s.token_only() ? "SSO token" : "SSO credentials") + " (profile " +
             Quote(s.profile) + ")";
    }
  };
  return std::visit(Visitor{}, base);
}

}  // namespace

std::string_view CredentialSourceName(CredentialSource source) {
  switch (source) {
    case CredentialSource::kEnvironment:
      return "Environment";
    case CredentialSource::kEc2InstanceMetadata:
      return "Ec2InstanceMetadata";
    case CredentialSource::kEcsContainer:
      return "EcsContainer";
  }
  return "?";
}

std::string ProviderChain::ToString() const {
  std::string out = "1. " + DescribeBase(base);
  int n = 1;
  for (const auto& role : roles) {
    out += "\n" + std::to_string(++n) + ". AssumeRole " + role.role_arn + " (profile " +
           Quote(role.profile);
    if (role.role_session_name) out += ", session name " + *role.role_session_name;
    if (role.external_id) out += ", external id " + *role.external_id;
    if (role.duration_seconds) out += ", " + std::to_string(*role.duration_seconds) + "s";
    out += ")";
  }
  return out;
}

Result<ProviderChain> ResolveProfileChain(const ConfigFile& files, std::string_view profile_name) {
  BaseFailure failure;
  return ResolveImpl(files, profile_name, &failure);
}

std::string SelectedProfileName(const Environment& env, const ChainOptions& options) {
  if (options.profile && !options.profile->empty()) return *options.profile;
  return env.GetNonEmpty("AWS_PROFILE").value_or("default");
}

Result<Credentials> EnvironmentCredentials(const Environment& env) {
  auto access_key = env.GetNonEmpty("AWS_ACCESS_KEY_ID");
  auto secret_key = env.GetNonEmpty("AWS_SECRET_ACCESS_KEY");
  if (!access_key && !secret_key) {
    return Status(ErrorCode::kNotFound,
                  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set in the environment");
  }
  if (!access_key) {
    return Status(ErrorCode::kInvalidArgument,
                  "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }
  if (!secret_key) {
    return Status(ErrorCode::kInvalidArgument,
                  "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  Credentials c;
  c.access_key_id = *access_key;
  c.secret_access_key = *secret_key;
  c.session_token = env.GetNonEmpty("AWS_SESSION_TOKEN").value_or("");
  c.account_id = env.GetNonEmpty("AWS_ACCOUNT_ID").value_or("");
  c.source = "environment variables";
  return c;
}

Result<ProviderChain> PlanCredentialChain(const ConfigFile& files, const Environment& env,
                                          const ChainOptions& options) {
  if (options.profile && !options.profile->empty()) {
    return ResolveProfileChain(files, *options.profile);
  }

  auto env_creds = EnvironmentCredentials(env);
  if (env_creds.ok()) return ProviderChain{StaticKeys{"", std::move(*env_creds)}, {}};
  if (env_creds.status().code() != ErrorCode::kNotFound) return env_creds.status();

  const std::string profile = SelectedProfileName(env, options);
  const bool implicit_default = !env.GetNonEmpty("AWS_PROFILE").has_value();
  if (!implicit_default || files.FindProfile(profile) != nullptr) {
    BaseFailure root_failure;
    auto chain = ResolveImpl(files, profile, &root_failure);
    if (chain.ok() || root_failure != BaseFailure::kNoCredentials) return chain;
    // A profile with settings but no credentials (e.g. only `region`) lets the chain go on.
  }

  if (auto token_file = env.GetNonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE")) {
    auto role_arn = env.GetNonEmpty("AWS_ROLE_ARN");
    if (!role_arn) {
      return Status(ErrorCode::kInvalidArgument,
                    "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
    return ProviderChain{WebIdentityToken{"", *role_arn, *token_file,
                                          env.GetNonEmpty("AWS_ROLE_SESSION_NAME"), std::nullopt},
                         {}};
  }
  if (env.GetNonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
      env.GetNonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    return ProviderChain{NamedSource{"", CredentialSource::kEcsContainer}, {}};
  }
  return Status(
      ErrorCode::kNotFound,
      "no credentials found: looked at AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile " +
          Quote(profile) +
          " in the config and credentials files, AWS_WEB_IDENTITY_TOKEN_FILE and "
          "AWS_CONTAINER_CREDENTIALS_*; instance metadata is not supported");
}

std::optional<RegionSetting> ResolveRegion(const ConfigFile& files, const Environment& env,
                                           std::string_view profile_name) {
  if (auto r = env.GetNonEmpty("AWS_REGION")) return RegionSetting{*r, "AWS_REGION"};
  if (auto r = env.GetNonEmpty("AWS_DEFAULT_REGION"))
    return RegionSetting{*r, "AWS_DEFAULT_REGION"};
  if (const Section* p = files.FindProfile(profile_name)) {
    if (auto r = p->Get("region"); r && !r->empty()) {
      return RegionSetting{*r, "profile " + Quote(profile_name)};
    }
  }
  return std::nullopt;
}

}  // namespace cpa::profile
