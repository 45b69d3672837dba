#pragma once
// Shared fixture: a fresh data directory under the test temp dir, a store on a fake clock.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "server/store/store.h"

namespace cpa::server::store::testing {

inline std::string MakeTempDir() {
  std::string tmpl = ::testing::TempDir() + "cpa-store-XXXXXX";
  char* dir = ::mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

inline std::string ReadFile(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

inline void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

inline NewAccessKey Key(std::string account, std::string user, std::string id = "",
                        std::string secret = "") {
  NewAccessKey k;
  k.account_id = std::move(account);
  k.user_name = std::move(user);
  k.access_key_id = std::move(id);
  k.secret_access_key = std::move(secret);
  return k;
}

inline NewSession Sess(std::string account, std::string role_arn, std::string role_id,
                       std::string role_name, std::string session_name) {
  NewSession s;
  s.account_id = std::move(account);
  s.role_arn = std::move(role_arn);
  s.role_id = std::move(role_id);
  s.role_name = std::move(role_name);
  s.session_name = std::move(session_name);
  return s;
}

// 2024-05-01T12:00:00Z
inline constexpr int64_t kStart = 1714564800;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  StoreOptions Options() {
    StoreOptions o;
    o.data_dir = dir_;
    o.clock = &clock_;
    return o;
  }
  void Open() {
    auto s = Store::Open(Options());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void Reopen() {
    store_.reset();
    Open();
  }
  // An account 111111111111 and 222222222222.
  void AddAccounts() {
    Account a;
    a.id = "111111111111";
    a.name = "one";
    ASSERT_TRUE(store_->accounts().Create(a).ok());
    a.id = "222222222222";
    a.name = "two";
    ASSERT_TRUE(store_->accounts().Create(a).ok());
  }

  std::string dir_;
  core::FakeClock clock_{core::TimePoint(std::chrono::seconds(kStart))};
  std::unique_ptr<Store> store_;
};

inline constexpr const char* kPackagesPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [{"Sid": "ECRRead", "Effect": "Allow", "Action": ["ecr:BatchGetImage"],
                 "Resource": "arn:aws:ecr:*:346438352937:repository/*"}]})";
inline constexpr const char* kTrustPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                 "Action": "sts:AssumeRole"}]})";

}  // namespace cpa::server::store::testing
