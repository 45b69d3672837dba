// libFuzzer target for the policy library: parses, validates and compiles the input as each
// policy kind, then evaluates fixed requests against whatever compiled. Nothing may crash, throw
// or trip a sanitizer. Link with cpa_policy.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/compiled.h"
#include "policy/evaluator.h"

namespace {

using namespace cpa::policy;  // NOLINT(build/namespaces)

const ContextKeys& Keys() {
  static const ContextKeys* keys = [] {
    auto* k = new ContextKeys();
    k->Set("aws:SourceIp", "203.0.113.7")
        .Set("aws:SecureTransport", "true")
        .Set("aws:CurrentTime", "2024-01-01T00:00:00Z")
        .Set("aws:EpochTime", "1704067200")
        .Set("s3:max-keys", "10")
        .Set("sts:ExternalId", "secret")
        .Set("aws:PrincipalTag/team", "blue*?")
        .SetList("aws:TagKeys", {"a", "b", "*"});
    return k;
  }();
  return *keys;
}

void EvaluateAll(const CompiledPolicy& policy) {
  static constexpr std::string_view kPrincipals[] = {
      "arn:aws:sts::111111111111:assumed-role/curated-packages-role/s1",
      "arn:aws:iam::999999999999:user/curated-packages-user",
      "arn:aws:iam::111111111111:root",
      "ecs.amazonaws.com",
      "",
  };
  static constexpr std::string_view kActions[] = {"ecr:BatchGetImage", "sts:AssumeRole",
                                                  "ecr:GetAuthorizationToken"};
  static constexpr std::string_view kResources[] = {
      "arn:aws:ecr:us-west-2:783794618700:repository/eks-anywhere-packages",
      "arn:aws:iam::111111111111:role/curated-packages-role", "*"};
  for (size_t i = 0; i < std::size(kActions); ++i) {
    for (std::string_view principal : kPrincipals) {
      EvaluationRequest r;
      r.principal_arn = principal;
      r.action = kActions[i];
      r.resource = kResources[i];
      r.user_id = "AROAEXAMPLE:s1";
      r.context = &Keys();
      EvaluationPolicies pols;
      if (policy.kind() == PolicyKind::kIdentity) {
        pols.identity = {&policy};
        pols.permissions_boundary = &policy;
        pols.session = {&policy};
      } else {
        pols.resource = &policy;
        pols.identity = {&policy};  // unvalidated use: must still be safe
      }
      Decision d = Evaluate(r, pols);
      (void)d.ToText();
      (void)d.ToJson();
      (void)d.AccessDeniedReason(r.action);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  for (PolicyKind kind : {PolicyKind::kIdentity, PolicyKind::kResource, PolicyKind::kTrust}) {
    ParseOptions o;
    o.kind = kind;
    o.verbose = true;
    o.quota = kind == PolicyKind::kTrust ? SizeQuota::kTrustPolicy : SizeQuota::kNone;
    auto doc = ParsePolicy(json, o);
    if (!doc.ok()) continue;
    auto compiled = CompiledPolicy::Compile(*doc, "fuzz");
    if (!compiled.ok()) continue;
    EvaluateAll(*compiled);
  }
  return 0;
}
