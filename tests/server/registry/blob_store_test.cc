#include "server/registry/blob_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "server/registry/manifest.h"

namespace cpa::server::registry {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUpload = "0123abcd-0000-4000-8000-00000000beef";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-blobs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto b = BlobStore::Open(dir_ + "/registry");
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    blobs_ = std::move(*b);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_;
  std::unique_ptr<BlobStore> blobs_;
};

TEST_F(BlobStoreTest, PutBytesIsContentAddressed) {
  auto d = blobs_->PutBytes("hello");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, Sha256DigestOf("hello"));
  std::string path = blobs_->BlobPath(*d);
  EXPECT_EQ(path, dir_ + "/registry/blobs/sha256/" + d->substr(7, 2) + "/" + d->substr(7));
  EXPECT_EQ(ReadFile(path), "hello");
  auto size = blobs_->BlobSize(*d);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 5u);
  // Idempotent.
  auto again = blobs_->PutBytes("hello");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *d);
  EXPECT_TRUE(fs::is_empty(dir_ + "/registry/tmp"));
  EXPECT_EQ(blobs_->BlobSize(Sha256DigestOf("other")).status().code(), core::ErrorCode::kNotFound);
}

TEST_F(BlobStoreTest, PutBatchWritesEachBlobOnce) {
  ASSERT_TRUE(blobs_->PutBytes("stored before").ok());
  const std::vector<std::string_view> batch = {"one", "two", "stored before", "one", ""};
  auto digests = blobs_->PutBatch(batch);
  ASSERT_TRUE(digests.ok()) << digests.status().ToString();
  ASSERT_EQ(digests->size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ((*digests)[i], Sha256DigestOf(batch[i]));
    EXPECT_EQ(ReadFile(blobs_->BlobPath((*digests)[i])), batch[i]);
    struct stat st {};
    ASSERT_EQ(::stat(blobs_->BlobPath((*digests)[i]).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  EXPECT_TRUE(fs::is_empty(dir_ + "/registry/tmp"));
  auto empty = blobs_->PutBatch({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  // Nothing new: nothing written, same answer.
  auto again = blobs_->PutBatch(batch);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *digests);
}

TEST_F(BlobStoreTest, PutBatchFailingMidwayLeavesNoPartialOrTemporaryFile) {
  // Five blobs in five different directories; the third one's directory cannot be created.
  std::vector<std::string> contents;
  std::set<std::string> prefixes;
  for (int salt = 0; contents.size() < 5; ++salt) {
    std::string c = "blob " + std::to_string(salt);
    if (prefixes.insert(Sha256DigestOf(c).substr(7, 2)).second) contents.push_back(c);
  }
  const std::string blocked = Sha256DigestOf(contents[2]);
  const std::string blocked_dir = dir_ + "/registry/blobs/sha256/" + blocked.substr(7, 2);
  WriteFile(blocked_dir, "a file where a directory belongs");

  std::vector<std::string_view> batch(contents.begin(), contents.end());
  auto digests = blobs_->PutBatch(batch);
  ASSERT_FALSE(digests.ok());
  EXPECT_EQ(digests.status().code(), core::ErrorCode::kInternal);
  EXPECT_NE(digests.status().message().find(blocked.substr(7, 2)), std::string::npos)
      << digests.status().message();
  // Blobs before the failure are complete files (harmless without metadata); the failing one
  // and those after it have no file at all; no temporary file is left.
  for (size_t i = 0; i < contents.size(); ++i) {
    const std::string path = blobs_->BlobPath(Sha256DigestOf(contents[i]));
    if (i < 2) {
      EXPECT_EQ(ReadFile(path), contents[i]) << i;
    } else {
      EXPECT_FALSE(fs::exists(path)) << i;
    }
  }
  EXPECT_TRUE(fs::is_empty(dir_ + "/registry/tmp"));

  // Once the obstacle is gone the same batch completes.
  fs::remove(blocked_dir);
  digests = blobs_->PutBatch(batch);
  ASSERT_TRUE(digests.ok()) << digests.status().ToString();
  for (size_t i = 0; i < contents.size(); ++i) {
    EXPECT_EQ(ReadFile(blobs_->BlobPath((*digests)[i])), contents[i]) << i;
  }
}

TEST_F(BlobStoreTest, UploadInChunksAndCommit) {
  ASSERT_TRUE(blobs_->CreateUpload(kUpload).ok());
  ASSERT_TRUE(blobs_->WriteUpload(kUpload, 0, "abc").ok());
  ASSERT_TRUE(blobs_->WriteUpload(kUpload, 3, "def").ok());
  EXPECT_EQ(ReadFile(blobs_->UploadPath(kUpload)), "abcdef");
  // A chunk rewritten at an earlier offset cuts what followed (what a crash left behind).
  ASSERT_TRUE(blobs_->WriteUpload(kUpload, 3, "DE").ok());
  EXPECT_EQ(ReadFile(blobs_->UploadPath(kUpload)), "abcDE");
  std::string digest = Sha256DigestOf("abcDE");
  ASSERT_TRUE(blobs_->CommitUpload(kUpload, 5, digest).ok());
  EXPECT_EQ(ReadFile(blobs_->BlobPath(digest)), "abcDE");
  EXPECT_FALSE(fs::exists(blobs_->UploadPath(kUpload)));
}

TEST_F(BlobStoreTest, CommitVerifiesTheDigest) {
  ASSERT_TRUE(blobs_->CreateUpload(kUpload).ok());
  ASSERT_TRUE(blobs_->WriteUpload(kUpload, 0, "content").ok());
  auto s = blobs_->CommitUpload(kUpload, 7, Sha256DigestOf("other content"));
  EXPECT_EQ(s.code(), core::ErrorCode::kDigestMismatch);
  EXPECT_FALSE(fs::exists(blobs_->BlobPath(Sha256DigestOf("other content"))));
  EXPECT_FALSE(fs::exists(blobs_->BlobPath(Sha256DigestOf("content"))));
  EXPECT_TRUE(fs::exists(blobs_->UploadPath(kUpload)));  // the caller discards it
  ASSERT_TRUE(blobs_->RemoveUpload(kUpload).ok());
  EXPECT_FALSE(fs::exists(blobs_->UploadPath(kUpload)));
}

TEST_F(BlobStoreTest, AppendSpooledFileRenamesWhenEmptyCopiesOtherwise) {
  ASSERT_TRUE(blobs_->CreateUpload(kUpload).ok());
  std::string spool1 = dir_ + "/spool1";
  WriteFile(spool1, "first-");
  struct stat st {};
  ASSERT_EQ(::stat(spool1.c_str(), &st), 0);
  const ino_t inode = st.st_ino;
  auto n = blobs_->AppendUploadFile(kUpload, 0, spool1);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 6u);
  EXPECT_FALSE(fs::exists(spool1));
  ASSERT_EQ(::stat(blobs_->UploadPath(kUpload).c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, inode);  // renamed, not copied

  std::string spool2 = dir_ + "/spool2";
  WriteFile(spool2, "second");
  n = blobs_->AppendUploadFile(kUpload, 6, spool2);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 6u);
  EXPECT_FALSE(fs::exists(spool2));
  EXPECT_EQ(ReadFile(blobs_->UploadPath(kUpload)), "first-second");
}

TEST_F(BlobStoreTest, RefusesIdsThatAreNotUuids) {
  for (const char* id : {"../x", "0123ABCD-0000-4000-8000-00000000BEEF", "", "a/b"}) {
    EXPECT_EQ(blobs_->CreateUpload(id).code(), core::ErrorCode::kUploadNotFound) << id;
    EXPECT_EQ(blobs_->WriteUpload(id, 0, "x").code(), core::ErrorCode::kUploadNotFound) << id;
  }
  EXPECT_TRUE(BlobStore::IsUploadId(kUpload));
}

TEST_F(BlobStoreTest, OpenEmptiesTheTemporaryDirectory) {
  WriteFile(dir_ + "/registry/tmp/leftover", "partial");
  auto b = BlobStore::Open(dir_ + "/registry");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(fs::is_empty(dir_ + "/registry/tmp"));
}

TEST_F(BlobStoreTest, HashFileReadsInChunks) {
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  WriteFile(dir_ + "/big", big);
  auto h = BlobStore::HashFile(dir_ + "/big");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, Sha256DigestOf(big));
  auto prefix = BlobStore::HashFile(dir_ + "/big", 10);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(*prefix, Sha256DigestOf(big.substr(0, 10)));
  EXPECT_FALSE(BlobStore::HashFile(dir_ + "/big", big.size() + 1).ok());
}

}  // namespace
}  // namespace cpa::server::registry
