// Entity rules of every repository: CRUD, IAM's errors and messages, pagination, atomicity.
#include <gtest/gtest.h>

#include <set>

#include "core/encoding.h"
#include "core/ids.h"
#include "store_fixture.h"

namespace cpa::server::store {
namespace {

using core::ErrorCode;
using testing::kPackagesPolicy;
using testing::kTrustPolicy;

class EntitiesTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    AddAccounts();
  }
  User MakeUser(const std::string& name, const std::string& account = "111111111111") {
    auto u = store_->users().Create({account, name, "/", ""});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : User{};
  }
  ManagedPolicy MakePolicy(const std::string& name, const std::string& account = "111111111111") {
    auto p = store_->policies().Create({account, name, "/", "", kPackagesPolicy, ""});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : ManagedPolicy{};
  }
  Role MakeRole(const std::string& name, const std::string& account = "111111111111") {
    NewRole r;
    r.account_id = account;
    r.name = name;
    r.trust_policy = kTrustPolicy;
    auto role = store_->roles().Create(r);
    EXPECT_TRUE(role.ok()) << role.status().ToString();
    return role.ok() ? *role : Role{};
  }
};

TEST_F(EntitiesTest, Accounts) {
  auto a = store_->accounts().Get("111111111111");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "one");
  EXPECT_EQ(a->RootArn(), "arn:aws:iam::111111111111:root");
  EXPECT_EQ(a->create_date.time_since_epoch().count(), testing::kStart);
  Account dup;
  dup.id = "111111111111";
  EXPECT_EQ(store_->accounts().Create(dup).status().code(), ErrorCode::kAlreadyExists);
  dup.id = "12345";
  EXPECT_EQ(store_->accounts().Create(dup).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->accounts().Get("333333333333").status().code(), ErrorCode::kNotFound);
  Account zero;
  zero.id = "064352486547";  // leading zero kept
  ASSERT_TRUE(store_->accounts().Create(zero).ok());
  auto page = store_->accounts().List({"", 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id, "064352486547");
  EXPECT_TRUE(page->is_truncated);
  auto rest = store_->accounts().List({page->marker, 2});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].id, "222222222222");
  EXPECT_FALSE(rest->is_truncated);
}

TEST_F(EntitiesTest, UserCreateGetAndRules) {
  User u = MakeUser("Alice");
  EXPECT_EQ(u.arn, "arn:aws:iam::111111111111:user/Alice");
  EXPECT_EQ(u.user_id.size(), 21u);
  EXPECT_EQ(u.user_id.substr(0, 4), "AIDA");
  auto dup = store_->users().Create({"111111111111", "alice", "/", ""});
  EXPECT_EQ(dup.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "User with name alice already exists.");
  // Same name in another account is fine.
  MakeUser("alice", "222222222222");
  auto got = store_->users().Get("111111111111", "ALICE");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Alice");
  EXPECT_EQ(got->user_id, u.user_id);
  auto missing = store_->users().Get("111111111111", "bob");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "The user with name bob cannot be found.");
  EXPECT_EQ(store_->users().Create({"111111111111", "bad name", "/", ""}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->users().Create({"111111111111", "x", "nopath", ""}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->users().Create({"333333333333", "x", "/", ""}).status().code(),
            ErrorCode::kNotFound);
  auto pathed = store_->users().Create({"111111111111", "Bob", "/division_abc/sub/", ""});
  ASSERT_TRUE(pathed.ok());
  EXPECT_EQ(pathed->arn, "arn:aws:iam::111111111111:user/division_abc/sub/Bob");
  ASSERT_TRUE(store_->users().Delete("111111111111", "alice").ok());
  EXPECT_EQ(store_->users().Get("111111111111", "Alice").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->users().Delete("111111111111", "alice").code(), ErrorCode::kNotFound);
}

TEST_F(EntitiesTest, UserListPaginatesInNameOrderWithPathPrefix) {
  std::set<std::string> names;
  for (int i = 0; i < 25; ++i) {
    std::string name = (i % 2 ? "User" : "user") + std::to_string(100 + i);
    names.insert(name);
    MakeUser(name);
  }
  ASSERT_TRUE(store_->users().Create({"111111111111", "pathed", "/team/", ""}).ok());
  ListUsersRequest req;
  req.account_id = "111111111111";
  req.page.max_items = 10;
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = store_->users().List(req);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    for (const auto& u : page->items) seen.push_back(u.name);
    if (!page->is_truncated) break;
    EXPECT_FALSE(page->marker.empty());
    req.page.marker = page->marker;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 26u);
  EXPECT_EQ(seen.front(), "pathed");
  for (size_t i = 2; i < seen.size(); ++i) {
    EXPECT_LT(core::AsciiLower(seen[i - 1]), core::AsciiLower(seen[i]));
  }
  req.page = {};
  req.path_prefix = "/team/";
  auto team = store_->users().List(req);
  ASSERT_TRUE(team.ok());
  ASSERT_EQ(team->items.size(), 1u);
  EXPECT_EQ(team->items[0].name, "pathed");

  req.page.marker = "not-a-marker";
  EXPECT_EQ(store_->users().List(req).status().code(), ErrorCode::kInvalidArgument);
  req.page = {};
  req.page.max_items = 0;
  EXPECT_EQ(store_->users().List(req).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(EntitiesTest, Roles) {
  Role r = MakeRole("curated-packages-role");
  EXPECT_EQ(r.arn, "arn:aws:iam::111111111111:role/curated-packages-role");
  EXPECT_EQ(r.role_id.substr(0, 4), "AROA");
  EXPECT_EQ(r.max_session_duration, 3600);
  NewRole dup;
  dup.account_id = "111111111111";
  dup.name = "Curated-Packages-Role";
  dup.trust_policy = kTrustPolicy;
  auto d = store_->roles().Create(dup);
  EXPECT_EQ(d.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(d.status().message(), "Role with name Curated-Packages-Role already exists.");
  dup.name = "other";
  dup.max_session_duration = 100;
  EXPECT_EQ(store_->roles().Create(dup).status().code(), ErrorCode::kInvalidArgument);

  RoleUpdate up;
  up.trust_policy = "{}";
  up.max_session_duration = 7200;
  auto updated = store_->roles().Update("111111111111", "curated-packages-role", up);
  ASSERT_TRUE(updated.ok());
  auto got = store_->roles().Get("111111111111", "curated-packages-role");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->trust_policy, "{}");
  EXPECT_EQ(got->max_session_duration, 7200);
  EXPECT_EQ(got->role_id, r.role_id);
  EXPECT_EQ(store_->roles().Get("111111111111", "nope").status().message(),
            "The role with name nope cannot be found.");
  ListRolesRequest lr;
  lr.account_id = "111111111111";
  auto list = store_->roles().List(lr);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 1u);
  ASSERT_TRUE(store_->roles().Delete("111111111111", "curated-packages-role").ok());
  EXPECT_EQ(store_->roles().Get("111111111111", "curated-packages-role").status().code(),
            ErrorCode::kNotFound);
}

TEST_F(EntitiesTest, PoliciesAndVersions) {
  ManagedPolicy p = MakePolicy("curated-packages-policy");
  EXPECT_EQ(p.arn, "arn:aws:iam::111111111111:policy/curated-packages-policy");
  EXPECT_EQ(p.policy_id.substr(0, 4), "ANPA");
  EXPECT_EQ(p.default_version_id, "v1");
  EXPECT_EQ(p.attachment_count, 0);
  auto dup = store_->policies().Create(
      {"111111111111", "CURATED-packages-policy", "/x/", "", kPackagesPolicy, ""});
  EXPECT_EQ(dup.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->policies().Get("arn:aws:iam::111111111111:policy/nope").status().message(),
            "Policy arn:aws:iam::111111111111:policy/nope was not found.");
  EXPECT_EQ(store_->policies().Get("arn:aws:iam::111111111111:role/x").status().code(),
            ErrorCode::kInvalidArgument);

  auto v1 = store_->policies().GetVersion(p.arn, "v1");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->document, kPackagesPolicy);
  EXPECT_TRUE(v1->is_default);
  for (int i = 2; i <= 5; ++i) {
    auto v = store_->policies().CreateVersion(p.arn, "{\"v\":" + std::to_string(i) + "}", i == 3);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->version_id, "v" + std::to_string(i));
  }
  auto sixth = store_->policies().CreateVersion(p.arn, "{}", false);
  EXPECT_EQ(sixth.status().code(), ErrorCode::kLimitExceeded);
  auto def = store_->policies().GetDefaultVersion(p.arn);
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->version_id, "v3");
  auto versions = store_->policies().ListVersions(p.arn);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 5u);
  EXPECT_EQ((*versions)[0].version_id, "v5");
  EXPECT_TRUE((*versions)[2].is_default);
  EXPECT_EQ(store_->policies().DeleteVersion(p.arn, "v3").code(), ErrorCode::kDeleteConflict);
  EXPECT_EQ(store_->policies().Delete(p.arn).code(), ErrorCode::kDeleteConflict);
  for (const char* v : {"v1", "v2", "v4", "v5"}) {
    ASSERT_TRUE(store_->policies().DeleteVersion(p.arn, v).ok()) << v;
  }
  EXPECT_EQ(store_->policies().DeleteVersion(p.arn, "v2").code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->policies().GetVersion(p.arn, "bogus").status().code(),
            ErrorCode::kInvalidArgument);
  // Version numbers are never reused.
  auto v6 = store_->policies().CreateVersion(p.arn, "{}", false);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->version_id, "v6");
  ASSERT_TRUE(store_->policies().SetDefaultVersion(p.arn, "v6").ok());
  ASSERT_TRUE(store_->policies().DeleteVersion(p.arn, "v3").ok());
  ASSERT_TRUE(store_->policies().Delete(p.arn).ok());
  EXPECT_EQ(store_->policies().Get(p.arn).status().code(), ErrorCode::kNotFound);
}

TEST_F(EntitiesTest, PolicyListScopes) {
  MakePolicy("local-b");
  MakePolicy("local-a");
  MakePolicy("elsewhere", "222222222222");
  ASSERT_TRUE(
      store_->policies()
          .Create({std::string(kAwsManagedAccount), "ReadOnlyAccess", "/", "", kPackagesPolicy, ""})
          .ok());
  ListPoliciesRequest req;
  req.account_id = "111111111111";
  auto all = store_->policies().List(req);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->items[0].name, "local-a");
  EXPECT_EQ(all->items[2].arn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
  req.scope = PolicyScope::kLocal;
  EXPECT_EQ(store_->policies().List(req)->items.size(), 2u);
  req.scope = PolicyScope::kAws;
  EXPECT_EQ(store_->policies().List(req)->items.size(), 1u);
  req.scope = PolicyScope::kAll;
  req.only_attached = true;
  EXPECT_EQ(store_->policies().List(req)->items.size(), 0u);
  MakeUser("u");
  ASSERT_TRUE(store_->attachments()
                  .Attach(PrincipalRef::User("111111111111", "u"),
                          "arn:aws:iam::111111111111:policy/local-b")
                  .ok());
  auto attached = store_->policies().List(req);
  ASSERT_EQ(attached->items.size(), 1u);
  EXPECT_EQ(attached->items[0].attachment_count, 1);
  req.only_attached = false;
  req.page.max_items = 1;
  int n = 0;
  while (true) {
    auto page = store_->policies().List(req);
    ASSERT_TRUE(page.ok());
    n += static_cast<int>(page->items.size());
    if (!page->is_truncated) break;
    req.page.marker = page->marker;
  }
  EXPECT_EQ(n, 3);
}

TEST_F(EntitiesTest, AttachmentsAndDeleteConflicts) {
  ManagedPolicy p = MakePolicy("curated-packages-policy");
  MakeRole("role");
  auto role = PrincipalRef::Role("111111111111", "role");
  ASSERT_TRUE(store_->attachments().Attach(role, p.arn).ok());
  ASSERT_TRUE(store_->attachments().Attach(role, p.arn).ok());  // idempotent
  EXPECT_EQ(store_->policies().Get(p.arn)->attachment_count, 1);
  auto list = store_->attachments().List(role);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].policy_name, "curated-packages-policy");
  EXPECT_EQ(list->items[0].policy_arn, p.arn);

  EXPECT_EQ(store_->roles().Delete("111111111111", "role").code(), ErrorCode::kDeleteConflict);
  EXPECT_EQ(store_->policies().Delete(p.arn).code(), ErrorCode::kDeleteConflict);

  // Another account's customer-managed policy is not attachable.
  ManagedPolicy other = MakePolicy("theirs", "222222222222");
  auto st = store_->attachments().Attach(role, other.arn);
  EXPECT_EQ(st.code(), ErrorCode::kNotFound);
  EXPECT_EQ(st.message(), "Policy " + other.arn + " does not exist or is not attachable.");
  EXPECT_EQ(store_->attachments().Attach(role, "arn:aws:iam::111111111111:policy/none").code(),
            ErrorCode::kNotFound);
  // AWS-managed policies attach from any account.
  auto aws = store_->policies().Create(
      {std::string(kAwsManagedAccount), "ReadOnlyAccess", "/", "", kPackagesPolicy, ""});
  ASSERT_TRUE(aws.ok());
  ASSERT_TRUE(store_->attachments().Attach(role, aws->arn).ok());
  EXPECT_EQ(store_->attachments().Attach(PrincipalRef::Role("111111111111", "ghost"), p.arn).code(),
            ErrorCode::kNotFound);

  ASSERT_TRUE(store_->attachments().Detach(role, p.arn).ok());
  auto again = store_->attachments().Detach(role, p.arn);
  EXPECT_EQ(again.code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->attachments().Detach(role, aws->arn).ok());
  ASSERT_TRUE(store_->roles().Delete("111111111111", "role").ok());
  ASSERT_TRUE(store_->policies().Delete(p.arn).ok());
}

TEST_F(EntitiesTest, AttachmentQuota) {
  MakeUser("u");
  auto user = PrincipalRef::User("111111111111", "u");
  for (int i = 0; i < kMaxAttachedPolicies; ++i) {
    ManagedPolicy p = MakePolicy("p" + std::to_string(i));
    ASSERT_TRUE(store_->attachments().Attach(user, p.arn).ok());
  }
  ManagedPolicy extra = MakePolicy("extra");
  auto st = store_->attachments().Attach(user, extra.arn);
  EXPECT_EQ(st.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(st.message(), "Cannot exceed quota for PoliciesPerUser: 10");
  PageRequest page;
  page.max_items = 4;
  int n = 0;
  while (true) {
    auto list = store_->attachments().List(user, page);
    ASSERT_TRUE(list.ok());
    n += static_cast<int>(list->items.size());
    if (!list->is_truncated) break;
    page.marker = list->marker;
  }
  EXPECT_EQ(n, kMaxAttachedPolicies);
}

TEST_F(EntitiesTest, InlinePoliciesAndIdentityPolicies) {
  MakeUser("u");
  auto user = PrincipalRef::User("111111111111", "u");
  ASSERT_TRUE(store_->inline_policies().Put(user, "inline1", "{\"a\":1}").ok());
  ASSERT_TRUE(store_->inline_policies().Put(user, "inline1", "{\"a\":2}").ok());  // replaces
  ASSERT_TRUE(store_->inline_policies().Put(user, "inline0", "{}").ok());
  auto got = store_->inline_policies().Get(user, "inline1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->document, "{\"a\":2}");
  auto names = store_->inline_policies().List(user);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->items, (std::vector<std::string>{"inline0", "inline1"}));
  EXPECT_EQ(store_->inline_policies().Get(user, "none").status().message(),
            "The user policy with name none cannot be found.");
  EXPECT_EQ(
      store_->inline_policies().Get(PrincipalRef::Role("111111111111", "r"), "x").status().code(),
      ErrorCode::kNotFound);

  ManagedPolicy p = MakePolicy("managed");
  ASSERT_TRUE(store_->attachments().Attach(user, p.arn).ok());
  auto ids = store_->attachments().IdentityPolicies(user);
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_TRUE((*ids)[0].managed);
  EXPECT_EQ((*ids)[0].source, p.arn);
  EXPECT_EQ((*ids)[0].document, kPackagesPolicy);
  EXPECT_EQ((*ids)[1].source, "inline0");

  // DeleteUser needs the policies gone first.
  auto st = store_->users().Delete("111111111111", "u");
  EXPECT_EQ(st.code(), ErrorCode::kDeleteConflict);
  EXPECT_EQ(st.message(), "Cannot delete entity, must detach all policies first.");
  ASSERT_TRUE(store_->attachments().Detach(user, p.arn).ok());
  st = store_->users().Delete("111111111111", "u");
  EXPECT_EQ(st.message(), "Cannot delete entity, must delete policies first.");
  ASSERT_TRUE(store_->inline_policies().Delete(user, "inline0").ok());
  ASSERT_TRUE(store_->inline_policies().Delete(user, "inline1").ok());
  EXPECT_EQ(store_->inline_policies().Delete(user, "inline1").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->users().Delete("111111111111", "u").ok());
}

TEST_F(EntitiesTest, AccessKeys) {
  MakeUser("u");
  auto k1 = store_->access_keys().Create(testing::Key("111111111111", "u", "", ""));
  ASSERT_TRUE(k1.ok()) << k1.status().ToString();
  EXPECT_EQ(k1->access_key_id.substr(0, 4), "AKIA");
  EXPECT_EQ(core::AccountFromAccessKeyId(k1->access_key_id), "111111111111");
  EXPECT_EQ(k1->secret_access_key.size(), 40u);
  EXPECT_EQ(k1->user_name, "u");
  auto k2 = store_->access_keys().Create(testing::Key("111111111111", "U", "", ""));
  ASSERT_TRUE(k2.ok());
  auto k3 = store_->access_keys().Create(testing::Key("111111111111", "u", "", ""));
  EXPECT_EQ(k3.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(k3.status().message(), "Cannot exceed quota for AccessKeysPerUser: 2");
  EXPECT_EQ(
      store_->access_keys().Create(testing::Key("111111111111", "ghost", "", "")).status().code(),
      ErrorCode::kNotFound);

  auto list = store_->access_keys().List("111111111111", "u");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_TRUE(list->items[0].secret_access_key.empty());

  auto cred = store_->LookupCredential(k1->access_key_id);
  ASSERT_TRUE(cred.ok());
  EXPECT_EQ((*cred)->secret_access_key, k1->secret_access_key);
  EXPECT_EQ((*cred)->kind, PrincipalKind::kUser);
  EXPECT_EQ((*cred)->principal_arn, "arn:aws:iam::111111111111:user/u");
  EXPECT_TRUE((*cred)->active);

  // Deactivation and deletion take effect at once, through the cache.
  ASSERT_TRUE(store_->access_keys()
                  .UpdateStatus("111111111111", "u", k1->access_key_id, AccessKeyStatus::kInactive)
                  .ok());
  EXPECT_FALSE((*store_->LookupCredential(k1->access_key_id))->active);
  EXPECT_EQ(store_->access_keys().Get(k1->access_key_id)->status, AccessKeyStatus::kInactive);
  // The key must belong to the named user.
  MakeUser("other");
  EXPECT_EQ(store_->access_keys().Delete("111111111111", "other", k1->access_key_id).code(),
            ErrorCode::kNotFound);
  auto st = store_->users().Delete("111111111111", "u");
  EXPECT_EQ(st.message(), "Cannot delete entity, must delete access keys first.");
  ASSERT_TRUE(store_->access_keys().Delete("111111111111", "u", k1->access_key_id).ok());
  EXPECT_EQ(store_->LookupCredential(k1->access_key_id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->access_keys().Delete("111111111111", "u", k1->access_key_id).message(),
            "The Access Key with id " + k1->access_key_id + " cannot be found.");
  ASSERT_TRUE(store_->access_keys().Delete("111111111111", "u", k2->access_key_id).ok());
  ASSERT_TRUE(store_->users().Delete("111111111111", "u").ok());
}

TEST_F(EntitiesTest, RootAndFixedKeys) {
  NewAccessKey fixed = testing::Key("222222222222", "", "AKIAIOSFODNN7EXAMPLE",
                                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  auto root = store_->access_keys().Create(fixed);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  auto cred = store_->LookupCredential("AKIAIOSFODNN7EXAMPLE");
  ASSERT_TRUE(cred.ok());
  EXPECT_EQ((*cred)->kind, PrincipalKind::kRoot);
  EXPECT_EQ((*cred)->principal_arn, "arn:aws:iam::222222222222:root");
  EXPECT_EQ((*cred)->principal_id, "222222222222");
  EXPECT_EQ((*cred)->secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  fixed.account_id = "111111111111";
  EXPECT_EQ(store_->access_keys().Create(fixed).status().code(), ErrorCode::kAlreadyExists);
  fixed.access_key_id = "lower-case";
  EXPECT_EQ(store_->access_keys().Create(fixed).status().code(), ErrorCode::kInvalidArgument);
  auto roots = store_->access_keys().List("222222222222", "");
  ASSERT_TRUE(roots.ok());
  ASSERT_EQ(roots->items.size(), 1u);
  EXPECT_TRUE(roots->items[0].user_name.empty());
}

TEST_F(EntitiesTest, Sessions) {
  Role role = MakeRole("curated-packages-role");
  NewSession ns;
  ns.account_id = "111111111111";
  ns.role_arn = role.arn;
  ns.role_id = role.role_id;
  ns.role_name = role.name;
  ns.session_name = "s1";
  ns.duration = std::chrono::seconds(900);
  ns.source_identity = "alice";
  ns.source_arn = "arn:aws:iam::999999999999:user/curated-packages-user";
  ns.session_policy = "{}";
  ns.session_policy_arns = {"arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"};
  auto s = store_->sessions().Create(ns);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->access_key_id.substr(0, 4), "ASIA");
  EXPECT_EQ(core::AccountFromAccessKeyId(s->access_key_id), "111111111111");
  EXPECT_FALSE(s->session_token.empty());
  EXPECT_EQ(s->assumed_role_arn, "arn:aws:sts::111111111111:assumed-role/curated-packages-role/s1");
  EXPECT_EQ(s->assumed_role_id, role.role_id + ":s1");
  EXPECT_EQ(s->expiration.time_since_epoch().count(), testing::kStart + 900);

  auto cred = store_->LookupCredential(s->access_key_id);
  ASSERT_TRUE(cred.ok());
  const Credential& c = **cred;
  EXPECT_TRUE(c.is_session());
  EXPECT_EQ(c.secret_access_key, s->secret_access_key);
  EXPECT_TRUE(c.MatchesSessionToken(s->session_token));
  EXPECT_FALSE(c.MatchesSessionToken(s->session_token + "x"));
  EXPECT_EQ(c.principal_arn, s->assumed_role_arn);
  EXPECT_EQ(c.principal_id, s->assumed_role_id);
  EXPECT_EQ(c.source_identity, "alice");
  EXPECT_EQ(c.session_policy, "{}");
  EXPECT_EQ(c.session_policy_arns, ns.session_policy_arns);
  EXPECT_FALSE(c.ExpiredAt(clock_.Now()));
  clock_.Advance(std::chrono::seconds(900));
  EXPECT_TRUE(c.ExpiredAt(clock_.Now()));

  auto meta = store_->sessions().Get(s->access_key_id);
  ASSERT_TRUE(meta.ok());
  EXPECT_TRUE(meta->secret_access_key.empty());
  EXPECT_EQ(meta->session_policy_arns, ns.session_policy_arns);

  ns.session_name = "s2";
  ns.duration = std::chrono::seconds(3600);
  auto s2 = store_->sessions().Create(ns);
  ASSERT_TRUE(s2.ok());
  clock_.Advance(std::chrono::seconds(1));
  auto purged = store_->sessions().PurgeExpired();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(store_->LookupCredential(s->access_key_id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->LookupCredential(s2->access_key_id).ok());
  ASSERT_TRUE(store_->sessions().Delete(s2->access_key_id).ok());
  EXPECT_EQ(store_->LookupCredential(s2->access_key_id).status().code(), ErrorCode::kNotFound);
}

TEST_F(EntitiesTest, TransactionRollbackLeavesNoPartialState) {
  const uint64_t gen = store_->generation();
  std::string key_id;
  auto st = store_->Transaction([&]() -> core::Status {
    CPA_RETURN_IF_ERROR(store_->users().Create({"111111111111", "partial", "/", ""}).status());
    auto k = store_->access_keys().Create(testing::Key("111111111111", "partial", "", ""));
    CPA_RETURN_IF_ERROR(k.status());
    key_id = k->access_key_id;
    CPA_RETURN_IF_ERROR(
        store_->policies().Create({"111111111111", "p", "/", "", kPackagesPolicy, ""}).status());
    // Fails: the user exists (in this transaction).
    return store_->users().Create({"111111111111", "PARTIAL", "/", ""}).status();
  });
  EXPECT_EQ(st.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->users().Get("111111111111", "partial").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->policies().Get("arn:aws:iam::111111111111:policy/p").status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->LookupCredential(key_id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->generation(), gen);

  // A failing write inside a successful transaction is rolled back alone (savepoint).
  st = store_->Transaction([&]() -> core::Status {
    CPA_RETURN_IF_ERROR(store_->users().Create({"111111111111", "kept", "/", ""}).status());
    EXPECT_FALSE(store_->users().Create({"111111111111", "KEPT", "/", ""}).ok());
    return core::Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(store_->users().Get("111111111111", "kept").ok());
  EXPECT_GT(store_->generation(), gen);
  Reopen();
  EXPECT_TRUE(store_->users().Get("111111111111", "kept").ok());
  EXPECT_EQ(store_->users().Get("111111111111", "partial").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cpa::server::store
