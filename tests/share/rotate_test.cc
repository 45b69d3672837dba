// RotateKey over fakes: the happy path, and a failure injected after every step leaves the old
// key active, the files byte-identical and no new key behind.
#include "share/rotate.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "share/config.h"
#include "share/share.h"

namespace cpa::share {
namespace {

using testing::FakeAccount;
using testing::FakeProbe;
using testing::MemoryFiles;

class RotateTest : public ::testing::Test {
 protected:
  RotateTest() : probe_(source_, target_) {}

  void SetUp() override {
    ShareOptions share;
    share.region = "us-west-2";
    share.out_dir = "out";
    auto r = RunShare(share, source_, target_, probe_, files_, [](const Event&) {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    old_key_ = r->access_key_id;
    before_ = files_.files;
    options_.out_dir = "out";
  }

  core::Result<RotateOutcome> Rotate(AccountApi* source = nullptr) {
    events_.clear();
    return RotateKey(options_, target_, source, probe_, files_,
                     [this](const Event& e) { events_.push_back(e); });
  }

  std::vector<testing::FakeKey>& Keys() { return target_.users.at("curated-packages-user").keys; }

  void ExpectUnchanged() {
    ASSERT_EQ(Keys().size(), 1u);
    EXPECT_EQ(Keys()[0].id, old_key_);
    EXPECT_EQ(Keys()[0].status, "Active");
    ASSERT_EQ(files_.files.size(), before_.size());
    for (const auto& [path, content] : before_) {
      EXPECT_EQ(files_.files.at(path).data, content.data) << path;
      EXPECT_EQ(files_.files.at(path).mode, content.mode) << path;
    }
  }

  FakeAccount source_{"111111111111"};
  FakeAccount target_{"999999999999"};
  FakeProbe probe_;
  MemoryFiles files_;
  RotateOptions options_;
  std::string old_key_;
  std::map<std::string, FileContent> before_;
  std::vector<Event> events_;
};

TEST_F(RotateTest, ReplacesTheKeyEverywhere) {
  auto r = Rotate(&source_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->old_key_id, old_key_);
  ASSERT_EQ(Keys().size(), 1u);
  EXPECT_EQ(Keys()[0].id, r->new_key_id);
  EXPECT_NE(r->new_key_id, old_key_);
  const std::string config = files_.files.at("out/config").data;
  auto parsed = ParseShareConfig(config, "config");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->access_key_id, r->new_key_id);
  EXPECT_EQ(parsed->secret_access_key, Keys()[0].secret);
  EXPECT_EQ(parsed->region, "us-west-2");
  EXPECT_EQ(files_.files.at("out/aws-secret.yaml").data, RenderAwsSecret(config));
  EXPECT_EQ(files_.files.at("out/config").mode, 0600u);
  EXPECT_TRUE(r->verified.ecr_checked);
  // The old key was deactivated before it was deleted, after the files were written.
  std::vector<std::string> order;
  for (const auto& w : target_.writes) {
    if (w.find(old_key_) != std::string::npos || w.rfind("CreateAccessKey", 0) == 0) {
      order.push_back(w);
    }
  }
  ASSERT_GE(order.size(), 3u);
  EXPECT_EQ(order[order.size() - 2], "UpdateAccessKey " + old_key_ + " Inactive");
  EXPECT_EQ(order.back(), "DeleteAccessKey " + old_key_);
  // A share run afterwards finds everything in place.
  ShareOptions share;
  share.region = "us-west-2";
  share.out_dir = "out";
  auto again = RunShare(share, source_, target_, probe_, files_, [](const Event&) {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->changes, 0);
}

TEST_F(RotateTest, AFailureAfterAnyStepRollsEverythingBack) {
  for (const std::string& step : RotateSteps()) {
    SCOPED_TRACE(step);
    options_.fail_after = step;
    auto r = Rotate();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("injected failure after step " + step), std::string::npos);
    EXPECT_NE(r.status().message().find("as they were"), std::string::npos) << r.status().message();
    ExpectUnchanged();
  }
}

TEST_F(RotateTest, AFailedVerificationRollsBack) {
  probe_.fail["AssumeRole"] = core::Status(core::ErrorCode::kAccessDenied, "AccessDenied: trust");
  auto r = Rotate();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kAccessDenied);
  ExpectUnchanged();
  probe_.fail.clear();
  probe_.fail["Ecr"] = core::Status(core::ErrorCode::kAccessDenied, "no ecr");
  ASSERT_FALSE(Rotate().ok());
  ExpectUnchanged();
}

TEST_F(RotateTest, AFailedSecondFileWriteRestoresTheFirst) {
  files_.fail_write.insert("out/aws-secret.yaml");
  auto r = Rotate();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("disk full"), std::string::npos);
  files_.fail_write.clear();
  ExpectUnchanged();
}

TEST_F(RotateTest, FailuresOfTheOldKeysDeactivationOrDeletionRollBack) {
  target_.fail["DeleteAccessKey"] = core::Status(core::ErrorCode::kAccessDenied, "denied");
  auto r = Rotate();
  ASSERT_FALSE(r.ok());
  // The rollback's own DeleteAccessKey of the new key fails too: it is reported, not hidden.
  EXPECT_NE(r.status().message().find("COULD NOT undo"), std::string::npos);
  target_.fail.clear();
  ASSERT_EQ(Keys().size(), 2u);
  EXPECT_EQ(Keys()[0].status, "Active");  // reactivated
  for (const auto& [path, content] : before_) EXPECT_EQ(files_.files.at(path).data, content.data);

  ASSERT_TRUE(target_.DeleteAccessKey("curated-packages-user", Keys()[1].id).ok());
  target_.fail["UpdateAccessKey"] = core::Status(core::ErrorCode::kAccessDenied, "denied");
  ASSERT_FALSE(Rotate().ok());
  target_.fail.clear();
  ExpectUnchanged();
}

TEST_F(RotateTest, RefusesBeforeAnyChange) {
  // Two keys already: no room for a new one.
  ASSERT_TRUE(target_.CreateAccessKey("curated-packages-user").ok());
  const size_t writes = target_.writes.size();
  auto full = Rotate();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), core::ErrorCode::kLimitExceeded);
  EXPECT_EQ(target_.writes.size(), writes);
  ASSERT_TRUE(target_.DeleteAccessKey("curated-packages-user", Keys()[1].id).ok());

  options_.fail_after = "no-such-step";
  EXPECT_EQ(Rotate().status().code(), core::ErrorCode::kInvalidArgument);
  options_.fail_after.clear();

  options_.region = "eu-west-1";
  auto region = Rotate();
  EXPECT_EQ(region.status().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(region.status().message().find("us-west-2"), std::string::npos);
  options_.region.clear();

  FakeAccount other("222222222222");
  auto wrong_source = Rotate(&other);
  EXPECT_EQ(wrong_source.status().code(), core::ErrorCode::kInvalidArgument);

  files_.files.erase("out/config");
  auto missing = Rotate();
  EXPECT_EQ(missing.status().code(), core::ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("cpa share"), std::string::npos);
  files_.files = before_;
  ExpectUnchanged();
}

TEST_F(RotateTest, AConfigKeyThatIsNoLongerTheUsersIsReplacedWithNothingToDelete) {
  Keys().clear();
  auto r = Rotate();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->old_key_id.empty());
  ASSERT_EQ(Keys().size(), 1u);
  EXPECT_EQ(Keys()[0].id, r->new_key_id);
}

TEST_F(RotateTest, AMissingSecretFileIsRemovedAgainOnRollback) {
  files_.files.erase("out/aws-secret.yaml");
  before_.erase("out/aws-secret.yaml");
  options_.fail_after = "write-files";
  ASSERT_FALSE(Rotate().ok());
  EXPECT_FALSE(files_.files.count("out/aws-secret.yaml"));
  ExpectUnchanged();
}

}  // namespace
}  // namespace cpa::share
