#include "server/registry/registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "server/registry/auth_token.h"
#include "server/registry/manifest.h"
#include "server/store/store.h"
#include "server/store/store_state.h"

namespace cpa::server::registry {
namespace {

namespace fs = std::filesystem;
namespace st = store;
using core::ErrorCode;
using std::chrono::seconds;

constexpr const char* kCustomer = "111111111111";
constexpr const char* kOther = "999999999999";
constexpr const char* kPackages = "346438352937";
constexpr const char* kRegion = "us-west-2";
constexpr int64_t kStart = 1714564800;  // 2024-05-01T12:00:00Z

std::string Desc(std::string_view media_type, const std::string& digest, size_t size) {
  return R"({"mediaType":")" + std::string(media_type) + R"(","digest":")" + digest +
         R"(","size":)" + std::to_string(size) + "}";
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-registry-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    OpenAll();
    for (const char* id : {kCustomer, kOther}) {
      st::Account a;
      a.id = id;
      a.name = std::string("account-") + id;
      ASSERT_TRUE(store_->accounts().Create(a).ok());
    }
    st::Account p;
    p.id = kPackages;
    p.name = "eks-anywhere-packages-us-west-2";
    p.aws_owned = true;
    p.region = kRegion;
    ASSERT_TRUE(store_->accounts().Create(p).ok());
  }
  void TearDown() override {
    registry_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void OpenAll() {
    st::StoreOptions o;
    o.data_dir = dir_ + "/state";
    o.clock = &clock_;
    auto s = st::Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    RegistryOptions ro;
    ro.store = store_.get();
    ro.registry_domain = "registry.test";
    ro.subscribers = [this](std::string_view region, core::TimePoint now) {
      std::lock_guard lock(mu_);
      lookups_++;
      std::vector<std::string> out;
      for (const auto& [account, until] : subscribers_) {
        if (region == kRegion && now < until) out.push_back(account);
      }
      return out;
    };
    auto r = Registry::Open(ro);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = std::move(*r);
  }

  RepositoryId Repo(const char* account, const char* name, const char* region = kRegion) {
    return {account, region, name};
  }

  Repository Create(const RepositoryId& id, std::string mutability = "MUTABLE",
                    std::vector<std::string> exclusions = {}) {
    NewRepository n;
    n.id = id;
    n.tag_mutability = std::move(mutability);
    n.tag_mutability_exclusions = std::move(exclusions);
    auto r = registry_->CreateRepository(n);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Repository{};
  }

  // Pushes a config and one layer through uploads and returns an OCI image manifest using them.
  std::string PushImageBlobs(const RepositoryId& id, const std::string& salt) {
    std::string config = R"({"architecture":"amd64","os":"linux","salt":")" + salt + "\"}";
    std::string layer = "layer bytes " + salt;
    for (const std::string* blob : {&config, &layer}) {
      auto u = registry_->StartUpload(id);
      EXPECT_TRUE(u.ok()) << u.status().ToString();
      EXPECT_TRUE(registry_->AppendUpload(id, u->id, 0, *blob).ok());
      auto b = registry_->CompleteUpload(id, u->id, Sha256DigestOf(*blob));
      EXPECT_TRUE(b.ok()) << b.status().ToString();
    }
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
           R"("config":)" +
           Desc("application/vnd.oci.image.config.v1+json", Sha256DigestOf(config), config.size()) +
           R"(,"layers":[)" +
           Desc("application/vnd.oci.image.layer.v1.tar+gzip", Sha256DigestOf(layer),
                layer.size()) +
           "]}";
  }

  core::FakeClock clock_{core::TimePoint(seconds(kStart))};
  std::string dir_;
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<Registry> registry_;
  std::mutex mu_;
  std::map<std::string, core::TimePoint> subscribers_;
  int lookups_ = 0;
};

TEST_F(RegistryTest, RepositoriesCreateGetListDelete) {
  Repository r = Create(Repo(kCustomer, "team/app"));
  EXPECT_EQ(r.arn, "arn:aws:ecr:us-west-2:111111111111:repository/team/app");
  EXPECT_EQ(r.uri, "111111111111.dkr.ecr.us-west-2.registry.test/team/app");
  EXPECT_EQ(r.created_at, core::TimePoint(seconds(kStart)));
  EXPECT_EQ(r.tag_mutability, "MUTABLE");
  EXPECT_EQ(registry_->RegistryHost(kCustomer, kRegion),
            "111111111111.dkr.ecr.us-west-2.registry.test");

  NewRepository dup;
  dup.id = Repo(kCustomer, "team/app");
  auto again = registry_->CreateRepository(dup);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            "The repository with name 'team/app' already exists in the registry with id "
            "'111111111111'");
  // The same name in another region or account is another repository.
  Create(Repo(kCustomer, "team/app", "eu-west-1"));
  Create(Repo(kOther, "team/app"));

  auto got = registry_->GetRepository(Repo(kCustomer, "missing"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kRepositoryNotFound);
  EXPECT_EQ(got.status().message(),
            "The repository with name 'missing' does not exist in the registry with id "
            "'111111111111'");

  for (const char* n : {"b", "c", "a"}) Create(Repo(kCustomer, (std::string(n) + n).c_str()));
  auto page = registry_->ListRepositories(kCustomer, kRegion, {.after = "", .limit = 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id.name, "aa");
  EXPECT_EQ(page->items[1].id.name, "bb");
  EXPECT_TRUE(page->more);
  page = registry_->ListRepositories(kCustomer, kRegion, {.after = "bb", .limit = 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id.name, "cc");
  EXPECT_EQ(page->items[1].id.name, "team/app");
  EXPECT_FALSE(page->more);

  // Not empty without force.
  std::string manifest = PushImageBlobs(Repo(kCustomer, "aa"), "1");
  ASSERT_TRUE(registry_->PutImage(Repo(kCustomer, "aa"), manifest, "", "v1").ok());
  auto upload = registry_->StartUpload(Repo(kCustomer, "aa"));
  ASSERT_TRUE(upload.ok());
  auto del = registry_->DeleteRepository(Repo(kCustomer, "aa"), false);
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.status().code(), ErrorCode::kRepositoryNotEmpty);
  EXPECT_EQ(del.status().message(),
            "The repository with name 'aa' in registry with id '111111111111' cannot be deleted "
            "because it still contains images");
  del = registry_->DeleteRepository(Repo(kCustomer, "aa"), true);
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(del->id.name, "aa");
  EXPECT_EQ(registry_->GetRepository(Repo(kCustomer, "aa")).status().code(),
            ErrorCode::kRepositoryNotFound);
  EXPECT_FALSE(fs::exists(dir_ + "/state/registry/uploads/" + upload->id));
  ASSERT_TRUE(registry_->DeleteRepository(Repo(kCustomer, "bb"), false).ok());
}

TEST_F(RegistryTest, RepositoryNames) {
  for (const char* ok : {"ab", "a/b", "a.b_c__d---e/f0", "team/app/sub", "0a"}) {
    EXPECT_TRUE(Registry::ValidateRepositoryName(ok).ok()) << ok;
  }
  for (const char* bad :
       {"a", "A1", "a//b", "a/", "/a", "a..b", "a___b", "-a", "a-", "a b", "a:b", "ab/_c"}) {
    auto s = Registry::ValidateRepositoryName(bad);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(Registry::ValidateRepositoryName("a").message(),
            "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length "
            "greater than or equal to 2'");
  EXPECT_FALSE(Registry::ValidateRepositoryName(std::string(257, 'a')).ok());
  EXPECT_TRUE(Registry::ValidateRepositoryName(std::string(256, 'a')).ok());
  NewRepository n;
  n.id = Repo(kCustomer, "Bad");
  EXPECT_EQ(registry_->CreateRepository(n).status().code(), ErrorCode::kInvalidArgument);

  EXPECT_TRUE(Registry::ValidateDigest("sha256:" + std::string(64, 'f')).ok());
  EXPECT_NE(
      Registry::ValidateDigest("sha512:" + std::string(128, 'f')).message().find("unsupported"),
      std::string::npos);
  EXPECT_FALSE(Registry::ValidateDigest("sha256:xyz").ok());
  EXPECT_TRUE(Registry::ValidateTag("v1.0_rc-1").ok());
  EXPECT_TRUE(Registry::ValidateTag(std::string(128, 'a')).ok());
  for (const char* bad : {"", ".v1", "-v1", "a/b", "a:b", "a@b"}) {
    EXPECT_FALSE(Registry::ValidateTag(bad).ok()) << bad;
  }
  EXPECT_FALSE(Registry::ValidateTag(std::string(129, 'a')).ok());
}

TEST_F(RegistryTest, RepositoryTags) {
  NewRepository n;
  n.id = Repo(kCustomer, "tagged");
  n.tags = {{"team", "a"}, {"env", "dev"}};
  ASSERT_TRUE(registry_->CreateRepository(n).ok());
  auto tags = registry_->ListTags(n.id);
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0], std::make_pair(std::string("env"), std::string("dev")));
  ASSERT_TRUE(registry_->TagRepository(n.id, {{"team", "b"}, {"cost", "x"}}).ok());
  ASSERT_TRUE(registry_->UntagRepository(n.id, {"env", "absent"}).ok());
  tags = registry_->ListTags(n.id);
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0].first, "cost");
  EXPECT_EQ((*tags)[1], std::make_pair(std::string("team"), std::string("b")));
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 49; ++i) many.emplace_back("k" + std::to_string(i), "v");
  EXPECT_EQ(registry_->TagRepository(n.id, many).code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(registry_->ListTags(n.id)->size(), 2u);  // nothing written
  many.pop_back();
  EXPECT_TRUE(registry_->TagRepository(n.id, many).ok());
  EXPECT_EQ(registry_->ListTags(Repo(kCustomer, "absent")).status().code(),
            ErrorCode::kRepositoryNotFound);
}

TEST_F(RegistryTest, RepositoryPolicies) {
  RepositoryId id = Repo(kCustomer, "app");
  Create(id);
  auto none = registry_->RepositoryPolicy(id, clock_.Now());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->text);
  EXPECT_EQ(none->compiled, nullptr);
  EXPECT_EQ(registry_->DeleteRepositoryPolicy(id).status().code(),
            ErrorCode::kRepositoryPolicyNotFound);

  EXPECT_EQ(registry_->SetRepositoryPolicy(id, "{not json").code(),
            ErrorCode::kMalformedPolicyDocument);
  // A resource policy needs a Principal.
  EXPECT_EQ(registry_
                ->SetRepositoryPolicy(id, R"({"Version":"2012-10-17","Statement":[)"
                                          R"({"Effect":"Allow","Action":"ecr:*"}]})")
                .code(),
            ErrorCode::kMalformedPolicyDocument);
  const std::string policy =
      R"({"Version":"2008-10-17","Statement":[{"Sid":"pull","Effect":"Allow",)"
      R"("Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"ecr:BatchGetImage"}]})";
  ASSERT_TRUE(registry_->SetRepositoryPolicy(id, policy).ok());
  auto eff = registry_->RepositoryPolicy(id, clock_.Now());
  ASSERT_TRUE(eff.ok());
  EXPECT_EQ(eff->text, policy);  // verbatim
  ASSERT_NE(eff->compiled, nullptr);
  auto again = registry_->RepositoryPolicy(id, clock_.Now());
  EXPECT_EQ(again->compiled, eff->compiled);  // cached by text
  EXPECT_EQ(registry_->GetRepository(id)->policy_text, policy);
  auto deleted = registry_->DeleteRepositoryPolicy(id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, policy);
  EXPECT_FALSE(registry_->GetRepository(id)->policy_text);
  EXPECT_EQ(registry_->SetRepositoryPolicy(Repo(kCustomer, "absent"), policy).code(),
            ErrorCode::kRepositoryNotFound);
}

TEST_F(RegistryTest, SubscriptionGrantInPackagesAccounts) {
  RepositoryId pkg = Repo(kPackages, "eks-anywhere-packages");
  Create(pkg);
  RepositoryId customer = Repo(kCustomer, "app");
  Create(customer);
  // No subscriber: no policy.
  auto eff = registry_->RepositoryPolicy(pkg, clock_.Now());
  ASSERT_TRUE(eff.ok());
  EXPECT_FALSE(eff->text);

  subscribers_[kOther] = clock_.Now() + seconds(3600);
  subscribers_[kCustomer] = clock_.Now() + seconds(7200);
  eff = registry_->RepositoryPolicy(pkg, clock_.Now());
  ASSERT_TRUE(eff.ok());
  ASSERT_TRUE(eff->text);
  ASSERT_NE(eff->compiled, nullptr);
  auto doc = nlohmann::json::parse(*eff->text);
  ASSERT_EQ(doc["Statement"].size(), 1u);
  const auto& grant = doc["Statement"][0];
  EXPECT_EQ(grant["Sid"], "EksAnywhereSubscriptions");
  EXPECT_EQ(grant["Effect"], "Allow");
  EXPECT_EQ(grant["Principal"]["AWS"],
            nlohmann::json({"arn:aws:iam::111111111111:root", "arn:aws:iam::999999999999:root"}));
  std::vector<std::string> actions = grant["Action"];
  EXPECT_EQ(actions.size(), 11u);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "ecr:BatchGetImage"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "ecr:GetDownloadUrlForLayer"), actions.end());
  EXPECT_EQ(std::find(actions.begin(), actions.end(), "ecr:PutImage"), actions.end());

  // A stored policy keeps its statements; the grant is appended.
  const std::string stored = R"({"Version":"2012-10-17","Statement":{"Sid":"own","Effect":"Deny",)"
                             R"("Principal":"*","Action":"ecr:DeleteRepository"}})";
  ASSERT_TRUE(registry_->SetRepositoryPolicy(pkg, stored).ok());
  eff = registry_->RepositoryPolicy(pkg, clock_.Now());
  ASSERT_TRUE(eff.ok());
  doc = nlohmann::json::parse(*eff->text);
  ASSERT_EQ(doc["Statement"].size(), 2u);
  EXPECT_EQ(doc["Statement"][0]["Sid"], "own");
  EXPECT_EQ(doc["Statement"][1]["Sid"], "EksAnywhereSubscriptions");

  // Expired subscriptions drop out at `now`.
  clock_.Advance(seconds(3600));
  eff = registry_->RepositoryPolicy(pkg, clock_.Now());
  doc = nlohmann::json::parse(*eff->text);
  EXPECT_EQ(doc["Statement"][1]["Principal"]["AWS"],
            nlohmann::json({"arn:aws:iam::111111111111:root"}));
  clock_.Advance(seconds(3600));
  eff = registry_->RepositoryPolicy(pkg, clock_.Now());
  EXPECT_EQ(*eff->text, stored);

  // Customer accounts and other regions of the packages account get no grant.
  subscribers_[kOther] = clock_.Now() + seconds(3600);
  EXPECT_FALSE(registry_->RepositoryPolicy(customer, clock_.Now())->text);
  RepositoryId elsewhere = Repo(kPackages, "eks-anywhere-packages", "eu-west-1");
  Create(elsewhere);
  EXPECT_FALSE(registry_->RepositoryPolicy(elsewhere, clock_.Now())->text);
}

TEST_F(RegistryTest, UploadsAndBlobs) {
  RepositoryId id = Repo(kCustomer, "app");
  Create(id);
  auto u = registry_->StartUpload(id);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->size, 0u);
  EXPECT_TRUE(fs::exists(dir_ + "/state/registry/uploads/" + u->id));
  auto a = registry_->AppendUpload(id, u->id, std::nullopt, "hello ");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->size, 6u);
  auto wrong = registry_->AppendUpload(id, u->id, 3, "xxx");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidLayerPart);
  std::string spool = dir_ + "/spooled";
  std::ofstream(spool) << "world";
  a = registry_->AppendUploadFile(id, u->id, 6, spool);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->size, 11u);
  EXPECT_FALSE(fs::exists(spool));
  EXPECT_EQ(registry_->GetUpload(id, u->id)->size, 11u);
  // An upload belongs to its repository.
  Create(Repo(kCustomer, "other"));
  EXPECT_EQ(registry_->GetUpload(Repo(kCustomer, "other"), u->id).status().code(),
            ErrorCode::kUploadNotFound);
  EXPECT_EQ(registry_->GetUpload(id, "../../cpa.db").status().code(), ErrorCode::kUploadNotFound);

  const std::string digest = Sha256DigestOf("hello world");
  EXPECT_EQ(registry_->StatBlob(id, digest).status().code(), ErrorCode::kLayersNotFound);
  auto blob = registry_->CompleteUpload(id, u->id, digest);
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  EXPECT_EQ(blob->size, 11u);
  EXPECT_FALSE(blob->referenced);
  EXPECT_EQ(registry_->GetUpload(id, u->id).status().code(), ErrorCode::kUploadNotFound);
  auto file = registry_->OpenBlob(id, digest);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size, 11u);
  std::ifstream in(file->path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "hello world");

  // Reachable only where uploaded or mounted.
  RepositoryId other = Repo(kCustomer, "other");
  EXPECT_EQ(registry_->StatBlob(other, digest).status().code(), ErrorCode::kLayersNotFound);
  auto mounted = registry_->MountBlob(other, id, digest);
  ASSERT_TRUE(mounted.ok()) << mounted.status().ToString();
  EXPECT_TRUE(registry_->StatBlob(other, digest).ok());
  EXPECT_EQ(registry_->MountBlob(other, id, Sha256DigestOf("nope")).status().code(),
            ErrorCode::kLayersNotFound);

  // A digest that does not match discards the upload.
  auto bad = registry_->StartUpload(id);
  ASSERT_TRUE(registry_->AppendUpload(id, bad->id, 0, "abc").ok());
  auto mismatch = registry_->CompleteUpload(id, bad->id, Sha256DigestOf("abd"));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), ErrorCode::kDigestMismatch);
  EXPECT_EQ(registry_->GetUpload(id, bad->id).status().code(), ErrorCode::kUploadNotFound);
  EXPECT_FALSE(fs::exists(dir_ + "/state/registry/uploads/" + bad->id));
  EXPECT_EQ(registry_->StatBlob(id, Sha256DigestOf("abd")).status().code(),
            ErrorCode::kLayersNotFound);

  auto cancelled = registry_->StartUpload(id);
  ASSERT_TRUE(registry_->CancelUpload(id, cancelled->id).ok());
  EXPECT_EQ(registry_->CancelUpload(id, cancelled->id).code(), ErrorCode::kUploadNotFound);

  auto put = registry_->PutBlob(id, "{}", "application/vnd.oci.empty.v1+json");
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->digest, Sha256DigestOf("{}"));
  EXPECT_EQ(put->media_type, "application/vnd.oci.empty.v1+json");
  EXPECT_EQ(registry_->PutBlob(Repo(kCustomer, "absent"), "x").status().code(),
            ErrorCode::kRepositoryNotFound);
  EXPECT_EQ(registry_->StartUpload(Repo(kCustomer, "absent")).status().code(),
            ErrorCode::kRepositoryNotFound);
}

int64_t CountRows(st::Store& store, const char* table) {
  auto& s = store.internal_state();
  std::lock_guard lock(s.mu);
  auto q = s.db->Prepare(std::string("SELECT COUNT(*) FROM ") + table);
  EXPECT_TRUE(q.ok());
  auto row = (*q)->Step();
  EXPECT_TRUE(row.ok() && *row);
  return (*q)->Int(0);
}

TEST_F(RegistryTest, PutBlobsStoresABatchAllOrNothing) {
  const RepositoryId app = Repo(kCustomer, "app"), other = Repo(kOther, "other");
  Create(app);
  Create(other);
  const std::string blobs_dir = dir_ + "/state/registry/blobs/sha256/";
  auto files = [&] {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(blobs_dir)) n += e.is_regular_file();
    return n;
  };

  // A missing repository is refused before anything is written.
  auto absent = registry_->PutBlobs({{app, "a", ""}, {Repo(kCustomer, "absent"), "b", ""}});
  EXPECT_EQ(absent.status().code(), ErrorCode::kRepositoryNotFound);
  EXPECT_EQ(files(), 0u);
  EXPECT_EQ(CountRows(*store_, "blobs"), 0);

  // The same bytes in two repositories: one file, reachable in both, with each media type.
  auto put = registry_->PutBlobs({{app, "config", "application/vnd.oci.image.config.v1+json"},
                                  {app, "layer", ""},
                                  {other, "config", "application/x-other"}});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(*put, (std::vector<std::string>{Sha256DigestOf("config"), Sha256DigestOf("layer"),
                                            Sha256DigestOf("config")}));
  EXPECT_EQ(files(), 2u);
  EXPECT_TRUE(fs::is_empty(dir_ + "/state/registry/tmp"));
  auto in_app = registry_->StatBlob(app, Sha256DigestOf("config"));
  ASSERT_TRUE(in_app.ok()) << in_app.status().ToString();
  EXPECT_EQ(in_app->size, 6u);
  EXPECT_EQ(in_app->media_type, "application/vnd.oci.image.config.v1+json");
  auto in_other = registry_->StatBlob(other, Sha256DigestOf("config"));
  ASSERT_TRUE(in_other.ok());
  EXPECT_EQ(in_other->media_type, "application/x-other");
  EXPECT_EQ(registry_->StatBlob(other, Sha256DigestOf("layer")).status().code(),
            ErrorCode::kLayersNotFound);
  auto file = registry_->OpenBlob(app, Sha256DigestOf("layer"));
  ASSERT_TRUE(file.ok());
  std::ifstream in(file->path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "layer");
  EXPECT_EQ(CountRows(*store_, "blobs"), 2);
  EXPECT_EQ(CountRows(*store_, "repository_blobs"), 3);

  // A failure midway through the files (the fourth blob's directory cannot be made): no blob of
  // the batch gets a row, not even those whose files were completed before the failure.
  std::vector<std::string> contents;
  std::set<std::string> prefixes = {Sha256DigestOf("config").substr(7, 2),
                                    Sha256DigestOf("layer").substr(7, 2)};
  for (int salt = 0; contents.size() < 6; ++salt) {
    std::string c = "batch blob " + std::to_string(salt);
    if (prefixes.insert(Sha256DigestOf(c).substr(7, 2)).second) contents.push_back(c);
  }
  const std::string blocked_dir = blobs_dir + Sha256DigestOf(contents[3]).substr(7, 2);
  { std::ofstream(blocked_dir) << "not a directory"; }
  std::vector<Registry::NewBlob> batch;
  for (size_t i = 0; i < contents.size(); ++i)
    batch.push_back({i % 2 ? app : other, contents[i], ""});
  const int64_t rows = CountRows(*store_, "repository_blobs");
  auto failed = registry_->PutBlobs(batch);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(CountRows(*store_, "repository_blobs"), rows);
  EXPECT_EQ(CountRows(*store_, "blobs"), 2);
  for (const Registry::NewBlob& b : batch) {
    EXPECT_EQ(registry_->StatBlob(b.repository, Sha256DigestOf(b.bytes)).status().code(),
              ErrorCode::kLayersNotFound);
    EXPECT_EQ(registry_->OpenBlob(b.repository, Sha256DigestOf(b.bytes)).status().code(),
              ErrorCode::kLayersNotFound);
  }
  EXPECT_FALSE(fs::exists(blobs_dir + Sha256DigestOf(contents[4]).substr(7, 2)));
  EXPECT_TRUE(fs::is_empty(dir_ + "/state/registry/tmp"));

  // Retried once the obstacle is gone, the batch completes (reusing the files already there).
  fs::remove(blocked_dir);
  auto retried = registry_->PutBlobs(batch);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(CountRows(*store_, "repository_blobs"), rows + 6);
  for (const Registry::NewBlob& b : batch) {
    EXPECT_TRUE(registry_->OpenBlob(b.repository, Sha256DigestOf(b.bytes)).ok());
  }
}

TEST_F(RegistryTest, PutAndGetImages) {
  RepositoryId id = Repo(kCustomer, "app");
  Create(id);
  std::string manifest = PushImageBlobs(id, "a");
  const std::string digest = Sha256DigestOf(manifest);

  // Missing blobs.
  RepositoryId empty = Repo(kCustomer, "empty");
  Create(empty);
  auto missing = registry_->PutImage(empty, manifest, "", "v1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kLayersNotFound);
  EXPECT_NE(missing.status().message().find("Layers with digests '[sha256:"), std::string::npos);

  auto bad_digest = registry_->PutImage(id, manifest, "", "", Sha256DigestOf("x"));
  EXPECT_EQ(bad_digest.status().code(), ErrorCode::kDigestMismatch);
  EXPECT_EQ(registry_->PutImage(id, "{}", "", "").status().code(), ErrorCode::kManifestInvalid);
  EXPECT_EQ(registry_->PutImage(id, manifest, "", "bad tag").status().code(),
            ErrorCode::kInvalidArgument);

  clock_.Advance(seconds(10));
  auto image = registry_->PutImage(id, manifest, "", "v1", digest);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->digest, digest);
  EXPECT_EQ(image->media_type, media_type::kOciManifest);
  EXPECT_EQ(image->artifact_type, "application/vnd.oci.image.config.v1+json");
  EXPECT_EQ(image->tags, std::vector<std::string>{"v1"});
  EXPECT_EQ(image->manifest, manifest);
  EXPECT_GT(image->size, 0u);
  EXPECT_EQ(image->pushed_at, core::TimePoint(seconds(kStart + 10)));
  EXPECT_FALSE(image->last_pull);

  // Pushing again is a no-op; another tag adds to the image.
  clock_.Advance(seconds(10));
  auto again = registry_->PutImage(id, manifest, media_type::kOciManifest, "v1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->pushed_at, core::TimePoint(seconds(kStart + 10)));
  ASSERT_TRUE(registry_->PutImage(id, manifest, "", "latest").ok());

  auto by_tag = registry_->GetImage(id, {"", "latest"}, /*record_pull=*/true);
  ASSERT_TRUE(by_tag.ok());
  EXPECT_EQ(by_tag->digest, digest);
  EXPECT_EQ(by_tag->tags, (std::vector<std::string>{"latest", "v1"}));
  EXPECT_EQ(by_tag->last_pull, clock_.Now());
  auto by_digest = registry_->GetImage(id, {digest, ""});
  ASSERT_TRUE(by_digest.ok());
  EXPECT_EQ(by_digest->last_pull, clock_.Now());
  auto none = registry_->GetImage(id, {"", "v9"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kImageNotFound);
  EXPECT_EQ(none.status().message(),
            "The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the "
            "repository with name 'app' in the registry with id '111111111111'");

  // Blobs the image references are marked so.
  auto parsed = ParseManifest(manifest, "");
  EXPECT_TRUE(registry_->StatBlob(id, parsed->layers[0].digest)->referenced);
  EXPECT_EQ(registry_->StatBlob(id, parsed->layers[0].digest)->media_type,
            "application/vnd.oci.image.layer.v1.tar+gzip");

  // A mutable tag moves.
  std::string second = PushImageBlobs(id, "b");
  auto moved = registry_->PutImage(id, second, "", "latest");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(registry_->GetImage(id, {"", "latest"})->digest, Sha256DigestOf(second));
  EXPECT_EQ(registry_->GetImage(id, {digest, ""})->tags, std::vector<std::string>{"v1"});

  // Listing: one entry per tag, the untagged image by digest.
  std::string third = PushImageBlobs(id, "c");
  ASSERT_TRUE(registry_->PutImage(id, third, "", "").ok());
  auto all = registry_->ListImages(id, TagStatus::kAny, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 3u);
  auto untagged = registry_->ListImages(id, TagStatus::kUntagged, {});
  ASSERT_EQ(untagged->items.size(), 1u);
  EXPECT_EQ(untagged->items[0].digest, Sha256DigestOf(third));
  EXPECT_EQ(untagged->items[0].tag, "");
  auto tagged = registry_->ListImages(id, TagStatus::kTagged, {});
  EXPECT_EQ(tagged->items.size(), 2u);
  // Paging through ListImages one at a time visits every entry once.
  std::vector<std::string> seen;
  ListRequest req{.after = "", .limit = 1};
  for (;;) {
    auto page = registry_->ListImages(id, TagStatus::kAny, req);
    ASSERT_TRUE(page.ok());
    for (const auto& e : page->items) seen.push_back(e.digest + " " + e.tag);
    if (!page->more) break;
    req.after = seen.back();
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  auto described = registry_->DescribeImages(id, TagStatus::kAny, {.after = "", .limit = 2});
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->items.size(), 2u);
  EXPECT_TRUE(described->more);
  auto rest = registry_->DescribeImages(id, TagStatus::kAny,
                                        {.after = described->items[1].digest, .limit = 2});
  EXPECT_EQ(rest->items.size(), 1u);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(registry_->DescribeImages(id, TagStatus::kUntagged, {})->items.size(), 1u);

  auto tags = registry_->ListImageTags(id, {});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->items, (std::vector<std::string>{"latest", "v1"}));
  tags = registry_->ListImageTags(id, {.after = "latest", .limit = 0});
  EXPECT_EQ(tags->items, std::vector<std::string>{"v1"});

  // Untag and delete.
  ASSERT_TRUE(registry_->UntagImage(id, "v1").ok());
  EXPECT_EQ(registry_->UntagImage(id, "v1").code(), ErrorCode::kImageNotFound);
  EXPECT_TRUE(registry_->GetImage(id, {digest, ""})->tags.empty());
  ASSERT_TRUE(registry_->DeleteImage(id, digest).ok());
  EXPECT_EQ(registry_->GetImage(id, {digest, ""}).status().code(), ErrorCode::kImageNotFound);
  EXPECT_EQ(registry_->DeleteImage(id, digest).code(), ErrorCode::kImageNotFound);
  EXPECT_EQ(registry_->DeleteImage(id, "latest").code(), ErrorCode::kInvalidArgument);
}

TEST_F(RegistryTest, ImmutableTags) {
  RepositoryId id = Repo(kCustomer, "fixed");
  Create(id, "IMMUTABLE");
  std::string first = PushImageBlobs(id, "1"), second = PushImageBlobs(id, "2");
  ASSERT_TRUE(registry_->PutImage(id, first, "", "v1").ok());
  ASSERT_TRUE(registry_->PutImage(id, first, "", "v1").ok());  // same image: fine
  auto moved = registry_->PutImage(id, second, "", "v1");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), ErrorCode::kImageTagAlreadyExists);
  EXPECT_EQ(moved.status().message(),
            "The image tag 'v1' already exists in the 'fixed' repository and cannot be "
            "overwritten because the repository is immutable.");
  EXPECT_FALSE(registry_->GetImage(id, {Sha256DigestOf(second), ""}).ok());  // nothing written

  RepositoryId ex = Repo(kCustomer, "mostly-fixed");
  Create(ex, "IMMUTABLE_WITH_EXCLUSION", {"latest", "dev-*"});
  first = PushImageBlobs(ex, "1");
  second = PushImageBlobs(ex, "2");
  for (const char* tag : {"v1", "latest", "dev-1"}) {
    ASSERT_TRUE(registry_->PutImage(ex, first, "", tag).ok());
  }
  EXPECT_TRUE(registry_->PutImage(ex, second, "", "latest").ok());
  EXPECT_TRUE(registry_->PutImage(ex, second, "", "dev-1").ok());
  EXPECT_EQ(registry_->PutImage(ex, second, "", "v1").status().code(),
            ErrorCode::kImageTagAlreadyExists);

  RepositoryId mx = Repo(kCustomer, "mostly-mutable");
  Create(mx, "MUTABLE_WITH_EXCLUSION", {"release-*"});
  first = PushImageBlobs(mx, "1");
  second = PushImageBlobs(mx, "2");
  ASSERT_TRUE(registry_->PutImage(mx, first, "", "latest").ok());
  ASSERT_TRUE(registry_->PutImage(mx, first, "", "release-1").ok());
  EXPECT_TRUE(registry_->PutImage(mx, second, "", "latest").ok());
  EXPECT_EQ(registry_->PutImage(mx, second, "", "release-1").status().code(),
            ErrorCode::kImageTagAlreadyExists);
  EXPECT_EQ(registry_->GetRepository(mx)->tag_mutability_exclusions,
            std::vector<std::string>{"release-*"});
}

TEST_F(RegistryTest, IndexesNeedTheirChildren) {
  RepositoryId id = Repo(kCustomer, "multi");
  Create(id);
  std::string amd = PushImageBlobs(id, "amd64");
  std::string arm = PushImageBlobs(id, "arm64");
  auto index = [&](const std::vector<std::string>& children) {
    std::string m = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                    R"("manifests":[)";
    for (size_t i = 0; i < children.size(); ++i) {
      if (i) m += ",";
      m += Desc(media_type::kOciManifest, Sha256DigestOf(children[i]), children[i].size());
    }
    return m + "]}";
  };
  std::string idx = index({amd, arm});
  ASSERT_TRUE(registry_->PutImage(id, amd, "", "").ok());
  auto missing = registry_->PutImage(id, idx, "", "v1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kLayersNotFound);
  EXPECT_NE(missing.status().message().find(Sha256DigestOf(arm)), std::string::npos);
  EXPECT_EQ(missing.status().message().find(Sha256DigestOf(amd)), std::string::npos);
  ASSERT_TRUE(registry_->PutImage(id, arm, "", "").ok());
  auto image = registry_->PutImage(id, idx, "", "v1");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->media_type, media_type::kOciIndex);
  EXPECT_EQ(image->size, amd.size() + arm.size());
  // A child of an index cannot be deleted before the index.
  auto conflict = registry_->DeleteImage(id, Sha256DigestOf(arm));
  EXPECT_EQ(conflict.code(), ErrorCode::kDeleteConflict);
  ASSERT_TRUE(registry_->DeleteImage(id, image->digest).ok());
  EXPECT_TRUE(registry_->DeleteImage(id, Sha256DigestOf(arm)).ok());
}

TEST_F(RegistryTest, PutImagesStoresABatchAllOrNothing) {
  const RepositoryId id = Repo(kCustomer, "batch"), other = Repo(kOther, "batch");
  Create(id);
  Create(other);
  Create(Repo(kCustomer, "frozen"), "IMMUTABLE");
  std::string amd = PushImageBlobs(id, "amd64");
  std::string arm = PushImageBlobs(id, "arm64");
  std::string solo = PushImageBlobs(other, "solo");
  std::string idx = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                    R"("manifests":[)" +
                    Desc(media_type::kOciManifest, Sha256DigestOf(amd), amd.size()) + "," +
                    Desc(media_type::kOciManifest, Sha256DigestOf(arm), arm.size()) + "]}";
  const int64_t images = CountRows(*store_, "images");
  const std::string amd_digest = Sha256DigestOf(amd), arm_digest = Sha256DigestOf(arm);

  // The index needs children that come earlier in the same batch; the last entry needs blobs
  // its repository lacks: nothing of the batch is stored.
  std::vector<Registry::NewImage> batch = {
      {id, amd, "", {}, ""},
      {id, arm, "", {}, arm_digest},
      {id, idx, "", {"v1", "latest"}, ""},
      {other, solo, "", {"solo"}, ""},
      {other, amd, "", {"amd"}, ""},
  };
  auto s = registry_->PutImages(batch);
  EXPECT_EQ(s.code(), ErrorCode::kLayersNotFound) << s.ToString();
  EXPECT_EQ(CountRows(*store_, "images"), images);
  EXPECT_EQ(CountRows(*store_, "image_tags"), 0);
  // Bad input is refused before any lock: a wrong digest, a bad tag.
  batch.pop_back();
  batch[1].expected_digest = amd_digest;
  EXPECT_EQ(registry_->PutImages(batch).code(), ErrorCode::kDigestMismatch);
  batch[1].expected_digest = arm_digest;
  batch[3].tags = {"bad tag"};
  EXPECT_EQ(registry_->PutImages(batch).code(), ErrorCode::kInvalidArgument);
  batch[3].tags = {"solo"};
  EXPECT_EQ(CountRows(*store_, "images"), images);

  ASSERT_TRUE(registry_->PutImages(batch).ok());
  auto index = registry_->GetImage(id, {.digest = "", .tag = "latest"});
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->digest, Sha256DigestOf(idx));
  EXPECT_EQ(index->tags, (std::vector<std::string>{"latest", "v1"}));
  EXPECT_EQ(index->size, amd.size() + arm.size());
  EXPECT_TRUE(registry_->GetImage(other, {.digest = "", .tag = "solo"}).ok());
  EXPECT_EQ(CountRows(*store_, "images"), images + 4);
  // Again: nothing changes; a tag of an immutable repository cannot move.
  ASSERT_TRUE(registry_->PutImages(batch).ok());
  EXPECT_EQ(CountRows(*store_, "images"), images + 4);
  std::string frozen_a = PushImageBlobs(Repo(kCustomer, "frozen"), "a");
  std::string frozen_b = PushImageBlobs(Repo(kCustomer, "frozen"), "b");
  ASSERT_TRUE(registry_->PutImages({{Repo(kCustomer, "frozen"), frozen_a, "", {"v1"}, ""}}).ok());
  EXPECT_EQ(
      registry_->PutImages({{Repo(kCustomer, "frozen"), frozen_b, "", {"v2", "v1"}, ""}}).code(),
      ErrorCode::kImageTagAlreadyExists);
  EXPECT_EQ(
      registry_->GetImage(Repo(kCustomer, "frozen"), {.digest = "", .tag = "v2"}).status().code(),
      ErrorCode::kImageNotFound);
}

TEST_F(RegistryTest, StateSurvivesReopen) {
  RepositoryId id = Repo(kCustomer, "app");
  Create(id);
  std::string manifest = PushImageBlobs(id, "x");
  ASSERT_TRUE(registry_->PutImage(id, manifest, "", "v1").ok());
  auto upload = registry_->StartUpload(id);
  ASSERT_TRUE(registry_->AppendUpload(id, upload->id, 0, "partial").ok());
  // A stray upload file (a crash between its creation and its row) goes at the next open.
  const std::string stray = dir_ + "/state/registry/uploads/00000000-0000-4000-8000-000000000000";
  std::ofstream(stray) << "x";
  registry_.reset();
  store_.reset();
  OpenAll();
  EXPECT_FALSE(fs::exists(stray));
  auto image = registry_->GetImage(id, {"", "v1"});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->manifest, manifest);
  auto u = registry_->GetUpload(id, upload->id);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->size, 7u);
  ASSERT_TRUE(registry_->AppendUpload(id, upload->id, 7, " rest").ok());
  EXPECT_TRUE(registry_->CompleteUpload(id, upload->id, Sha256DigestOf("partial rest")).ok());
}

TEST_F(RegistryTest, TokenKeysAreDerivedPerLabelAndStable) {
  // Tokens issued before a restart verify after it; other labels get unrelated keys.
  const auto key = store_->DeriveKey("ecr-token");
  EXPECT_NE(key, store_->DeriveKey("other"));
  TokenCodec codec(key);
  core::SeededRandom random(9);
  TokenClaims claims;
  claims.access_key_id = "AKIAEXAMPLE";
  claims.expires_at = clock_.Now() + seconds(60);
  const std::string password = codec.Issue(claims, random);
  registry_.reset();
  store_.reset();
  OpenAll();
  EXPECT_EQ(store_->DeriveKey("ecr-token"), key);
  EXPECT_TRUE(TokenCodec(store_->DeriveKey("ecr-token")).Verify(password, clock_.Now()).ok());
}

TEST_F(RegistryTest, RegistryWritesLeaveTheStoreGenerationAlone) {
  // Compiled identity policies are cached by store generation; pulls must not invalidate them.
  const uint64_t before = store_->generation();
  RepositoryId id = Repo(kCustomer, "app");
  Create(id);
  std::string manifest = PushImageBlobs(id, "g");
  ASSERT_TRUE(registry_->PutImage(id, manifest, "", "v1").ok());
  ASSERT_TRUE(registry_->GetImage(id, {"", "v1"}, true).ok());
  EXPECT_EQ(store_->generation(), before);
}

TEST_F(RegistryTest, ConcurrentPushesAndPulls) {
  RepositoryId id = Repo(kCustomer, "busy");
  Create(id);
  std::string base = PushImageBlobs(id, "base");
  ASSERT_TRUE(registry_->PutImage(id, base, "", "base").ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string content = "blob " + std::to_string(t) + "/" + std::to_string(i);
        auto u = registry_->StartUpload(id);
        if (!u.ok()) {
          failures++;
          continue;
        }
        bool ok = registry_->AppendUpload(id, u->id, 0, content.substr(0, 3)).ok() &&
                  registry_->AppendUpload(id, u->id, 3, content.substr(3)).ok() &&
                  registry_->CompleteUpload(id, u->id, Sha256DigestOf(content)).ok() &&
                  registry_->GetImage(id, {"", "base"}, true).ok();
        if (!ok) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(registry_->StatBlob(id, Sha256DigestOf("blob 3/9")).ok());
}

}  // namespace
}  // namespace cpa::server::registry
