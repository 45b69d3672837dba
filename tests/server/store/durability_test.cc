// Restart survival, kill -9 survival, secrets at rest, the master key and the directory lock.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "store_fixture.h"

namespace cpa::server::store {
namespace {

using core::ErrorCode;
using testing::kPackagesPolicy;
using testing::kTrustPolicy;
using testing::ReadFile;

class DurabilityTest : public testing::StoreTest {};

TEST_F(DurabilityTest, EverythingSurvivesAReopen) {
  AddAccounts();
  auto user = store_->users().Create({"111111111111", "alice", "/", ""});
  ASSERT_TRUE(user.ok());
  auto key = store_->access_keys().Create(testing::Key("111111111111", "alice", "", ""));
  ASSERT_TRUE(key.ok());
  auto policy = store_->policies().Create({"111111111111", "p", "/", "d", kPackagesPolicy, ""});
  ASSERT_TRUE(policy.ok());
  NewRole nr;
  nr.account_id = "111111111111";
  nr.name = "r";
  nr.trust_policy = kTrustPolicy;
  auto role = store_->roles().Create(nr);
  ASSERT_TRUE(role.ok());
  auto ref = PrincipalRef::Role("111111111111", "r");
  ASSERT_TRUE(store_->attachments().Attach(ref, policy->arn).ok());
  ASSERT_TRUE(store_->inline_policies().Put(ref, "inl", "{}").ok());
  NewSession ns = testing::Sess("111111111111", role->arn, role->role_id, "r", "sess");
  auto session = store_->sessions().Create(ns);
  ASSERT_TRUE(session.ok());

  Reopen();
  auto u = store_->users().Get("111111111111", "alice");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->user_id, user->user_id);
  EXPECT_EQ(u->create_date, user->create_date);
  auto c = store_->LookupCredential(key->access_key_id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->secret_access_key, key->secret_access_key);
  auto p = store_->policies().Get(policy->arn);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->description, "d");
  EXPECT_EQ(p->attachment_count, 1);
  EXPECT_EQ(store_->roles().Get("111111111111", "r")->trust_policy, kTrustPolicy);
  EXPECT_EQ(store_->inline_policies().Get(ref, "inl")->document, "{}");
  auto sc = store_->LookupCredential(session->access_key_id);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ((*sc)->secret_access_key, session->secret_access_key);
  EXPECT_TRUE((*sc)->MatchesSessionToken(session->session_token));
}

TEST_F(DurabilityTest, SecretsAreNotStoredInClear) {
  AddAccounts();
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  ASSERT_TRUE(store_->access_keys()
                  .Create(testing::Key("111111111111", "", "AKIAIOSFODNN7EXAMPLE", secret))
                  .ok());
  NewSession ns =
      testing::Sess("111111111111", "arn:aws:iam::111111111111:role/r", "AROAX", "r", "s");
  auto session = store_->sessions().Create(ns);
  ASSERT_TRUE(session.ok());
  auto scan = [&](bool closed) {
    bool saw_id = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      const std::string name = entry.path().filename();
      if (name == "master.key") continue;
      std::string bytes = ReadFile(entry.path());
      EXPECT_EQ(bytes.find(secret), std::string::npos) << name << " closed=" << closed;
      EXPECT_EQ(bytes.find(session->secret_access_key), std::string::npos) << name;
      EXPECT_EQ(bytes.find(session->session_token), std::string::npos) << name;
      saw_id = saw_id || bytes.find("AKIAIOSFODNN7EXAMPLE") != std::string::npos;
    }
    EXPECT_TRUE(saw_id) << "the key id itself is stored in clear; the scan must find it";
  };
  scan(false);  // database and WAL while open
  store_.reset();
  scan(true);  // after the checkpoint on close
  Open();
}

TEST_F(DurabilityTest, MasterKeyIsPrivateAndChecked) {
  struct stat st {};
  ASSERT_EQ(::stat(store_->master_key_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const std::string key_path = store_->master_key_path();
  const std::string original = ReadFile(key_path);
  store_.reset();

  testing::WriteFile(key_path, std::string(32, 'x'));
  auto wrong = Store::Open(Options());
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("master.key"), std::string::npos);
  EXPECT_NE(wrong.status().message().find("is not the key"), std::string::npos)
      << wrong.status().message();

  testing::WriteFile(key_path, "short");
  auto bad_size = Store::Open(Options());
  ASSERT_FALSE(bad_size.ok());
  EXPECT_NE(bad_size.status().message().find("32 bytes"), std::string::npos);

  ::unlink(key_path.c_str());
  auto missing = Store::Open(Options());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(key_path)) << "must not create a new key over old data";

  testing::WriteFile(key_path, original);
  Open();
}

TEST_F(DurabilityTest, OneStorePerDirectory) {
  auto second = Store::Open(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

// A child process writes users and reports each one after Create returns; the parent kills it
// with SIGKILL mid-stream, reopens the store and finds every acknowledged user.
TEST(CrashTest, KillNineLosesNoAcknowledgedWrite) {
  const std::string dir = testing::MakeTempDir();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    StoreOptions o;
    o.data_dir = dir;
    auto store = Store::Open(o);
    if (!store.ok()) ::_exit(2);
    Account a;
    a.id = "111111111111";
    if (!(*store)->accounts().Create(a).ok()) ::_exit(3);
    for (int i = 0;; ++i) {
      std::string name = "user" + std::to_string(i);
      if (!(*store)->users().Create({"111111111111", name, "/", ""}).ok()) ::_exit(4);
      if (i % 3 == 0 &&
          !(*store)->access_keys().Create(testing::Key("111111111111", name, "", "")).ok()) {
        ::_exit(5);
      }
      name += '\n';
      if (::write(fds[1], name.data(), name.size()) < 0) ::_exit(6);
    }
  }
  ::close(fds[1]);
  std::set<std::string> acked;
  std::string buf;
  char chunk[4096];
  while (acked.size() < 300) {
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    ASSERT_GT(n, 0) << "child stopped early";
    buf.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      acked.insert(buf.substr(0, nl));
      buf.erase(0, nl + 1);
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  // Lines that arrived after our last read are acknowledged too.
  while (true) {
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  size_t nl;
  while ((nl = buf.find('\n')) != std::string::npos) {
    acked.insert(buf.substr(0, nl));
    buf.erase(0, nl + 1);
  }
  ::close(fds[0]);

  StoreOptions o;
  o.data_dir = dir;
  auto store = Store::Open(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const auto& name : acked) {
    EXPECT_TRUE((*store)->users().Get("111111111111", name).ok()) << name;
  }
  // Keys of acknowledged users decrypt after the crash.
  auto keys = (*store)->access_keys().List("111111111111", "user0");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->items.size(), 1u);
  EXPECT_TRUE((*store)->LookupCredential(keys->items[0].access_key_id).ok());
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cpa::server::store
