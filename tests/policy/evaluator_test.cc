#include "policy/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "seed_policies.h"

namespace cpa::policy {
namespace {

using ::testing::HasSubstr;
using namespace cpa::policy::testing;  // NOLINT(build/namespaces): seed constants

// Compiles a document (validated for its kind) and keeps it alive for the test.
class Policies {
 public:
  const CompiledPolicy* Add(std::string_view json, PolicyKind kind, std::string name) {
    ParseOptions o;
    o.kind = kind;
    o.verbose = true;
    auto r = CompiledPolicy::FromJson(json, o, std::move(name));
    EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << json;
    if (!r.ok()) return nullptr;
    store_.push_back(std::make_unique<CompiledPolicy>(std::move(r).value()));
    return store_.back().get();
  }

 private:
  std::vector<std::unique_ptr<CompiledPolicy>> store_;
};

std::string Identity(std::string_view effect, std::string_view action, std::string_view resource,
                     std::string_view sid = "S") {
  return R"({"Version":"2012-10-17","Statement":{"Sid":")" + std::string(sid) + R"(","Effect":")" +
         std::string(effect) + R"(","Action":")" + std::string(action) + R"(","Resource":")" +
         std::string(resource) + R"("}})";
}

std::string ResourcePolicy(std::string_view effect, std::string_view principal_json,
                           std::string_view action, std::string_view sid = "R") {
  return R"({"Version":"2012-10-17","Statement":{"Sid":")" + std::string(sid) + R"(","Effect":")" +
         std::string(effect) + R"(","Principal":)" + std::string(principal_json) +
         R"(,"Action":")" + std::string(action) + R"("}})";
}

std::string Trust(std::string_view principal_json, std::string_view extra = "") {
  return R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":)" +
         std::string(principal_json) + R"(,"Action":"sts:AssumeRole")" + std::string(extra) + "}}";
}

bool TraceHas(const Decision& d, std::string_view text) {
  for (const TraceEntry& e : d.trace) {
    if (e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The seed's four documents across the matrix.

class SeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ecr_ = p_.Add(kEcrReadPolicy, PolicyKind::kIdentity, "curated-packages-policy");
    trust_ = p_.Add(kTrustPolicy, PolicyKind::kTrust, "curated-packages-role-trust");
    assume_ =
        p_.Add(kAssumeRolePolicy, PolicyKind::kIdentity, "curated-packages-assume-role-policy");
    repo_ = p_.Add(kRepositoryPolicy, PolicyKind::kResource, "eks-anywhere-packages");
  }

  Decision AssumeRole(std::string_view caller, std::vector<const CompiledPolicy*> identity,
                      const CompiledPolicy* trust) {
    EvaluationRequest r;
    r.principal_arn = caller;
    r.action = "sts:AssumeRole";
    r.resource = kRoleArn;
    EvaluationPolicies pol;
    pol.identity = std::move(identity);
    pol.resource = trust;
    return Evaluate(r, pol);
  }

  Decision SessionCall(std::string_view action, std::string_view resource,
                       const CompiledPolicy* resource_policy,
                       std::vector<const CompiledPolicy*> extra_identity = {}) {
    EvaluationRequest r;
    r.principal_arn = kSessionArn;
    r.role_arn = kRoleArn;
    r.action = action;
    r.resource = resource;
    EvaluationPolicies pol;
    pol.identity = {ecr_};
    for (auto* e : extra_identity) pol.identity.push_back(e);
    pol.resource = resource_policy;
    return Evaluate(r, pol);
  }

  Policies p_;
  const CompiledPolicy* ecr_ = nullptr;
  const CompiledPolicy* trust_ = nullptr;
  const CompiledPolicy* assume_ = nullptr;
  const CompiledPolicy* repo_ = nullptr;
};

TEST_F(SeedTest, DestinationUserMayAssumeTheRole) {
  Decision d = AssumeRole(kUserArn, {assume_}, trust_);
  EXPECT_EQ(d.kind, DecisionKind::kAllowed) << d.ToText();
  EXPECT_TRUE(TraceHas(d,
                       "identity policy 'curated-packages-assume-role-policy' statement '#0' "
                       "allows sts:AssumeRole on arn:aws:iam::111111111111:role/"
                       "curated-packages-role"))
      << d.ToText();
  EXPECT_TRUE(TraceHas(d, "names its account 999999999999")) << d.ToText();
}

TEST_F(SeedTest, DestinationUserWithoutAssumeRolePolicyMayNot) {
  Decision d = AssumeRole(kUserArn, {}, trust_);
  EXPECT_EQ(d.kind, DecisionKind::kImplicitDeny);
  EXPECT_EQ(d.missing, MissingSide::kIdentity);
  EXPECT_TRUE(TraceHas(d, "no identity policy of " + std::string(kUserArn))) << d.ToText();
  EXPECT_EQ(d.AccessDeniedReason("sts:AssumeRole"),
            " because no identity-based policy allows the sts:AssumeRole action");
}

TEST_F(SeedTest, AnotherUserOfTheDestinationAccountNeedsItsOwnIdentityPolicy) {
  EXPECT_EQ(AssumeRole("arn:aws:iam::999999999999:user/someone-else", {}, trust_).kind,
            DecisionKind::kImplicitDeny);
  // Account-level trust delegates to the account: any of its principals with the policy may.
  EXPECT_EQ(AssumeRole("arn:aws:iam::999999999999:user/someone-else", {assume_}, trust_).kind,
            DecisionKind::kAllowed);
}

TEST_F(SeedTest, AnotherAccountMayNotEvenWithAnIdentityPolicy) {
  const CompiledPolicy* broad =
      p_.Add(Identity("Allow", "sts:AssumeRole", "*"), PolicyKind::kIdentity, "assume-anything");
  Decision d = AssumeRole("arn:aws:iam::888888888888:user/curated-packages-user", {broad}, trust_);
  EXPECT_EQ(d.kind, DecisionKind::kImplicitDeny);
  EXPECT_EQ(d.missing, MissingSide::kTrust);
  EXPECT_TRUE(TraceHas(d,
                       "trust policy of arn:aws:iam::111111111111:role/curated-packages-role "
                       "does not allow arn:aws:iam::888888888888:user/curated-packages-user"))
      << d.ToText();
}

TEST_F(SeedTest, RoleWithoutTrustPolicyCannotBeAssumed) {
  Decision d = AssumeRole(kUserArn, {assume_}, nullptr);
  EXPECT_EQ(d.kind, DecisionKind::kImplicitDeny);
  EXPECT_EQ(d.missing, MissingSide::kTrust);
}

TEST_F(SeedTest, AssumeRolePolicyNamesOnlyThatRole) {
  EvaluationRequest r;
  r.principal_arn = kUserArn;
  r.action = "sts:AssumeRole";
  r.resource = "arn:aws:iam::111111111111:role/other-role";
  EvaluationPolicies pol;
  pol.identity = {assume_};
  pol.resource = trust_;
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kImplicitDeny);
}

TEST_F(SeedTest, RoleSessionMayGetAnAuthorizationToken) {
  Decision d = SessionCall("ecr:GetAuthorizationToken", "*", repo_);
  EXPECT_EQ(d.kind, DecisionKind::kAllowed) << d.ToText();
  EXPECT_TRUE(TraceHas(d,
                       "identity policy 'curated-packages-policy' statement 'ECRLogin' allows "
                       "ecr:GetAuthorizationToken on *"))
      << d.ToText();
  EXPECT_TRUE(TraceHas(d, "resource-based policies do not apply")) << d.ToText();
}

TEST_F(SeedTest, RoleSessionMayPullWhenTheRepositoryPolicyGrantsTheSubscriptionAccount) {
  for (const char* action :
       {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"}) {
    Decision d = SessionCall(action, kRepoArn, repo_);
    EXPECT_EQ(d.kind, DecisionKind::kAllowed) << action << "\n" << d.ToText();
  }
  Decision d = SessionCall("ecr:BatchGetImage", kRepoArn, repo_);
  EXPECT_TRUE(TraceHas(d,
                       "identity policy 'curated-packages-policy' statement 'ECRRead' allows "
                       "ecr:BatchGetImage on arn:aws:ecr:us-west-2:783794618700:repository/"
                       "eks-anywhere-packages"))
      << d.ToText();
  EXPECT_TRUE(TraceHas(d,
                       "resource policy of account 783794618700 statement "
                       "'AllowSubscriptionAccountPull' allows ecr:BatchGetImage to " +
                           std::string(kSessionArn)))
      << d.ToText();
  // Any region of the packages account: the policy says arn:aws:ecr:*:783794618700:repository/*.
  EXPECT_TRUE(
      SessionCall("ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:783794618700:repository/a/b/c", repo_)
          .allowed());
  // Action names are case-insensitive.
  EXPECT_TRUE(SessionCall("ECR:batchgetimage", kRepoArn, repo_).allowed());
}

TEST_F(SeedTest, ExplicitDenyReasonNamesThePolicyKind) {
  const CompiledPolicy* deny = p_.Add(
      ResourcePolicy("Deny", R"({"AWS":"arn:aws:iam::111111111111:root"})", "ecr:BatchGetImage"),
      PolicyKind::kResource, "deny-subscriber");
  Decision d = SessionCall("ecr:BatchGetImage", kRepoArn, deny);
  EXPECT_EQ(d.kind, DecisionKind::kExplicitDeny);
  EXPECT_EQ(d.AccessDeniedReason("ecr:BatchGetImage"),
            " with an explicit deny in a resource-based policy");
}

TEST_F(SeedTest, PullIsDeniedWithoutARepositoryGrant) {
  Decision d = SessionCall("ecr:BatchGetImage", kRepoArn, nullptr);
  EXPECT_EQ(d.kind, DecisionKind::kImplicitDeny);
  EXPECT_EQ(d.missing, MissingSide::kResource);
  EXPECT_EQ(d.AccessDeniedReason("ecr:BatchGetImage"),
            " because no resource-based policy allows the ecr:BatchGetImage action");

  const CompiledPolicy* other = p_.Add(
      ResourcePolicy("Allow", R"({"AWS":"arn:aws:iam::222222222222:root"})", "ecr:BatchGetImage"),
      PolicyKind::kResource, "other-account-grant");
  d = SessionCall("ecr:BatchGetImage", kRepoArn, other);
  EXPECT_EQ(d.kind, DecisionKind::kImplicitDeny);
  EXPECT_TRUE(TraceHas(d,
                       "cross-account: resource policy of account 783794618700 does not "
                       "allow arn:aws:sts::111111111111:assumed-role/curated-packages-role/s1"))
      << d.ToText();
}

TEST_F(SeedTest, PullOutsideThePackagesAccountOrBeyondReadIsDenied) {
  // Another registry account: the identity policy does not cover it.
  Decision d =
      SessionCall("ecr:BatchGetImage",
                  "arn:aws:ecr:us-west-2:346438352937:repository/eks-anywhere-packages", repo_);
  EXPECT_EQ(d.kind, DecisionKind::kImplicitDeny);
  EXPECT_EQ(d.missing, MissingSide::kIdentity);
  // Push is not granted by either side.
  EXPECT_EQ(SessionCall("ecr:PutImage", kRepoArn, repo_).kind, DecisionKind::kImplicitDeny);
  // The destination user itself (not the role session) cannot pull.
  EvaluationRequest r;
  r.principal_arn = kUserArn;
  r.action = "ecr:BatchGetImage";
  r.resource = kRepoArn;
  EvaluationPolicies pol;
  pol.identity = {assume_};
  pol.resource = repo_;
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kImplicitDeny);
}

TEST_F(SeedTest, ExplicitDenyAnywhereWins) {
  const CompiledPolicy* deny_id =
      p_.Add(Identity("Deny", "ecr:*", "*", "NoEcr"), PolicyKind::kIdentity, "deny-ecr");
  Decision d = SessionCall("ecr:BatchGetImage", kRepoArn, repo_, {deny_id});
  EXPECT_EQ(d.kind, DecisionKind::kExplicitDeny);
  EXPECT_TRUE(TraceHas(d,
                       "identity policy 'deny-ecr' statement 'NoEcr' explicitly denies "
                       "ecr:BatchGetImage on " +
                           std::string(kRepoArn)))
      << d.ToText();
  EXPECT_EQ(SessionCall("ecr:GetAuthorizationToken", "*", repo_, {deny_id}).kind,
            DecisionKind::kExplicitDeny);

  // In the repository policy.
  const CompiledPolicy* repo_deny = p_.Add(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"Grant","Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"ecr:*"},
      {"Sid":"NoSessions","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:role/curated-packages-role"},
       "Action":"ecr:BatchGetImage"}]})",
                                           PolicyKind::kResource, "repo-with-deny");
  d = SessionCall("ecr:BatchGetImage", kRepoArn, repo_deny);
  EXPECT_EQ(d.kind, DecisionKind::kExplicitDeny) << d.ToText();
  EXPECT_TRUE(SessionCall("ecr:ListImages", kRepoArn, repo_deny).allowed());

  // In a permissions boundary and a session policy.
  EvaluationRequest r;
  r.principal_arn = kSessionArn;
  r.action = "ecr:BatchGetImage";
  r.resource = kRepoArn;
  EvaluationPolicies pol;
  pol.identity = {ecr_};
  pol.resource = repo_;
  pol.permissions_boundary = deny_id;
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kExplicitDeny);
  pol.permissions_boundary = nullptr;
  pol.session = {deny_id};
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kExplicitDeny);

  // In the trust policy.
  const CompiledPolicy* trust_deny = p_.Add(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"sts:AssumeRole"},
      {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::999999999999:user/curated-packages-user"},
       "Action":"sts:AssumeRole"}]})",
                                            PolicyKind::kTrust, "trust-with-deny");
  EXPECT_EQ(AssumeRole(kUserArn, {assume_}, trust_deny).kind, DecisionKind::kExplicitDeny);
}

TEST_F(SeedTest, DecisionRendersAsTextAndJson) {
  Decision d = SessionCall("ecr:BatchGetImage", kRepoArn, repo_);
  std::string text = d.ToText();
  EXPECT_THAT(text, ::testing::StartsWith("decision: allowed\n  - identity policy"));
  auto j = nlohmann::json::parse(d.ToJson());
  EXPECT_EQ(j["decision"], "allowed");
  ASSERT_TRUE(j["trace"].is_array());
  ASSERT_GE(j["trace"].size(), 2u);
  EXPECT_EQ(j["trace"][0]["policyType"], "identity");
  EXPECT_EQ(j["trace"][0]["policy"], "curated-packages-policy");
  EXPECT_EQ(j["trace"][0]["statement"], "ECRRead");
  EXPECT_EQ(j["trace"][0]["effect"], "Allow");
  EXPECT_EQ(j["trace"][1]["policyType"], "resource");
  EXPECT_EQ(
      nlohmann::json::parse(SessionCall("ecr:PutImage", kRepoArn, repo_).ToJson())["decision"],
      "implicitDeny");
  // Without a trace the decision is the same.
  EvaluationRequest r;
  r.principal_arn = kSessionArn;
  r.action = "ecr:BatchGetImage";
  r.resource = kRepoArn;
  EvaluationPolicies pol;
  pol.identity = {ecr_};
  pol.resource = repo_;
  Decision quiet = Evaluate(r, pol, EvaluateOptions{.trace = false});
  EXPECT_TRUE(quiet.allowed());
  EXPECT_TRUE(quiet.trace.empty());
}

// ---------------------------------------------------------------------------------------------
// Reference §9.6: account relation x identity x resource policy.

enum class Id { kAllow, kAbsent, kDeny };
enum class Res { kNamesPrincipal, kNamesAccount, kNamesStar, kAbsent, kDeny };

DecisionKind Expected(bool same_account, Id id, Res res) {
  if (id == Id::kDeny || res == Res::kDeny) return DecisionKind::kExplicitDeny;
  bool id_ok = id == Id::kAllow;
  bool res_any = res == Res::kNamesPrincipal || res == Res::kNamesAccount || res == Res::kNamesStar;
  bool res_direct = res == Res::kNamesPrincipal || res == Res::kNamesStar;
  bool allowed = same_account ? (id_ok || res_direct) : (id_ok && res_any);
  return allowed ? DecisionKind::kAllowed : DecisionKind::kImplicitDeny;
}

TEST(EvaluatorMatrixTest, AccountRelationIdentityAndResourcePolicy) {
  Policies p;
  const std::string repo = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  for (bool same : {true, false}) {
    const std::string account = same ? "111111111111" : "222222222222";
    const std::string user = "arn:aws:iam::" + account + ":user/u";
    for (Id id : {Id::kAllow, Id::kAbsent, Id::kDeny}) {
      for (Res res :
           {Res::kNamesPrincipal, Res::kNamesAccount, Res::kNamesStar, Res::kAbsent, Res::kDeny}) {
        EvaluationPolicies pol;
        if (id != Id::kAbsent) {
          pol.identity = {p.Add(Identity(id == Id::kAllow ? "Allow" : "Deny", "ecr:BatchGetImage",
                                         "arn:aws:ecr:*:111111111111:repository/*"),
                                PolicyKind::kIdentity, "id")};
        }
        switch (res) {
          case Res::kNamesPrincipal:
            pol.resource = p.Add(ResourcePolicy("Allow", R"({"AWS":")" + user + R"("})", "ecr:*"),
                                 PolicyKind::kResource, "repo");
            break;
          case Res::kNamesAccount:
            pol.resource =
                p.Add(ResourcePolicy("Allow", R"({"AWS":")" + account + R"("})", "ecr:*"),
                      PolicyKind::kResource, "repo");
            break;
          case Res::kNamesStar:
            pol.resource =
                p.Add(ResourcePolicy("Allow", R"("*")", "ecr:*"), PolicyKind::kResource, "repo");
            break;
          case Res::kDeny:
            pol.resource = p.Add(ResourcePolicy("Deny", R"({"AWS":")" + account + R"("})", "ecr:*"),
                                 PolicyKind::kResource, "repo");
            break;
          case Res::kAbsent:
            break;
        }
        EvaluationRequest r;
        r.principal_arn = user;
        r.action = "ecr:BatchGetImage";
        r.resource = repo;
        Decision d = Evaluate(r, pol);
        EXPECT_EQ(d.kind, Expected(same, id, res))
            << "same=" << same << " id=" << static_cast<int>(id) << " res=" << static_cast<int>(res)
            << "\n"
            << d.ToText();
      }
    }
  }
}

// Reference §8.2 table: which ARN the resource policy names decides whether a permissions
// boundary or a session policy limits the grant (same account, caller is a role session).
enum class Names { kSession, kRole, kAccount, kNothing };
enum class Limit { kAbsent, kAllow, kImplicitDeny };

TEST(EvaluatorMatrixTest, BoundaryAndSessionPolicyVersusResourceGrant) {
  Policies p;
  const std::string session = "arn:aws:sts::111111111111:assumed-role/app/s1";
  const std::string role = "arn:aws:iam::111111111111:role/app";
  const std::string repo = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  const CompiledPolicy* allow =
      p.Add(Identity("Allow", "ecr:BatchGetImage", "*"), PolicyKind::kIdentity, "allow");
  const CompiledPolicy* other =
      p.Add(Identity("Allow", "s3:GetObject", "*"), PolicyKind::kIdentity, "other");
  for (Names names : {Names::kSession, Names::kRole, Names::kAccount, Names::kNothing}) {
    for (bool identity : {true, false}) {
      for (Limit boundary : {Limit::kAbsent, Limit::kAllow, Limit::kImplicitDeny}) {
        for (Limit sess : {Limit::kAbsent, Limit::kAllow, Limit::kImplicitDeny}) {
          EvaluationPolicies pol;
          if (identity) pol.identity = {allow};
          if (boundary != Limit::kAbsent) {
            pol.permissions_boundary = boundary == Limit::kAllow ? allow : other;
          }
          if (sess != Limit::kAbsent) pol.session = {sess == Limit::kAllow ? allow : other};
          std::string principal = names == Names::kSession ? session
                                  : names == Names::kRole  ? role
                                                           : "111111111111";
          if (names != Names::kNothing) {
            pol.resource =
                p.Add(ResourcePolicy("Allow", R"({"AWS":")" + principal + R"("})", "ecr:*"),
                      PolicyKind::kResource, "repo");
          }
          EvaluationRequest r;
          r.principal_arn = session;
          r.action = "ecr:BatchGetImage";
          r.resource = repo;
          const bool limits_ok = boundary != Limit::kImplicitDeny && sess != Limit::kImplicitDeny;
          bool want = names == Names::kSession || (names == Names::kRole && limits_ok) ||
                      (identity && limits_ok);
          Decision d = Evaluate(r, pol);
          EXPECT_EQ(d.allowed(), want)
              << "names=" << static_cast<int>(names) << " identity=" << identity
              << " boundary=" << static_cast<int>(boundary) << " session=" << static_cast<int>(sess)
              << "\n"
              << d.ToText();
        }
      }
    }
  }
}

TEST(EvaluatorTest, CrossAccountBoundaryStillLimits) {
  Policies p;
  const CompiledPolicy* allow =
      p.Add(Identity("Allow", "ecr:BatchGetImage", "*"), PolicyKind::kIdentity, "allow");
  const CompiledPolicy* other =
      p.Add(Identity("Allow", "s3:GetObject", "*"), PolicyKind::kIdentity, "boundary");
  const CompiledPolicy* repo =
      p.Add(ResourcePolicy("Allow", R"({"AWS":"arn:aws:iam::222222222222:user/u"})", "ecr:*"),
            PolicyKind::kResource, "repo");
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::222222222222:user/u";
  r.action = "ecr:BatchGetImage";
  r.resource = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  EvaluationPolicies pol;
  pol.identity = {allow};
  pol.resource = repo;
  EXPECT_TRUE(Evaluate(r, pol).allowed());
  pol.permissions_boundary = other;
  Decision d = Evaluate(r, pol);
  EXPECT_EQ(d.kind, DecisionKind::kImplicitDeny);
  EXPECT_EQ(d.missing, MissingSide::kPermissionsBoundary);
  EXPECT_TRUE(TraceHas(d, "permissions boundary 'boundary' does not allow")) << d.ToText();
}

// Reference §4.4: resource-less actions are authorized against "*".
TEST(EvaluatorTest, ResourceLessActions) {
  Policies p;
  auto eval = [&](const std::string& identity_json, const CompiledPolicy* resource = nullptr) {
    EvaluationRequest r;
    r.principal_arn = "arn:aws:iam::111111111111:user/u";
    r.action = "ecr:GetAuthorizationToken";
    r.resource = "*";
    EvaluationPolicies pol;
    pol.identity = {p.Add(identity_json, PolicyKind::kIdentity, "id")};
    pol.resource = resource;
    return Evaluate(r, pol).kind;
  };
  const std::string specific = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  EXPECT_EQ(eval(Identity("Allow", "ecr:GetAuthorizationToken", "*")), DecisionKind::kAllowed);
  EXPECT_EQ(eval(Identity("Allow", "ecr:GetAuthorizationToken", specific)),
            DecisionKind::kImplicitDeny);
  EXPECT_EQ(eval(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
                "Action":"ecr:GetAuthorizationToken","NotResource":")" +
                 specific + R"("}})"),
            DecisionKind::kAllowed);
  EXPECT_EQ(eval(R"({"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"ecr:*","Resource":"*"},
                {"Effect":"Deny","Action":"ecr:*","Resource":")" +
                 specific + R"("}]})"),
            DecisionKind::kAllowed);
  // A repository policy can never grant it.
  const CompiledPolicy* star_repo =
      p.Add(ResourcePolicy("Allow", R"("*")", "ecr:*"), PolicyKind::kResource, "repo");
  EXPECT_EQ(eval(Identity("Allow", "s3:*", "*"), star_repo), DecisionKind::kImplicitDeny);
}

// ---------------------------------------------------------------------------------------------
// Trust policies (§8.4): principal forms, same and cross account.

struct TrustCase {
  const char* name;
  std::string principal_json;
  bool same_account;
  bool identity;
  DecisionKind want;
};

class TrustTest : public ::testing::TestWithParam<TrustCase> {};

TEST_P(TrustTest, Decides) {
  const TrustCase& c = GetParam();
  Policies p;
  const std::string account = c.same_account ? "111111111111" : "999999999999";
  EvaluationRequest r;
  const std::string user = "arn:aws:iam::" + account + ":user/u";
  r.principal_arn = user;
  r.action = "sts:AssumeRole";
  r.resource = "arn:aws:iam::111111111111:role/target";
  std::string principal = c.principal_json;
  for (size_t pos; (pos = principal.find("ACCOUNT")) != std::string::npos;) {
    principal.replace(pos, 7, account);
  }
  EvaluationPolicies pol;
  pol.resource = p.Add(Trust(principal), PolicyKind::kTrust, "trust");
  if (c.identity) {
    pol.identity = {p.Add(Identity("Allow", "sts:AssumeRole", "*"), PolicyKind::kIdentity, "id")};
  }
  Decision d = Evaluate(r, pol);
  EXPECT_EQ(d.kind, c.want) << d.ToText();
}

INSTANTIATE_TEST_SUITE_P(
    PrincipalForms, TrustTest,
    ::testing::Values(
        TrustCase{"SameExactNoIdentity", R"({"AWS":"arn:aws:iam::ACCOUNT:user/u"})", true, false,
                  DecisionKind::kAllowed},
        TrustCase{"SameRootNoIdentity", R"({"AWS":"arn:aws:iam::ACCOUNT:root"})", true, false,
                  DecisionKind::kImplicitDeny},
        TrustCase{"SameRootIdentity", R"({"AWS":"arn:aws:iam::ACCOUNT:root"})", true, true,
                  DecisionKind::kAllowed},
        TrustCase{"SameIdNoIdentity", R"({"AWS":"ACCOUNT"})", true, false,
                  DecisionKind::kImplicitDeny},
        TrustCase{"SameIdIdentity", R"({"AWS":"ACCOUNT"})", true, true, DecisionKind::kAllowed},
        TrustCase{"SameOtherNoTrust", R"({"AWS":"arn:aws:iam::ACCOUNT:user/other"})", true, true,
                  DecisionKind::kImplicitDeny},
        TrustCase{"CrossExactNoIdentity", R"({"AWS":"arn:aws:iam::ACCOUNT:user/u"})", false, false,
                  DecisionKind::kImplicitDeny},
        TrustCase{"CrossExactIdentity", R"({"AWS":"arn:aws:iam::ACCOUNT:user/u"})", false, true,
                  DecisionKind::kAllowed},
        TrustCase{"CrossRootIdentity", R"({"AWS":"arn:aws:iam::ACCOUNT:root"})", false, true,
                  DecisionKind::kAllowed},
        TrustCase{"CrossIdNoIdentity", R"({"AWS":"ACCOUNT"})", false, false,
                  DecisionKind::kImplicitDeny},
        TrustCase{"CrossIdIdentity", R"({"AWS":"ACCOUNT"})", false, true, DecisionKind::kAllowed},
        TrustCase{"CrossOtherAccount", R"({"AWS":"arn:aws:iam::888888888888:root"})", false, true,
                  DecisionKind::kImplicitDeny},
        // Contradiction 2 settled: "*" is accepted and names every principal; same account needs
        // nothing else, another account still needs its identity policy.
        TrustCase{"SameStarNoIdentity", R"("*")", true, false, DecisionKind::kAllowed},
        TrustCase{"SameAwsStarNoIdentity", R"({"AWS":"*"})", true, false, DecisionKind::kAllowed},
        TrustCase{"CrossStarNoIdentity", R"({"AWS":"*"})", false, false,
                  DecisionKind::kImplicitDeny},
        TrustCase{"CrossStarIdentity", R"({"AWS":"*"})", false, true, DecisionKind::kAllowed}),
    [](const ::testing::TestParamInfo<TrustCase>& i) { return std::string(i.param.name); });

TEST(EvaluatorTest, TrustPolicyConditionOnExternalId) {
  Policies p;
  const CompiledPolicy* trust =
      p.Add(Trust(R"({"AWS":"999999999999"})",
                  R"(,"Condition":{"StringEquals":{"sts:ExternalId":"secret-1"}})"),
            PolicyKind::kTrust, "trust");
  const CompiledPolicy* id =
      p.Add(Identity("Allow", "sts:AssumeRole", "*"), PolicyKind::kIdentity, "id");
  ContextKeys keys;
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::999999999999:user/u";
  r.action = "sts:AssumeRole";
  r.resource = "arn:aws:iam::111111111111:role/target";
  r.context = &keys;
  EvaluationPolicies pol;
  pol.identity = {id};
  pol.resource = trust;
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  keys.Set("sts:ExternalId", "wrong");
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  keys.Set("sts:ExternalId", "secret-1");
  EXPECT_TRUE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, RoleSessionTrustedViaItsRole) {
  // Role chaining: a session of role A assumes role B whose trust policy names role A.
  Policies p;
  const CompiledPolicy* trust =
      p.Add(Trust(R"({"AWS":"arn:aws:iam::111111111111:role/a"})"), PolicyKind::kTrust, "trust");
  EvaluationRequest r;
  r.principal_arn = "arn:aws:sts::111111111111:assumed-role/a/s";
  r.action = "sts:AssumeRole";
  r.resource = "arn:aws:iam::111111111111:role/b";
  EvaluationPolicies pol;
  pol.resource = trust;
  Decision d = Evaluate(r, pol);
  EXPECT_TRUE(d.allowed()) << d.ToText();
  EXPECT_TRUE(TraceHas(d, "names its role arn:aws:iam::111111111111:role/a")) << d.ToText();
  // With an explicit role ARN that has a path, the trust policy must name that ARN.
  r.role_arn = "arn:aws:iam::111111111111:role/team/a";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

// ---------------------------------------------------------------------------------------------
// Principal kinds and special cases.

TEST(EvaluatorTest, RootUserHasFullAccessInItsAccount) {
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:root";
  r.action = "ecr:DeleteRepository";
  r.resource = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  EXPECT_TRUE(Evaluate(r, {}).allowed());
  r.resource = "arn:aws:ecr:us-west-2:222222222222:repository/r";
  EXPECT_FALSE(Evaluate(r, {}).allowed());
}

TEST(EvaluatorTest, GetCallerIdentityNeedsNoPermission) {
  Policies p;
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  r.action = "sts:GetCallerIdentity";
  r.resource = "*";
  EvaluationPolicies pol;
  pol.identity = {p.Add(Identity("Deny", "*", "*"), PolicyKind::kIdentity, "deny-all")};
  EXPECT_TRUE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, FederationTokenSessionWithoutSessionPolicyHasNoPermissions) {
  Policies p;
  EvaluationRequest r;
  r.principal_arn = "arn:aws:sts::111111111111:federated-user/bob";
  r.federation_token_session = true;
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::b/k";
  EvaluationPolicies pol;
  pol.identity = {p.Add(Identity("Allow", "s3:*", "*"), PolicyKind::kIdentity, "user-policy")};
  Decision d = Evaluate(r, pol);
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.missing, MissingSide::kSession);
  pol.session = {pol.identity[0]};
  EXPECT_TRUE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, AnonymousAndServicePrincipals) {
  Policies p;
  const CompiledPolicy* pub =
      p.Add(ResourcePolicy("Allow", R"("*")", "ecr:BatchGetImage"), PolicyKind::kResource, "pub");
  const CompiledPolicy* svc =
      p.Add(ResourcePolicy("Allow", R"({"Service":"codebuild.amazonaws.com"})", "ecr:*"),
            PolicyKind::kResource, "svc");
  EvaluationRequest r;
  r.action = "ecr:BatchGetImage";
  r.resource = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  EvaluationPolicies pol;
  pol.resource = pub;
  EXPECT_TRUE(Evaluate(r, pol).allowed());  // anonymous, public repository
  pol.resource = svc;
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  r.principal_arn = "codebuild.amazonaws.com";
  EXPECT_TRUE(Evaluate(r, pol).allowed());
  r.principal_arn = "ecs.amazonaws.com";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, NotPrincipalDenyExemptsOnlyWithTheAccount) {
  Policies p;
  auto repo = [&](std::string_view not_principals) {
    return p.Add(R"({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":"*","Action":"ecr:*"},
        {"Effect":"Deny","NotPrincipal":{"AWS":)" +
                     std::string(not_principals) + R"(},"Action":"ecr:*"}]})",
                 PolicyKind::kResource, "repo");
  };
  EvaluationRequest r;
  r.principal_arn = "arn:aws:sts::111111111111:assumed-role/app/s1";
  r.action = "ecr:BatchGetImage";
  r.resource = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  EvaluationPolicies pol;
  // Only the session listed: AWS evaluates the account first, so the caller is still denied.
  pol.resource = repo(R"(["arn:aws:sts::111111111111:assumed-role/app/s1"])");
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kExplicitDeny);
  // Account and role listed: exempt.
  pol.resource = repo(R"(["arn:aws:iam::111111111111:root","arn:aws:iam::111111111111:role/app"])");
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kAllowed);
  // Someone else.
  r.principal_arn = "arn:aws:iam::111111111111:user/other";
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kExplicitDeny);
}

TEST(EvaluatorTest, NotActionWithNarrowResource) {
  Policies p;
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  EvaluationPolicies pol;
  pol.identity = {p.Add(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}})",
                        PolicyKind::kIdentity, "id")};
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::b/k";
  EXPECT_TRUE(Evaluate(r, pol).allowed());
  r.action = "s3:DeleteBucket";
  r.resource = "arn:aws:s3:::b";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  r.action = "s3:ListAllMyBuckets";
  r.resource = "*";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

// ---------------------------------------------------------------------------------------------
// Resource matching: wildcards, segments, case, variables.

struct ResourceCase {
  const char* pattern;
  const char* resource;
  bool want;
};

class ResourceMatchTest : public ::testing::TestWithParam<ResourceCase> {};

TEST_P(ResourceMatchTest, Matches) {
  const ResourceCase& c = GetParam();
  Policies p;
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  r.action = "s3:GetObject";
  r.resource = c.resource;
  r.resource_account = "111111111111";
  EvaluationPolicies pol;
  pol.identity = {p.Add(Identity("Allow", "s3:GetObject", c.pattern), PolicyKind::kIdentity, "id")};
  EXPECT_EQ(Evaluate(r, pol).allowed(), c.want) << c.pattern << " vs " << c.resource;
}

INSTANTIATE_TEST_SUITE_P(
    Arns, ResourceMatchTest,
    ::testing::Values(
        ResourceCase{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*",
                     "arn:aws:s3:::DOC-EXAMPLE-BUCKET//test/object.jpg", true},
        ResourceCase{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*",
                     "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/test/", true},
        ResourceCase{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*",
                     "arn:aws:s3:::DOC-EXAMPLE-BUCKET/test/object.jpg", false},
        // '*' in the resource part crosses ':' and '/'.
        ResourceCase{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x:y/z", true},
        // '*' in one segment does not swallow the next segments.
        ResourceCase{"arn:aws:ecr:*:111111111111:repository/*",
                     "arn:aws:ecr:us-west-2:111111111111:repository/r", true},
        ResourceCase{"arn:aws:ecr:*:111111111111:repository/*",
                     "arn:aws:ecr:us-west-2:222222222222:repository/r", false},
        ResourceCase{"arn:aws:ecr:us-*-2:111111111111:repository/r",
                     "arn:aws:ecr:us-west-2:111111111111:repository/r", true},
        ResourceCase{"arn:aws:ecr:us-west-?:111111111111:repository/r",
                     "arn:aws:ecr:us-west-2:111111111111:repository/r", true},
        ResourceCase{"arn:aws:ecr:us-west-?:111111111111:repository/r",
                     "arn:aws:ecr:us-west-10:111111111111:repository/r", false},
        // Literal dots and pluses.
        ResourceCase{"arn:aws:s3:::my.bucket/a+b", "arn:aws:s3:::myxbucket/a+b", false},
        ResourceCase{"arn:aws:s3:::my.bucket/a+b", "arn:aws:s3:::my.bucket/aab", false},
        ResourceCase{"arn:aws:s3:::my.bucket/a+b", "arn:aws:s3:::my.bucket/a+b", true},
        // The resource part is case-sensitive (contradiction 7: user names in Resource are
        // matched case-sensitively, as the current UG says; uniqueness is a separate matter).
        ResourceCase{"arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/k", false},
        ResourceCase{"arn:aws:iam::111111111111:user/Alice", "arn:aws:iam::111111111111:user/alice",
                     false},
        // Contradiction 6 (case of the other segments): matched case-sensitively too. AWS
        // documents only lower-case partitions, services and regions, so for every valid ARN the
        // result equals iam-simulate's case-insensitive choice; a mixed-case pattern such as
        // "arn:aws:S3" names no real resource and matches nothing.
        ResourceCase{"arn:aws:S3:::bucket/*", "arn:aws:s3:::bucket/k", false},
        ResourceCase{"arn:aws:ecr:US-WEST-2:111111111111:repository/r",
                     "arn:aws:ecr:us-west-2:111111111111:repository/r", false},
        // Short ARNs in identity policies are padded with '*'.
        ResourceCase{"arn:aws:ecr:*", "arn:aws:ecr:us-west-2:111111111111:repository/r", true},
        ResourceCase{"arn:aws:ecr", "arn:aws:ecr:us-west-2:111111111111:repository/r", true},
        ResourceCase{"arn:aws:ecr:us-west-2", "arn:aws:ecr:us-east-1:111111111111:repository/r",
                     false},
        ResourceCase{"*", "arn:aws:s3:::bucket/k", true},
        // A request resource that is not an ARN matches only "*".
        ResourceCase{"arn:aws:s3:::*", "bucket", false}));

TEST(EvaluatorTest, ShortArnInResourcePolicyNeverMatches) {
  Policies p;
  const CompiledPolicy* repo = p.Add(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",
      "Principal":"*","Action":"ecr:*","Resource":"arn:aws:ecr:*"}})",
                                     PolicyKind::kResource, "repo");
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  r.action = "ecr:BatchGetImage";
  r.resource = "arn:aws:ecr:us-west-2:111111111111:repository/r";
  EvaluationPolicies pol;
  pol.resource = repo;
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, PolicyVariablesInResource) {
  Policies p;
  const std::string doc = R"({"Version":"VERSION","Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::home/${aws:username}/*"}})";
  auto with_version = [&](std::string v) {
    std::string d = doc;
    d.replace(d.find("VERSION"), 7, v);
    return p.Add(d, PolicyKind::kIdentity, "home-" + v);
  };
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/engineering/alice";
  r.action = "s3:GetObject";
  EvaluationPolicies pol;
  pol.identity = {with_version("2012-10-17")};
  r.resource = "arn:aws:s3:::home/alice/notes.txt";
  EXPECT_TRUE(Evaluate(r, pol).allowed());
  r.resource = "arn:aws:s3:::home/bob/notes.txt";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  // Roles have no aws:username: the statement matches nothing.
  r.principal_arn = "arn:aws:sts::111111111111:assumed-role/alice/s";
  r.resource = "arn:aws:s3:::home/alice/notes.txt";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  // Under 2008-10-17 the variable is literal text.
  r.principal_arn = "arn:aws:iam::111111111111:user/alice";
  pol.identity = {with_version("2008-10-17")};
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  r.resource = "arn:aws:s3:::home/${aws:username}/x";
  EXPECT_TRUE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, VariableValuesAreLiteralInResources) {
  Policies p;
  EvaluationPolicies pol;
  pol.identity = {p.Add(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::b/${aws:PrincipalTag/prefix}/${*}"}})",
                        PolicyKind::kIdentity, "id")};
  ContextKeys keys;
  keys.Set("aws:PrincipalTag/prefix", "*");
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  r.action = "s3:GetObject";
  r.context = &keys;
  r.resource = "arn:aws:s3:::b/*/*";
  EXPECT_TRUE(Evaluate(r, pol).allowed());
  r.resource = "arn:aws:s3:::b/x/*";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  r.resource = "arn:aws:s3:::b/*/y";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, DerivedContextKeys) {
  Policies p;
  EvaluationPolicies pol;
  pol.identity = {p.Add(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:*",
      "Resource":"*","Condition":{
        "StringEquals":{"aws:PrincipalAccount":"111111111111","aws:PrincipalType":"AssumedRole",
                        "aws:userid":"AROAEXAMPLE:s1"},
        "ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/curated-packages-role"}}}})",
                        PolicyKind::kIdentity, "id")};
  EvaluationRequest r;
  r.principal_arn = kSessionArn;
  r.user_id = "AROAEXAMPLE:s1";
  r.action = "ecr:GetAuthorizationToken";
  r.resource = "*";
  Decision d = Evaluate(r, pol);
  EXPECT_TRUE(d.allowed()) << d.ToText();
  r.user_id = "AROAEXAMPLE:s2";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, ConditionsCombineWithAndAcrossOperatorsAndKeys) {
  Policies p;
  EvaluationPolicies pol;
  pol.identity = {p.Add(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"*","Condition":{
        "IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},
        "Bool":{"aws:SecureTransport":"true"},
        "StringEquals":{"s3:prefix":"home/","aws:RequestedRegion":"us-west-2"}}}})",
                        PolicyKind::kIdentity, "id")};
  ContextKeys keys;
  keys.Set("aws:SourceIp", "192.168.4.4")
      .Set("aws:SecureTransport", "true")
      .Set("s3:prefix", "home/")
      .Set("aws:RequestedRegion", "us-west-2");
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  r.action = "s3:ListBucket";
  r.resource = "arn:aws:s3:::b";
  r.context = &keys;
  EXPECT_TRUE(Evaluate(r, pol).allowed());
  keys.Set("aws:RequestedRegion", "us-east-1");
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  keys.Set("aws:RequestedRegion", "us-west-2").Set("aws:SourceIp", "8.8.8.8");
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  keys.Set("aws:SourceIp", "10.1.1.1").Remove("aws:SecureTransport");
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

TEST(EvaluatorTest, DenyWithStringNotEqualsIfExistsDeniesWhenKeyMissing) {
  Policies p;
  EvaluationPolicies pol;
  pol.identity = {p.Add(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"s3:*","Resource":"*"},
      {"Effect":"Deny","Action":"s3:*","Resource":"*",
       "Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}]})",
                        PolicyKind::kIdentity, "id")};
  ContextKeys keys;
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::b/k";
  r.context = &keys;
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kExplicitDeny);
  keys.Set("aws:SourceVpc", "vpc-1");
  EXPECT_EQ(Evaluate(r, pol).kind, DecisionKind::kAllowed);
}

// Contradiction 1: a Bool condition with a policy variable evaluates with the substituted value.
TEST(EvaluatorTest, Contradiction1BoolWithVariableEvaluates) {
  Policies p;
  EvaluationPolicies pol;
  pol.identity = {p.Add(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"${aws:PrincipalTag/needs-tls}"}}}})",
                        PolicyKind::kIdentity, "id")};
  ContextKeys keys;
  keys.Set("aws:PrincipalTag/needs-tls", "true").Set("aws:SecureTransport", "true");
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/u";
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::b/k";
  r.context = &keys;
  EXPECT_TRUE(Evaluate(r, pol).allowed());
  keys.Set("aws:SecureTransport", "false");
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  keys.Remove("aws:PrincipalTag/needs-tls");  // unresolved variable: never matches
  keys.Set("aws:SecureTransport", "true");
  EXPECT_FALSE(Evaluate(r, pol).allowed());
}

// Contradiction 3 at evaluation time: no Version means 2008-10-17, variables are literal.
TEST(EvaluatorTest, Contradiction3AbsentVersionEvaluatesAs2008) {
  Policies p;
  EvaluationPolicies pol;
  pol.identity = {p.Add(R"({"Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::home/${aws:username}"}})",
                        PolicyKind::kIdentity, "id")};
  EvaluationRequest r;
  r.principal_arn = "arn:aws:iam::111111111111:user/alice";
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::home/alice";
  EXPECT_FALSE(Evaluate(r, pol).allowed());
  r.resource = "arn:aws:s3:::home/${aws:username}";
  EXPECT_TRUE(Evaluate(r, pol).allowed());
}

}  // namespace
}  // namespace cpa::policy
