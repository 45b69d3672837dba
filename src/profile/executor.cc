#include "profile/executor.h"

#include <utility>

namespace cpa::profile {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

std::string OfProfile(const std::string& profile) {
  return profile.empty() ? std::string("from the environment") : "profile `" + profile + "`";
}

Status Missing(const char* what) {
  return Status(ErrorCode::kInternal, std::string("credential chain executor has no ") + what);
}

class BaseRunner {
 public:
  BaseRunner(const ChainExecutor& e, core::TimePoint now) : e_(e), now_(now) {}

  Result<Credentials> operator()(const StaticKeys& keys) const { return keys.credentials; }

  Result<Credentials> operator()(const NamedSource& s) const {
    if (s.source == CredentialSource::kEnvironment) {
      auto creds = EnvironmentCredentials(e_.env);
      if (!creds.ok()) {
        return Status(
            creds.status().code(),
            OfProfile(s.profile) + ": credential_source Environment: " + creds.status().message());
      }
      return creds;
    }
    return Status(ErrorCode::kInvalidArgument, OfProfile(s.profile) + ": credential source " +
                                                   std::string(CredentialSourceName(s.source)) +
                                                   " is not supported by cpa");
  }

  Result<Credentials> operator()(const WebIdentityToken& w) const {
    if (!e_.read_file) return Missing("read_file");
    if (!e_.assume_role_with_web_identity) return Missing("assume_role_with_web_identity");
    auto token = e_.read_file(w.web_identity_token_file);
    if (!token.ok()) {
      return Status(token.status().code(),
                    OfProfile(w.profile) +
                        ": cannot read web_identity_token_file: " + token.status().message());
    }
    WebIdentityToken call = w;
    if (!call.role_session_name) call.role_session_name = DefaultRoleSessionName(now_);
    return e_.assume_role_with_web_identity(call, *token);
  }

  Result<Credentials> operator()(const CredentialProcess& p) const {
    if (!e_.run_process) return Missing("run_process");
    return RunCredentialProcess(p, e_.run_process);
  }

  Result<Credentials> operator()(const SsoConfig& s) const {
    if (s.token_only()) {
      return Status(ErrorCode::kInvalidArgument,
                    OfProfile(s.profile) +
                        ": selected profile will resolve an access token instead of credentials "
                        "(sso_session without sso_account_id and sso_role_name)");
    }
    return Status(ErrorCode::kInvalidArgument,
                  OfProfile(s.profile) + ": SSO credentials (sso_*) are not supported by cpa");
  }

 private:
  const ChainExecutor& e_;
  core::TimePoint now_;
};

}  // namespace

std::string DefaultRoleSessionName(core::TimePoint now) {
  return "cpa-" + std::to_string(now.time_since_epoch().count());
}

Result<Credentials> ExecuteChain(const ProviderChain& chain, const ChainExecutor& executor) {
  const core::Clock& clock = executor.clock ? *executor.clock : core::DefaultClock();
  CPA_ASSIGN_OR_RETURN(Credentials creds,
                       std::visit(BaseRunner(executor, clock.Now()), chain.base));
  for (const AssumeRoleStep& step : chain.roles) {
    if (!executor.assume_role) return Missing("assume_role");
    AssumeRoleStep call = step;
    if (!call.role_session_name) call.role_session_name = DefaultRoleSessionName(clock.Now());
    auto next = executor.assume_role(creds, call);
    if (!next.ok()) {
      return Status(next.status().code(), "profile `" + step.profile + "`: AssumeRole " +
                                              step.role_arn + ": " + next.status().message());
    }
    creds = std::move(*next);
  }
  return creds;
}

}  // namespace cpa::profile
