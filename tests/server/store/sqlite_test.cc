#include "server/store/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "server/store/schema.h"
#include "store_fixture.h"

namespace cpa::server::store {
namespace {

using core::ErrorCode;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    auto db = Database::Open(dir_ + "/t.db", {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)").ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  int64_t Count() {
    auto q = db_->Prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(*(*q)->Step());
    return (*q)->Int(0);
  }
  core::Status Insert(const std::string& k, int64_t v) {
    auto q = db_->Prepare("INSERT INTO t(k, v) VALUES (?1, ?2)");
    if (!q.ok()) return q.status();
    (*q)->Bind(1, k).Bind(2, v);
    return (*q)->Run();
  }
  std::string dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(SqliteTest, PragmasAreSet) {
  auto q = db_->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*(*q)->Step());
  EXPECT_EQ((*q)->Text(0), "wal");
  auto fk = db_->Prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(*(*fk)->Step());
  EXPECT_EQ((*fk)->Int(0), 1);
  auto sync = db_->Prepare("PRAGMA synchronous");
  ASSERT_TRUE(*(*sync)->Step());
  EXPECT_EQ((*sync)->Int(0), 1);  // NORMAL
}

TEST_F(SqliteTest, BindAndReadBack) {
  ASSERT_TRUE(Insert("a", 1).ok());
  auto q = db_->Prepare("SELECT k, v FROM t WHERE k = ?1");
  ASSERT_TRUE(q.ok());
  (*q)->Bind(1, std::string("a"));
  ASSERT_TRUE(*(*q)->Step());
  EXPECT_EQ((*q)->Text(0), "a");
  EXPECT_EQ((*q)->Int(1), 1);
  EXPECT_FALSE(*(*q)->Step());
}

TEST_F(SqliteTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(Insert("a", 1).ok());
  EXPECT_EQ(Insert("a", 2).code(), ErrorCode::kAlreadyExists);
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  {
    Transaction tx(*db_);
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE(Insert("a", 1).ok());
    ASSERT_TRUE(Insert("b", 2).ok());
  }  // destroyed without Commit
  EXPECT_EQ(Count(), 0);
  {
    Transaction tx(*db_);
    ASSERT_TRUE(Insert("a", 1).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(Count(), 1);
  EXPECT_FALSE(db_->InTransaction());
}

TEST_F(SqliteTest, NestedTransactionsAreSavepoints) {
  Transaction outer(*db_);
  ASSERT_TRUE(Insert("a", 1).ok());
  {
    Transaction inner(*db_);
    ASSERT_TRUE(Insert("b", 2).ok());
  }  // inner rolled back alone
  EXPECT_EQ(Count(), 1);
  {
    Transaction inner(*db_);
    ASSERT_TRUE(Insert("c", 3).ok());
    ASSERT_TRUE(inner.Commit().ok());
  }
  ASSERT_TRUE(outer.Commit().ok());
  EXPECT_EQ(Count(), 2);
}

TEST_F(SqliteTest, BadSqlIsAnError) {
  auto q = db_->Prepare("SELEC nonsense");
  EXPECT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), ErrorCode::kInternal);
}

TEST_F(SqliteTest, MigrateIsIdempotentAndRefusesNewerSchemas) {
  auto first = Migrate(*db_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 0);
  auto again = Migrate(*db_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, SchemaVersion());
  ASSERT_TRUE(db_->Exec("PRAGMA user_version = 99").ok());
  auto newer = Migrate(*db_);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("newer"), std::string::npos);
}

}  // namespace
}  // namespace cpa::server::store
