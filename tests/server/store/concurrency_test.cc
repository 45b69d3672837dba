// Several threads look keys up while another writes (creates, deactivates, deletes keys).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_fixture.h"

namespace cpa::server::store {
namespace {

using core::ErrorCode;

class ConcurrencyTest : public testing::StoreTest {};

TEST_F(ConcurrencyTest, ReadersSeeConsistentKeysWhileAWriterRuns) {
  AddAccounts();
  // Stable keys that readers check continuously.
  std::vector<AccessKey> stable;
  for (int i = 0; i < 8; ++i) {
    std::string name = "stable" + std::to_string(i);
    ASSERT_TRUE(store_->users().Create({"111111111111", name, "/", ""}).ok());
    auto k = store_->access_keys().Create(testing::Key("111111111111", name, "", ""));
    ASSERT_TRUE(k.ok());
    stable.push_back(*k);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::atomic<long> lookups{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      size_t i = static_cast<size_t>(t);
      while (!stop.load()) {
        const AccessKey& k = stable[i++ % stable.size()];
        auto c = store_->LookupCredential(k.access_key_id);
        if (!c.ok() || (*c)->secret_access_key != k.secret_access_key || !(*c)->active) {
          errors.fetch_add(1);
        }
        if (i % 16 == 0) {
          auto u = store_->users().Get("111111111111", k.user_name);
          if (!u.ok()) errors.fetch_add(1);
        }
        lookups.fetch_add(1);
      }
    });
  }
  // The writer: churn keys of another user; each deletion must be visible at once.
  ASSERT_TRUE(store_->users().Create({"111111111111", "churn", "/", ""}).ok());
  for (int i = 0; i < 150; ++i) {
    auto k = store_->access_keys().Create(testing::Key("111111111111", "churn", "", ""));
    ASSERT_TRUE(k.ok()) << k.status().ToString();
    auto c = store_->LookupCredential(k->access_key_id);
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE((*c)->active);
    ASSERT_TRUE(
        store_->access_keys()
            .UpdateStatus("111111111111", "churn", k->access_key_id, AccessKeyStatus::kInactive)
            .ok());
    EXPECT_FALSE((*store_->LookupCredential(k->access_key_id))->active);
    ASSERT_TRUE(store_->access_keys().Delete("111111111111", "churn", k->access_key_id).ok());
    EXPECT_EQ(store_->LookupCredential(k->access_key_id).status().code(), ErrorCode::kNotFound);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(lookups.load(), 0);
}

}  // namespace
}  // namespace cpa::server::store
