#include "share/verify.h"

namespace cpa::share {
namespace {

using core::ErrorCode;
using core::Status;

// Calls `call` until it succeeds, fails with a code `transient` does not accept, or the attempts
// run out.
template <typename T, typename Call, typename Transient>
core::Result<T> WithRetries(const RetryPolicy& retry, Call&& call, Transient&& transient) {
  int attempt = 1;
  while (true) {
    core::Result<T> out = call();
    if (out.ok() || attempt >= retry.attempts || !transient(out.status().code())) return out;
    if (retry.sleep) retry.sleep(retry.delay * attempt);
    ++attempt;
  }
}

Status RunHook(const StepHook& hook, std::string_view step) {
  return hook ? hook(step) : Status::Ok();
}

}  // namespace

core::Result<VerifyResult> VerifyChain(ChainProbe& probe, const KeyCredentials& key,
                                       const std::string& expected_user_arn,
                                       const std::string& role_arn, const std::string& session_name,
                                       const RetryPolicy& retry, const Reporter& report,
                                       const StepHook& hook) {
  VerifyResult out;
  auto fail = [&](std::string subject, const Status& status) {
    report({"verify", std::move(subject), "failed", status.message(), false, {}});
    return status;
  };

  const std::string key_subject = "key " + key.access_key_id;
  auto who = WithRetries<CallerIdentity>(
      retry, [&] { return probe.GetCallerIdentity(key); },
      [](ErrorCode c) { return c == ErrorCode::kInvalidClientTokenId; });
  if (!who.ok()) return fail(key_subject, who.status());
  if (who->arn != expected_user_arn) {
    return fail(key_subject,
                Status(ErrorCode::kAccessDenied,
                       "the key authenticates as " + who->arn + ", not as " + expected_user_arn));
  }
  out.user_arn = who->arn;
  report({"verify", key_subject, "ok", "sts:GetCallerIdentity is " + who->arn, false, {}});
  CPA_RETURN_IF_ERROR(RunHook(hook, "verify-identity"));

  const std::string role_subject = "role " + role_arn;
  auto assumed = WithRetries<AssumedRole>(
      retry, [&] { return probe.AssumeRole(key, role_arn, session_name); },
      [](ErrorCode c) {
        return c == ErrorCode::kAccessDenied || c == ErrorCode::kInvalidClientTokenId;
      });
  if (!assumed.ok()) return fail(role_subject, assumed.status());
  out.assumed_role_arn = assumed->arn;
  report({"verify", role_subject, "ok", "sts:AssumeRole gave " + assumed->arn, false, {}});
  CPA_RETURN_IF_ERROR(RunHook(hook, "assume-role"));

  auto login = WithRetries<EcrLogin>(
      retry, [&] { return probe.GetAuthorizationToken(assumed->credentials); },
      [](ErrorCode c) { return c == ErrorCode::kAccessDenied; });
  if (!login.ok()) return fail("ecr:GetAuthorizationToken as the role", login.status());
  if (login->unsupported) {
    out.ecr_note = login->detail;
    report(
        {"verify", "ecr:GetAuthorizationToken as the role", "skipped", login->detail, false, {}});
  } else {
    out.ecr_checked = true;
    out.ecr_endpoint = login->proxy_endpoint;
    report({"verify",
            "ecr:GetAuthorizationToken as the role",
            "ok",
            "token for " + login->proxy_endpoint,
            false,
            {}});
  }
  CPA_RETURN_IF_ERROR(RunHook(hook, "ecr-token"));
  return out;
}

}  // namespace cpa::share
