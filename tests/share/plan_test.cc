// ComputePlan: what a run must change, from the desired and observed states.
#include "share/plan.h"

#include <gtest/gtest.h>

#include "share/config.h"
#include "share/documents.h"

namespace cpa::share {
namespace {

core::TimePoint At(int s) { return core::TimePoint(std::chrono::seconds(1700000000 + s)); }

class PlanTest : public ::testing::Test {
 protected:
  Desired d_ = MakeDesired("aws", "us-west-2", "111111111111", "999999999999", "346438352937",
                           Names{}, "out");

  // Everything in place, with key AKIA1 in the files.
  Observed Complete() {
    Observed o;
    o.policy = {true, "v1", d_.policy_document, {{"v1", true, At(0)}}};
    o.role = {true, d_.role_arn, d_.trust_document, {d_.policy_arn}};
    o.assume_policy = {true, "v1", d_.assume_policy_document, {{"v1", true, At(0)}}};
    o.user = {true,
              "arn:aws:iam::999999999999:user/curated-packages-user",
              {d_.assume_policy_arn},
              {{"AKIA1", "Active", At(0)}}};
    o.config_key = {ConfigKeyState::kUsable, "AKIA1", "s1", ""};
    const std::string config =
        RenderConfig({"curated-packages-user", d_.role_arn, "us-west-2", "AKIA1", "s1"});
    o.config_file = FileContent{config, 0600};
    o.secret_file = FileContent{RenderAwsSecret(config), 0600};
    return o;
  }

  static const Action& Find(const Plan& plan, Entity entity, Op op) {
    for (const auto& a : plan.actions) {
      if (a.entity == entity && a.op == op) return a;
    }
    ADD_FAILURE() << "no action " << EntityName(entity) << " " << OpName(op);
    static Action none;
    return none;
  }
};

TEST_F(PlanTest, DesiredNamesAndDocuments) {
  EXPECT_EQ(d_.policy_arn, "arn:aws:iam::111111111111:policy/curated-packages-policy");
  EXPECT_EQ(d_.role_arn, "arn:aws:iam::111111111111:role/curated-packages-role");
  EXPECT_EQ(d_.assume_policy_arn,
            "arn:aws:iam::999999999999:policy/curated-packages-assume-role-policy");
  EXPECT_EQ(d_.config_path, "out/config");
  EXPECT_EQ(d_.secret_path, "out/aws-secret.yaml");
  EXPECT_NE(d_.assume_policy_document.find(d_.role_arn), std::string::npos);
  Desired pathed = MakeDesired("aws", "us-west-2", "1", "2", "3", Names{}, "out/",
                               "arn:aws:iam::1:role/team/curated-packages-role");
  EXPECT_EQ(pathed.role_arn, "arn:aws:iam::1:role/team/curated-packages-role");
  EXPECT_NE(pathed.assume_policy_document.find("role/team/"), std::string::npos);
  EXPECT_EQ(pathed.config_path, "out/config");
}

TEST_F(PlanTest, NothingExistsCreatesEverythingInTheSpecsOrder) {
  Plan plan = ComputePlan(d_, Observed{}, {});
  ASSERT_TRUE(plan.blocked.ok()) << plan.blocked.ToString();
  std::vector<std::pair<Entity, Op>> got;
  for (const auto& a : plan.actions) got.emplace_back(a.entity, a.op);
  const std::vector<std::pair<Entity, Op>> want = {{Entity::kPolicy, Op::kCreate},
                                                   {Entity::kRole, Op::kCreate},
                                                   {Entity::kRolePolicyAttachment, Op::kAttach},
                                                   {Entity::kAssumePolicy, Op::kCreate},
                                                   {Entity::kUser, Op::kCreate},
                                                   {Entity::kUserPolicyAttachment, Op::kAttach},
                                                   {Entity::kAccessKey, Op::kCreateKey},
                                                   {Entity::kConfigFile, Op::kWrite},
                                                   {Entity::kSecretFile, Op::kWrite}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(plan.Changes(), 9);
  EXPECT_EQ(plan.actions[0].document, d_.policy_document);
  EXPECT_EQ(plan.actions[1].document, d_.trust_document);
  EXPECT_EQ(plan.actions[3].document, d_.assume_policy_document);
  EXPECT_EQ(plan.actions[0].step, 2);
  EXPECT_EQ(plan.actions[8].step, 7);
}

TEST_F(PlanTest, CompleteSetupChangesNothing) {
  Plan plan = ComputePlan(d_, Complete(), {});
  ASSERT_TRUE(plan.blocked.ok());
  EXPECT_EQ(plan.Changes(), 0);
  for (const auto& a : plan.actions) {
    EXPECT_TRUE(a.op == Op::kNone || a.op == Op::kKeepKey) << a.subject;
  }
  EXPECT_TRUE(plan.notes.empty());
}

TEST_F(PlanTest, EquivalentButDifferentlyWrittenDocumentsAreNotDrift) {
  Observed o = Complete();
  o.role.trust_document =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"sts:AssumeRole"}})";
  EXPECT_EQ(ComputePlan(d_, o, {}).Changes(), 0);
}

TEST_F(PlanTest, PolicyDriftGetsANewDefaultVersion) {
  Observed o = Complete();
  o.policy.default_document = R"({"Version":"2012-10-17","Statement":[]})";
  Plan plan = ComputePlan(d_, o, {});
  EXPECT_EQ(plan.Changes(), 1);
  const Action& a = Find(plan, Entity::kPolicy, Op::kCreatePolicyVersion);
  EXPECT_EQ(a.document, d_.policy_document);
  EXPECT_NE(a.reason.find("v1 differs"), std::string::npos);
}

TEST_F(PlanTest, AtFiveVersionsTheOldestNonDefaultIsDeletedFirst) {
  Observed o = Complete();
  o.assume_policy.default_document = "{}";
  o.assume_policy.default_version_id = "v2";
  o.assume_policy.versions = {{"v5", false, At(5)},
                              {"v2", true, At(1)},
                              {"v3", false, At(3)},
                              {"v4", false, At(4)},
                              {"v6", false, At(6)}};
  Plan plan = ComputePlan(d_, o, {});
  ASSERT_EQ(plan.Changes(), 2);
  std::vector<Op> ops;
  for (const auto& a : plan.actions) {
    if (a.entity == Entity::kAssumePolicy) ops.push_back(a.op);
  }
  EXPECT_EQ(ops, (std::vector<Op>{Op::kDeletePolicyVersion, Op::kCreatePolicyVersion}));
  EXPECT_EQ(Find(plan, Entity::kAssumePolicy, Op::kDeletePolicyVersion).version_id, "v3");
}

TEST(VersionToDelete, OldestNonDefaultByDateThenNumber) {
  EXPECT_EQ(VersionToDelete({{"v1", true, At(0)}, {"v2", false, At(1)}}), std::nullopt);
  EXPECT_EQ(VersionToDelete({{"v1", true, At(0)},
                             {"v2", false, At(1)},
                             {"v3", false, At(2)},
                             {"v4", false, At(3)},
                             {"v5", false, At(4)}}),
            "v2");
  // Same dates (or none): the lowest version number.
  EXPECT_EQ(VersionToDelete({{"v10", false, std::nullopt},
                             {"v9", false, std::nullopt},
                             {"v11", true, std::nullopt},
                             {"v12", false, std::nullopt},
                             {"v13", false, std::nullopt}}),
            "v9");
}

TEST_F(PlanTest, TrustDriftIsReplaced) {
  Observed o = Complete();
  o.role.trust_document = TrustPolicyDocument("888888888888");
  Plan plan = ComputePlan(d_, o, {});
  EXPECT_EQ(plan.Changes(), 1);
  EXPECT_EQ(Find(plan, Entity::kRole, Op::kUpdateTrust).document, d_.trust_document);
}

TEST_F(PlanTest, DetachedPoliciesAreAttachedAgain) {
  Observed o = Complete();
  o.role.attached_policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
  o.user.attached_policy_arns.clear();
  Plan plan = ComputePlan(d_, o, {});
  EXPECT_EQ(plan.Changes(), 2);
  Find(plan, Entity::kRolePolicyAttachment, Op::kAttach);
  Find(plan, Entity::kUserPolicyAttachment, Op::kAttach);
}

TEST_F(PlanTest, FilesAreRewrittenWhenTheirContentOrModeDiffers) {
  Observed o = Complete();
  o.config_file->data += "# edited\n";
  o.secret_file->mode = 0644;
  Plan plan = ComputePlan(d_, o, {});
  EXPECT_EQ(plan.Changes(), 2);
  Find(plan, Entity::kConfigFile, Op::kWrite);
  EXPECT_NE(Find(plan, Entity::kSecretFile, Op::kSetMode).reason.find("0644"), std::string::npos);
}

TEST_F(PlanTest, AnUnusableConfigKeyIsReplacedWhenTheUserHasNoOtherKey) {
  Observed o = Complete();
  o.user.keys.clear();
  o.config_key = {ConfigKeyState::kRejected, "AKIA1", "s1", "key AKIA1 is not a key of the user"};
  Plan plan = ComputePlan(d_, o, {});
  ASSERT_TRUE(plan.blocked.ok());
  EXPECT_NE(Find(plan, Entity::kAccessKey, Op::kCreateKey).reason.find("not a key of the user"),
            std::string::npos);
  Find(plan, Entity::kConfigFile, Op::kWrite);
  Find(plan, Entity::kSecretFile, Op::kWrite);
}

TEST_F(PlanTest, NeverASecondKeyWithoutNewKey) {
  Observed o = Complete();
  o.config_key = {ConfigKeyState::kNoFile, "", "", ""};
  o.config_file.reset();
  Plan plan = ComputePlan(d_, o, {});
  EXPECT_EQ(plan.blocked.code(), core::ErrorCode::kAlreadyExists);
  EXPECT_NE(plan.blocked.message().find("AKIA1 (Active)"), std::string::npos);
  EXPECT_NE(plan.blocked.message().find("--new-key"), std::string::npos);
  EXPECT_NE(plan.blocked.message().find("out/config does not exist"), std::string::npos);

  Plan with_flag = ComputePlan(d_, o, {.new_key = true});
  EXPECT_TRUE(with_flag.blocked.ok());
  Find(with_flag, Entity::kAccessKey, Op::kCreateKey);
  ASSERT_EQ(with_flag.notes.size(), 1u);
  EXPECT_NE(with_flag.notes[0].find("AKIA1"), std::string::npos);
}

TEST_F(PlanTest, InactiveConfigKeyIsNotUsedAndBlocksWithoutNewKey) {
  Observed o = Complete();
  o.user.keys[0].status = "Inactive";
  o.config_key = {ConfigKeyState::kInactive, "AKIA1", "s1", "key AKIA1 is Inactive"};
  Plan plan = ComputePlan(d_, o, {});
  EXPECT_FALSE(plan.blocked.ok());
  EXPECT_NE(plan.blocked.message().find("is Inactive"), std::string::npos);
}

TEST_F(PlanTest, NewKeyAtTheLimitIsBlocked) {
  Observed o = Complete();
  o.user.keys.push_back({"AKIA2", "Active", At(1)});
  Plan plan = ComputePlan(d_, o, {.new_key = true});
  EXPECT_EQ(plan.blocked.code(), core::ErrorCode::kLimitExceeded);
  EXPECT_NE(plan.blocked.message().find("AKIA2"), std::string::npos);
  // Without --new-key the usable key is kept and the other one is mentioned.
  Plan keep = ComputePlan(d_, o, {});
  EXPECT_TRUE(keep.blocked.ok());
  Find(keep, Entity::kAccessKey, Op::kKeepKey);
  ASSERT_EQ(keep.notes.size(), 1u);
  EXPECT_NE(keep.notes[0].find("AKIA2"), std::string::npos);
}

TEST_F(PlanTest, AnotherPrincipalsConfigIsNeverReplaced) {
  Observed o = Complete();
  o.config_key = {ConfigKeyState::kForeign, "AKIAX", "sx", "arn:aws:iam::123456789012:user/bob"};
  Plan plan = ComputePlan(d_, o, {});
  EXPECT_EQ(plan.blocked.code(), core::ErrorCode::kAlreadyExists);
  EXPECT_NE(plan.blocked.message().find("user/bob"), std::string::npos);
}

TEST_F(PlanTest, ARegionChangeRewritesTheFilesOnly) {
  Desired eu = MakeDesired("aws", "eu-west-1", "111111111111", "999999999999", "090204409458",
                           Names{}, "out");
  Observed o = Complete();
  o.policy.default_document = eu.policy_document;
  Plan plan = ComputePlan(eu, o, {});
  EXPECT_EQ(plan.Changes(), 2);
  Find(plan, Entity::kConfigFile, Op::kWrite);
  Find(plan, Entity::kSecretFile, Op::kWrite);
}

}  // namespace
}  // namespace cpa::share
