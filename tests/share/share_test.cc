// RunShare end to end over fake accounts, probe and files: creation, idempotency, drift repair,
// dry runs, the packages account choice, and failure handling.
#include "share/share.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "share/config.h"

namespace cpa::share {
namespace {

using testing::FakeAccount;
using testing::FakeProbe;
using testing::MemoryFiles;

class ShareTest : public ::testing::Test {
 protected:
  ShareTest() : probe_(source_, target_) {
    options_.region = "us-west-2";
    options_.out_dir = "out";
  }

  core::Result<ShareOutcome> Run() {
    events_.clear();
    return RunShare(options_, source_, target_, probe_, files_,
                    [this](const Event& e) { events_.push_back(e); });
  }

  const Event* FindEvent(const std::string& subject_part, const std::string& status) const {
    for (const auto& e : events_) {
      if (e.subject.find(subject_part) != std::string::npos && e.status == status) return &e;
    }
    return nullptr;
  }

  int Writes() const {
    return static_cast<int>(source_.writes.size() + target_.writes.size() + files_.writes.size());
  }

  const std::string policy_arn_ = "arn:aws:iam::111111111111:policy/curated-packages-policy";
  const std::string assume_arn_ =
      "arn:aws:iam::999999999999:policy/curated-packages-assume-role-policy";
  FakeAccount source_{"111111111111"};
  FakeAccount target_{"999999999999"};
  FakeProbe probe_;
  MemoryFiles files_;
  ShareOptions options_;
  std::vector<Event> events_;
};

TEST_F(ShareTest, FirstRunCreatesEverythingAndTheChainWorks) {
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->changes, 9);
  EXPECT_EQ(r->packages.account_id, "346438352937");
  EXPECT_EQ(r->packages.source, AccountSource::kTable);
  EXPECT_EQ(source_.DefaultDocument(policy_arn_), EcrReadPolicyDocument("346438352937"));
  EXPECT_EQ(source_.roles.at("curated-packages-role").trust, TrustPolicyDocument("999999999999"));
  EXPECT_TRUE(source_.roles.at("curated-packages-role").attached.count(policy_arn_));
  EXPECT_TRUE(target_.users.at("curated-packages-user").attached.count(assume_arn_));
  ASSERT_EQ(target_.users.at("curated-packages-user").keys.size(), 1u);
  const testing::FakeKey key = target_.users.at("curated-packages-user").keys[0];
  EXPECT_EQ(r->access_key_id, key.id);

  const FileContent& config = files_.files.at("out/config");
  EXPECT_EQ(config.mode, 0600u);
  EXPECT_EQ(config.data, RenderConfig({"curated-packages-user",
                                       "arn:aws:iam::111111111111:role/curated-packages-role",
                                       "us-west-2", key.id, key.secret}));
  EXPECT_EQ(files_.files.at("out/aws-secret.yaml").data, RenderAwsSecret(config.data));
  EXPECT_EQ(files_.files.at("out/aws-secret.yaml").mode, 0600u);
  EXPECT_TRUE(files_.directories.count("out"));

  ASSERT_TRUE(r->verified);
  EXPECT_EQ(r->verified->assumed_role_arn,
            "arn:aws:sts::111111111111:assumed-role/curated-packages-role/cpa-share-verify");
  EXPECT_TRUE(r->verified->ecr_checked);
  // Every step reported, in order, and no event carries the secret.
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.front().step, "1");
  EXPECT_EQ(events_.back().step, "verify");
  for (const auto& e : events_) {
    EXPECT_EQ(e.detail.find(key.secret), std::string::npos) << e.subject;
    EXPECT_EQ(e.subject.find(key.secret), std::string::npos);
  }
}

TEST_F(ShareTest, SecondRunChangesNothingAndKeepsTheKey) {
  auto first = Run();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string config = files_.files.at("out/config").data;
  const int writes = Writes();
  auto second = Run();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->changes, 0);
  EXPECT_EQ(Writes(), writes);
  EXPECT_EQ(second->access_key_id, first->access_key_id);
  EXPECT_EQ(files_.files.at("out/config").data, config);
  EXPECT_NE(FindEvent("access key", "kept"), nullptr);
  for (const auto& e : events_) EXPECT_FALSE(e.change) << e.subject << " " << e.status;
}

TEST_F(ShareTest, DryRunMakesNoWriteCallAndShowsEveryDocument) {
  options_.dry_run = true;
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Writes(), 0);
  EXPECT_EQ(r->changes, 9);
  EXPECT_EQ(probe_.calls, 0);
  std::vector<std::string> docs;
  for (const auto& e : events_) {
    EXPECT_EQ(e.status.rfind("would ", 0) == 0 || e.step == "1", true) << e.status;
    for (const auto& [title, text] : e.documents) docs.push_back(text);
  }
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0], EcrReadPolicyDocument("346438352937"));
  EXPECT_EQ(docs[1], TrustPolicyDocument("999999999999"));
  EXPECT_NE(docs[3].find("aws_secret_access_key=****"), std::string::npos);
  EXPECT_NE(docs[4].find("namespace: eksa-packages"), std::string::npos);

  // A dry run over a complete setup plans nothing and still writes nothing.
  options_.dry_run = false;
  ASSERT_TRUE(Run().ok());
  options_.dry_run = true;
  const int writes = Writes();
  auto again = Run();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->changes, 0);
  EXPECT_EQ(Writes(), writes);
  EXPECT_NE(FindEvent("access key", "would keep"), nullptr);
}

TEST_F(ShareTest, DriftIsRepairedAndReported) {
  ASSERT_TRUE(Run().ok());
  // Someone widens the policy, changes the trust and detaches the user's policy.
  ASSERT_TRUE(source_
                  .CreatePolicyVersion(policy_arn_, R"({"Version":"2012-10-17","Statement":
      [{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]})")
                  .ok());
  source_.roles.at("curated-packages-role").trust = TrustPolicyDocument("888888888888");
  target_.users.at("curated-packages-user").attached.clear();
  const int writes = Writes();

  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->changes, 3);
  EXPECT_EQ(Writes(), writes + 3);
  EXPECT_EQ(source_.DefaultDocument(policy_arn_), EcrReadPolicyDocument("346438352937"));
  EXPECT_EQ(source_.policies.at(policy_arn_).versions.back().id, "v3");
  EXPECT_EQ(source_.roles.at("curated-packages-role").trust, TrustPolicyDocument("999999999999"));
  EXPECT_TRUE(target_.users.at("curated-packages-user").attached.count(assume_arn_));
  const Event* policy = FindEvent("curated-packages-policy", "updated");
  ASSERT_NE(policy, nullptr);
  EXPECT_NE(policy->detail.find("drift repaired"), std::string::npos);
  EXPECT_NE(policy->detail.find("new default version v3"), std::string::npos);
  ASSERT_NE(FindEvent("role arn:", "updated"), nullptr);
  EXPECT_NE(FindEvent("role arn:", "updated")->detail.find("drift repaired"), std::string::npos);
  ASSERT_NE(FindEvent("user curated-packages-user <-", "attached"), nullptr);
  ASSERT_TRUE(r->verified);
}

TEST_F(ShareTest, AtFiveVersionsTheOldestNonDefaultIsDeleted) {
  ASSERT_TRUE(Run().ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(source_.CreatePolicyVersion(policy_arn_, "{\"n\":" + std::to_string(i) + "}").ok());
  }
  ASSERT_EQ(source_.policies.at(policy_arn_).versions.size(), 5u);
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids;
  for (const auto& v : source_.policies.at(policy_arn_).versions) ids.push_back(v.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"v2", "v3", "v4", "v5", "v6"}));
  EXPECT_EQ(source_.DefaultDocument(policy_arn_), EcrReadPolicyDocument("346438352937"));
  EXPECT_NE(FindEvent("curated-packages-policy", "deleted version"), nullptr);
}

TEST_F(ShareTest, AKeyTheFilesDoNotHoldIsNeverDuplicatedWithoutNewKey) {
  ASSERT_TRUE(Run().ok());
  files_.files.clear();
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kAlreadyExists);
  EXPECT_EQ(target_.users.at("curated-packages-user").keys.size(), 1u);
  options_.new_key = true;
  auto again = Run();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(target_.users.at("curated-packages-user").keys.size(), 2u);
  EXPECT_EQ(again->access_key_id, target_.users.at("curated-packages-user").keys[1].id);
}

TEST_F(ShareTest, ADeletedKeyIsReplaced) {
  ASSERT_TRUE(Run().ok());
  target_.users.at("curated-packages-user").keys.clear();
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(target_.users.at("curated-packages-user").keys.size(), 1u);
  EXPECT_NE(files_.files.at("out/config").data.find(r->access_key_id), std::string::npos);
  EXPECT_EQ(r->changes, 3);  // key, config, secret
}

TEST_F(ShareTest, AnotherPrincipalsConfigIsLeftAlone) {
  const std::string foreign =
      RenderConfig({"p", "arn:aws:iam::1:role/r", "us-west-2", "AKIABOB", "bobsecret"});
  files_.files["out/config"] = {foreign, 0600};
  probe_.others["AKIABOB"] = "arn:aws:iam::123456789012:user/bob";
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("user/bob"), std::string::npos);
  EXPECT_EQ(files_.files.at("out/config").data, foreign);
  EXPECT_TRUE(source_.writes.empty());
}

TEST_F(ShareTest, SubscriptionRegistryIsUsed) {
  source_.subscriptions = {{"sub-1", "ACTIVE", "346438352937.dkr.ecr.us-west-2.amazonaws.com"}};
  auto listed = Run();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->packages.source, AccountSource::kSubscription);
  EXPECT_NE(listed->packages.explanation.find("sub-1"), std::string::npos);
  options_.subscription_id = "sub-1";
  auto described = Run();
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->packages.source, AccountSource::kSubscription);
}

TEST_F(ShareTest, SubscriptionLookupFailuresFallBackToTheTableSayingWhy) {
  source_.list_error = core::Status(core::ErrorCode::kInvalidArgument, "UnknownOperationException");
  auto r = Run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->packages.source, AccountSource::kTable);
  EXPECT_NE(r->packages.reason.find("UnknownOperationException"), std::string::npos);
  EXPECT_NE(events_[0].detail.find("region table"), std::string::npos);

  options_.subscription_id = "sub-1";
  source_.describe_error = core::Status(core::ErrorCode::kAccessDenied, "AccessDeniedException");
  auto denied = Run();
  ASSERT_TRUE(denied.ok());
  EXPECT_NE(denied->packages.reason.find("AccessDeniedException"), std::string::npos);

  // A subscription id that does not exist is the caller's mistake.
  source_.describe_error = core::Status();
  auto missing = Run();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("sub-1"), std::string::npos);
}

TEST_F(ShareTest, SameAccountOnBothSidesIsRefused) {
  FakeAccount same("111111111111");
  auto r = RunShare(options_, source_, same, probe_, files_, [](const Event&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_TRUE(source_.writes.empty());
}

TEST_F(ShareTest, MissingRegionOrOutIsAnError) {
  options_.region.clear();
  EXPECT_EQ(Run().status().code(), core::ErrorCode::kMissingParameter);
  options_.region = "us-west-2";
  options_.out_dir.clear();
  EXPECT_EQ(Run().status().code(), core::ErrorCode::kMissingParameter);
  options_.out_dir = "out";
  options_.region = "xx-west-9";
  EXPECT_EQ(Run().status().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(Writes(), 0);
}

TEST_F(ShareTest, ANewKeyWhoseFilesCannotBeWrittenIsDeletedAgain) {
  files_.fail_write.insert("out/aws-secret.yaml");
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("disk full"), std::string::npos);
  EXPECT_TRUE(target_.users.at("curated-packages-user").keys.empty());
  EXPECT_NE(FindEvent("access key", "deleted"), nullptr);
}

TEST_F(ShareTest, IamFailuresStopTheRunWithTheServicesMessage) {
  source_.fail["CreateRole"] =
      core::Status(core::ErrorCode::kAccessDenied, "iam:CreateRole: AccessDenied: no");
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kAccessDenied);
  EXPECT_NE(FindEvent("role arn:", "failed"), nullptr);
  EXPECT_TRUE(target_.writes.empty());  // stopped before the target account
}

TEST_F(ShareTest, VerificationSkipsEcrWhenTheEndpointDoesNotServeIt) {
  probe_.ecr_unsupported = true;
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->verified);
  EXPECT_FALSE(r->verified->ecr_checked);
  EXPECT_NE(FindEvent("ecr:GetAuthorizationToken", "skipped"), nullptr);
}

TEST_F(ShareTest, VerificationRetriesWhileANewKeyPropagates) {
  int sleeps = 0;
  options_.retry = {3, std::chrono::milliseconds(5), [&](std::chrono::milliseconds) {
                      if (++sleeps == 1) probe_.fail.erase("GetCallerIdentity");
                    }};
  probe_.fail["GetCallerIdentity"] =
      core::Status(core::ErrorCode::kInvalidClientTokenId, "InvalidClientTokenId");
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(sleeps, 1);
  // A failure that does not go away fails the run (the state stays; a rerun verifies again).
  probe_.fail["AssumeRole"] = core::Status(core::ErrorCode::kAccessDenied, "AccessDenied");
  auto bad = Run();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(FindEvent("role arn:aws:iam::111111111111:role/curated-packages-role", "failed"),
            nullptr);
}

}  // namespace
}  // namespace cpa::share
