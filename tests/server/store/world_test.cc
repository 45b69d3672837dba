// The default world, root-credentials, idempotency, and the YAML bootstrap file.
#include "server/store/world.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "server/store/bootstrap.h"
#include "server/store/packages_accounts.h"
#include "store_fixture.h"

namespace cpa::server::store {
namespace {

using core::ErrorCode;
using testing::ReadFile;
using testing::WriteFile;

class WorldTest : public testing::StoreTest {};

TEST_F(WorldTest, DefaultWorld) {
  auto world = EnsureWorld(*store_);
  ASSERT_TRUE(world.ok()) << world.status().ToString();
  EXPECT_EQ(world->customer_accounts, (std::vector<std::string>{"111111111111", "999999999999"}));
  EXPECT_EQ(world->packages_accounts, 32);
  EXPECT_EQ(world->created_keys.size(), 2u);

  int aws_owned = 0;
  PageRequest page;
  page.max_items = 1000;
  auto accounts = store_->accounts().List(page);
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(accounts->items.size(), 34u);
  for (const auto& a : accounts->items) {
    if (!a.aws_owned) continue;
    ++aws_owned;
    EXPECT_EQ(PackagesAccountForRegion(a.region), a.id);
  }
  EXPECT_EQ(aws_owned, 32);
  auto usw2 = store_->accounts().Get("346438352937");
  ASSERT_TRUE(usw2.ok());
  EXPECT_EQ(usw2->region, "us-west-2");
  EXPECT_TRUE(store_->accounts().Get("064352486547").ok());  // ca-central-1, leading zero

  const std::string path = dir_ + "/root-credentials";
  EXPECT_EQ(world->root_credentials_path, path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string text = ReadFile(path);
  for (const std::string account : {"111111111111", "999999999999"}) {
    EXPECT_NE(text.find("[account-" + account + "]"), std::string::npos) << text;
    auto keys = store_->access_keys().List(account, "");
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ(keys->items.size(), 1u);
    const std::string id = keys->items[0].access_key_id;
    auto cred = store_->LookupCredential(id);
    ASSERT_TRUE(cred.ok());
    EXPECT_EQ((*cred)->principal_arn, "arn:aws:iam::" + account + ":root");
    EXPECT_NE(text.find("aws_access_key_id = " + id + "\n"), std::string::npos);
    EXPECT_NE(text.find("aws_secret_access_key = " + (*cred)->secret_access_key + "\n"),
              std::string::npos);
  }
  EXPECT_EQ(text.find("346438352937"), std::string::npos) << "no profiles for AWS accounts";

  // Idempotent across restarts: same keys, same file.
  Reopen();
  auto again = EnsureWorld(*store_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created_keys.empty());
  EXPECT_EQ(ReadFile(path), text);
  EXPECT_EQ(store_->accounts().List(page)->items.size(), 34u);
}

TEST(PackagesAccountsTable, MatchesTheReference) {
  EXPECT_EQ(kPackagesRegistryAccounts.size(), 32u);
  int in_docs = 0;
  for (const auto& e : kPackagesRegistryAccounts) {
    EXPECT_EQ(e.account_id.size(), 12u) << e.region;
    in_docs += e.in_docs_table;
  }
  EXPECT_EQ(in_docs, 29);
  EXPECT_EQ(PackagesAccountForRegion("eu-west-1"), "090204409458");
  EXPECT_EQ(RegionOfPackagesAccount("783635962247"), "af-south-1");
  EXPECT_FALSE(PackagesAccountForRegion("xx-nowhere-1").has_value());
}

// The spec's setup: the packages policy and the role in 111111111111, the assume-role policy
// and the user with a fixed key in 999999999999.
constexpr const char* kSpecBootstrap = R"(accounts:
  - id: "111111111111"
    name: subscription
    root_access_keys:
      - id: AKIAROOT111111111111
        secret: root111secret/abcdefghijklmnopqrstuvwxyz0
    policies:
      - name: curated-packages-policy
        document:
          Version: "2012-10-17"
          Statement:
            - Sid: ECRRead
              Effect: Allow
              Action: [ecr:DescribeImages, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]
              Resource: "arn:aws:ecr:*:346438352937:repository/*"
            - Sid: ECRLogin
              Effect: Allow
              Action: [ecr:GetAuthorizationToken]
              Resource: "*"
    roles:
      - name: curated-packages-role
        max_session_duration: 7200
        trust_policy: |
          {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}]}
        attached_policies: [curated-packages-policy]
  - id: "999999999999"
    policies:
      - name: curated-packages-assume-role-policy
        path: /spec/
        document:
          Version: "2012-10-17"
          Statement:
            Effect: Allow
            Action: sts:AssumeRole
            Resource: arn:aws:iam::111111111111:role/curated-packages-role
    users:
      - name: curated-packages-user
        attached_policies: [curated-packages-assume-role-policy]
        inline_policies:
          - name: whoami
            document: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}
        access_keys:
          - id: AKIAIOSFODNN7EXAMPLE
            secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
)";

TEST_F(WorldTest, BootstrapFileHappyPath) {
  const std::string file = dir_ + "/bootstrap.yaml";
  WriteFile(file, kSpecBootstrap);
  WorldOptions options;
  options.bootstrap_file = file;
  auto world = EnsureWorld(*store_, options);
  ASSERT_TRUE(world.ok()) << world.status().ToString();
  EXPECT_EQ(world->customer_accounts, (std::vector<std::string>{"111111111111", "999999999999"}));

  auto root = store_->LookupCredential("AKIAROOT111111111111");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ((*root)->secret_access_key, "root111secret/abcdefghijklmnopqrstuvwxyz0");
  auto role = store_->roles().Get("111111111111", "curated-packages-role");
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(role->max_session_duration, 7200);
  EXPECT_NE(role->trust_policy.find("arn:aws:iam::999999999999:root"), std::string::npos);
  auto attached =
      store_->attachments().List(PrincipalRef::Role("111111111111", "curated-packages-role"));
  ASSERT_TRUE(attached.ok());
  ASSERT_EQ(attached->items.size(), 1u);
  EXPECT_EQ(attached->items[0].policy_arn,
            "arn:aws:iam::111111111111:policy/curated-packages-policy");
  auto doc = store_->policies().GetDefaultVersion(attached->items[0].policy_arn);
  ASSERT_TRUE(doc.ok());
  EXPECT_NE(doc->document.find("\"Resource\":\"arn:aws:ecr:*:346438352937:repository/*\""),
            std::string::npos)
      << doc->document;

  auto user = PrincipalRef::User("999999999999", "curated-packages-user");
  auto policies = store_->attachments().IdentityPolicies(user);
  ASSERT_TRUE(policies.ok());
  ASSERT_EQ(policies->size(), 2u);
  EXPECT_EQ((*policies)[0].source,
            "arn:aws:iam::999999999999:policy/spec/curated-packages-assume-role-policy");
  EXPECT_EQ((*policies)[1].source, "whoami");
  auto key = store_->LookupCredential("AKIAIOSFODNN7EXAMPLE");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->principal_arn, "arn:aws:iam::999999999999:user/curated-packages-user");
  EXPECT_EQ((*key)->secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  // 999999999999 declared no root key: one was generated, and is in root-credentials.
  EXPECT_EQ(store_->access_keys().List("999999999999", "")->items.size(), 1u);
  const std::string text = ReadFile(world->root_credentials_path);
  EXPECT_NE(text.find("aws_access_key_id = AKIAROOT111111111111"), std::string::npos);
  EXPECT_NE(text.find("[account-999999999999]"), std::string::npos);

  // Applying again changes nothing; entities changed since are left alone.
  ASSERT_TRUE(store_->attachments()
                  .Detach(PrincipalRef::Role("111111111111", "curated-packages-role"),
                          attached->items[0].policy_arn)
                  .ok());
  Reopen();
  auto again = EnsureWorld(*store_, options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->created_keys.empty());
  EXPECT_TRUE(store_->attachments()
                  .List(PrincipalRef::Role("111111111111", "curated-packages-role"))
                  ->items.empty());
  EXPECT_EQ(ReadFile(again->root_credentials_path), text);
}

std::string ParseError(const std::string& yaml) {
  auto b = ParseBootstrap(yaml, "b.yaml");
  EXPECT_FALSE(b.ok());
  return b.ok() ? "" : b.status().message();
}

TEST(BootstrapParse, ErrorsNameTheLine) {
  EXPECT_EQ(ParseError("accounts: [\n  - id: 1\n"), ParseError("accounts: [\n  - id: 1\n"));
  std::string syntax = ParseError("accounts:\n  - id: \"111111111111\"\n    name: [unclosed\n");
  EXPECT_EQ(syntax.rfind("b.yaml:", 0), 0u) << syntax;
  EXPECT_NE(syntax.find("invalid YAML"), std::string::npos) << syntax;

  std::string unknown = ParseError("accounts:\n  - id: \"111111111111\"\n    nmae: x\n");
  EXPECT_EQ(unknown.rfind("b.yaml:3:5: unknown key 'nmae'", 0), 0u) << unknown;

  std::string bad_id = ParseError("accounts:\n  - id: 12345\n");
  EXPECT_EQ(bad_id.rfind("b.yaml:2:9: account id must be 12 digits", 0), 0u) << bad_id;

  std::string missing = ParseError("accounts:\n  - name: x\n");
  EXPECT_NE(missing.find("b.yaml:2:"), std::string::npos) << missing;
  EXPECT_NE(missing.find("needs 'id'"), std::string::npos) << missing;

  std::string doc = ParseError(
      "accounts:\n  - id: \"111111111111\"\n    policies:\n      - name: p\n"
      "        document: '{\"Statement\": []}'\n");
  EXPECT_EQ(doc.rfind("b.yaml:5:19: policy p: MalformedPolicyDocument", 0), 0u) << doc;

  std::string trust = ParseError(
      "accounts:\n  - id: \"111111111111\"\n    roles:\n      - name: r\n"
      "        trust_policy: not json\n");
  EXPECT_NE(trust.find("b.yaml:5:"), std::string::npos) << trust;
  EXPECT_NE(trust.find("trust policy of role r"), std::string::npos) << trust;

  std::string key =
      ParseError("accounts:\n  - id: \"111111111111\"\n    root_access_keys:\n      - id: AKIAX\n");
  EXPECT_NE(key.find("both 'id' and 'secret'"), std::string::npos) << key;

  std::string dup = ParseError("accounts:\n  - id: \"111111111111\"\n  - id: \"111111111111\"\n");
  EXPECT_NE(dup.find("b.yaml:3:"), std::string::npos) << dup;

  std::string msd = ParseError(
      "accounts:\n  - id: \"111111111111\"\n    roles:\n      - name: r\n"
      "        max_session_duration: 60\n        trust_policy: '{}'\n");
  EXPECT_NE(msd.find("max_session_duration"), std::string::npos) << msd;

  EXPECT_TRUE(ParseBootstrap("", "empty.yaml").ok());
  auto file = LoadBootstrapFile("/nonexistent/b.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("/nonexistent/b.yaml"), std::string::npos);
}

TEST_F(WorldTest, BadBootstrapFileWritesNothing) {
  const std::string file = dir_ + "/bad.yaml";
  // Valid YAML and documents, but the second user's key id is taken by the first: the apply
  // fails in the middle and must leave nothing behind.
  WriteFile(file, R"(accounts:
  - id: "111111111111"
    users:
      - name: a
        access_keys: [{id: AKIAIOSFODNN7EXAMPLE, secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}]
      - name: b
        access_keys: [{id: AKIAIOSFODNN7EXAMPLE, secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}]
)");
  WorldOptions options;
  options.bootstrap_file = file;
  auto world = EnsureWorld(*store_, options);
  ASSERT_FALSE(world.ok());
  EXPECT_NE(world.status().message().find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
  EXPECT_EQ(world.status().message().find("wJalrXUtnFEMI"), std::string::npos)
      << "secrets never appear in errors";
  EXPECT_FALSE(store_->accounts().Exists("111111111111"));
  EXPECT_FALSE(store_->accounts().Exists("346438352937"));
}

}  // namespace
}  // namespace cpa::server::store
