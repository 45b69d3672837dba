#include "server/registry/registry.h"

#include <dirent.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>

#include "policy/document.h"
#include "policy/glob.h"
#include "server/registry/blob_store.h"
#include "server/registry/manifest.h"
#include "server/store/sqlite.h"
#include "server/store/store_state.h"

namespace cpa::server::registry {

using core::ErrorCode;
using core::Result;
using core::Status;
using store::internal::FromUnix;
using store::internal::StoreState;
using store::internal::ToUnix;

namespace {

// What the subscription grant allows: the read actions of the curated packages policy
// (share-curated-packages spec, step 2), on every repository of the packages account.
constexpr std::array<std::string_view, 11> kSubscriberActions = {
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:DescribeImageReplicationStatus",
    "ecr:DescribeImageScanFindings",
    "ecr:DescribeImages",
    "ecr:DescribePullThroughCacheRules",
    "ecr:DescribeRegistry",
    "ecr:DescribeRepositories",
    "ecr:GetDownloadUrlForLayer",
    "ecr:ListImages",
    "ecr:ListTagsForResource",
};
constexpr std::string_view kSubscriptionSid = "EksAnywhereSubscriptions";
constexpr size_t kMaxRepositoryTags = 50;
constexpr size_t kPolicyCacheCapacity = 4096;
constexpr size_t kUploadLockStripes = 64;

std::string InRegistry(const RepositoryId& id) {
  return "the repository with name '" + id.name + "' in the registry with id '" + id.account_id +
         "'";
}

Status RepositoryNotFound(const RepositoryId& id) {
  return Status(ErrorCode::kRepositoryNotFound, "The repository with name '" + id.name +
                                                    "' does not exist in the registry with id '" +
                                                    id.account_id + "'");
}

std::string OrNull(std::string_view s) { return s.empty() ? "null" : std::string(s); }

Status ImageNotFound(const RepositoryId& id, std::string_view digest, std::string_view tag) {
  return Status(ErrorCode::kImageNotFound, "The image with imageId {imageDigest:'" +
                                               OrNull(digest) + "', imageTag:'" + OrNull(tag) +
                                               "'} does not exist within " + InRegistry(id));
}

Status UploadNotFound(const RepositoryId& id, std::string_view upload_id) {
  return Status(ErrorCode::kUploadNotFound, "The upload with id '" + std::string(upload_id) +
                                                "' does not exist in " + InRegistry(id));
}

Status LayerNotFound(const RepositoryId& id, std::string_view digest) {
  return Status(ErrorCode::kLayersNotFound, "The layer with digest '" + std::string(digest) +
                                                "' does not exist in " + InRegistry(id));
}

std::string JoinDigests(const std::vector<std::string>& digests) {
  std::string out = "[";
  for (size_t i = 0; i < digests.size(); ++i) {
    if (i > 0) out += ", ";
    out += digests[i];
  }
  return out + "]";
}

bool TagIsImmutable(const Repository& repo, std::string_view tag) {
  bool excluded =
      std::any_of(repo.tag_mutability_exclusions.begin(), repo.tag_mutability_exclusions.end(),
                  [&](const std::string& pattern) { return policy::GlobMatch(pattern, tag); });
  if (repo.tag_mutability == "IMMUTABLE") return true;
  if (repo.tag_mutability == "IMMUTABLE_WITH_EXCLUSION") return !excluded;
  if (repo.tag_mutability == "MUTABLE_WITH_EXCLUSION") return excluded;
  return false;
}

std::string ExclusionsJson(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::vector<std::string> ExclusionsFromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

// Columns read by ReadRepository, in order.
constexpr const char* kRepositoryColumns =
    "pk, tag_mutability, tag_exclusions, scan_on_push, encryption_type, kms_key, policy, "
    "create_date, name";

// Columns read by ReadImage, in order (`i` is the images row).
constexpr const char* kImageColumns =
    "i.digest, i.media_type, i.artifact_type, i.subject, i.manifest, i.size, i.pushed_at, "
    "i.last_pull, (SELECT group_concat(x.tag, ',') FROM image_tags x WHERE x.repository_pk = "
    "i.repository_pk AND x.digest = i.digest)";

Image ReadImage(const store::Statement& q) {
  Image im;
  im.digest = q.Text(0);
  im.media_type = q.Text(1);
  im.artifact_type = q.Text(2);
  im.subject = q.Text(3);
  im.manifest = q.Blob(4);
  im.size = static_cast<uint64_t>(q.Int(5));
  im.pushed_at = FromUnix(q.Int(6));
  if (!q.IsNull(7)) im.last_pull = FromUnix(q.Int(7));
  std::string tags = q.Text(8);
  for (size_t pos = 0; pos < tags.size();) {
    size_t comma = tags.find(',', pos);
    if (comma == std::string::npos) comma = tags.size();
    im.tags.push_back(tags.substr(pos, comma - pos));
    pos = comma + 1;
  }
  std::sort(im.tags.begin(), im.tags.end());
  return im;
}

int64_t SqlLimit(size_t limit) { return limit == 0 ? -1 : static_cast<int64_t>(limit) + 1; }

}  // namespace

std::string RepositoryId::Arn() const {
  return "arn:aws:ecr:" + region + ":" + account_id + ":repository/" + name;
}

class Registry::Impl {
 public:
  Impl(const RegistryOptions& o, std::unique_ptr<BlobStore> b)
      : options(o), s(o.store->internal_state()), blobs(std::move(b)) {}

  RegistryOptions options;
  StoreState& s;
  std::unique_ptr<BlobStore> blobs;
  std::array<std::mutex, kUploadLockStripes> upload_locks;

  std::mutex policy_mu;
  std::unordered_map<std::string, std::shared_ptr<const policy::CompiledPolicy>> policies;

  std::mutex account_mu;
  std::unordered_map<std::string, std::string> packages_region;  // account -> region or ""

  std::mutex& UploadLock(std::string_view upload_id) {
    return upload_locks[std::hash<std::string_view>{}(upload_id) % kUploadLockStripes];
  }

  // Runs fn as one transaction under the store's mutex. Registry writes do not bump the store's
  // generation: they change no IAM state, and the caches keyed by it (compiled identity
  // policies) must survive every pull and push.
  Status Write(const std::function<Status()>& fn) {
    std::lock_guard lock(s.mu);
    store::Transaction tx(*s.db);
    CPA_RETURN_IF_ERROR(tx.status());
    Status st = fn();
    if (!st.ok()) return st;
    return tx.Commit();
  }

  std::string Host(std::string_view account, std::string_view region) const {
    std::string h(account);
    h += ".dkr.ecr.";
    h += region;
    h += '.';
    h += options.registry_domain;
    return h;
  }

  Repository ReadRepository(const store::Statement& q, const RepositoryId& where) const {
    Repository r;
    r.id = where;
    r.id.name = q.Text(8);
    r.arn = r.id.Arn();
    r.uri = Host(r.id.account_id, r.id.region) + "/" + r.id.name;
    r.tag_mutability = q.Text(1);
    r.tag_mutability_exclusions = ExclusionsFromJson(q.Text(2));
    r.scan_on_push = q.Int(3) != 0;
    r.encryption_type = q.Text(4);
    r.kms_key = q.Text(5);
    r.policy_text = q.OptionalText(6);
    r.created_at = FromUnix(q.Int(7));
    return r;
  }

  // Under s.mu. The repository and its primary key.
  Result<std::pair<int64_t, Repository>> Load(const RepositoryId& id) {
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare(std::string("SELECT ") + kRepositoryColumns +
                                               " FROM repositories WHERE account_id = ?1 AND "
                                               "region = ?2 AND name = ?3"));
    q->Bind(1, id.account_id).Bind(2, id.region).Bind(3, id.name);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return RepositoryNotFound(id);
    return std::make_pair(q->Int(0), ReadRepository(*q, id));
  }

  Result<int64_t> Pk(const RepositoryId& id) {
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT pk FROM repositories WHERE account_id = ?1 "
                                               "AND region = ?2 AND name = ?3"));
    q->Bind(1, id.account_id).Bind(2, id.region).Bind(3, id.name);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return RepositoryNotFound(id);
    return q->Int(0);
  }

  // Under s.mu.
  Result<std::optional<Image>> FindImage(int64_t pk, std::string_view digest) {
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare(std::string("SELECT ") + kImageColumns +
                                               " FROM images i WHERE i.repository_pk = ?1 AND "
                                               "i.digest = ?2"));
    q->Bind(1, pk).Bind(2, digest);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return std::optional<Image>();
    return std::optional<Image>(ReadImage(*q));
  }

  Result<std::optional<Image>> FindTagged(int64_t pk, std::string_view tag) {
    CPA_ASSIGN_OR_RETURN(
        auto q, s.db->Prepare(std::string("SELECT ") + kImageColumns +
                              " FROM image_tags t JOIN images i ON i.repository_pk = "
                              "t.repository_pk AND i.digest = t.digest WHERE t.repository_pk = ?1 "
                              "AND t.tag = ?2"));
    q->Bind(1, pk).Bind(2, tag);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return std::optional<Image>();
    return std::optional<Image>(ReadImage(*q));
  }

  // Under s.mu: existence checks that read no manifest.
  Result<bool> HasImage(int64_t pk, std::string_view digest) {
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT 1 FROM images WHERE repository_pk = ?1 AND "
                                               "digest = ?2"));
    q->Bind(1, pk).Bind(2, digest);
    return q->Step();
  }
  Result<bool> HasBlob(int64_t pk, std::string_view digest) {
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT 1 FROM repository_blobs WHERE "
                                               "repository_pk = ?1 AND digest = ?2"));
    q->Bind(1, pk).Bind(2, digest);
    return q->Step();
  }
  Result<std::optional<std::string>> TaggedDigest(int64_t pk, std::string_view tag) {
    CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT digest FROM image_tags WHERE "
                                               "repository_pk = ?1 AND tag = ?2"));
    q->Bind(1, pk).Bind(2, tag);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(q->Text(0));
  }

  // Under s.mu.
  Result<std::optional<BlobInfo>> FindBlob(int64_t pk, std::string_view digest) {
    CPA_ASSIGN_OR_RETURN(
        auto q,
        s.db->Prepare("SELECT b.size, rb.media_type, EXISTS (SELECT 1 FROM "
                      "image_references x WHERE x.repository_pk = rb.repository_pk AND "
                      "x.digest = rb.digest) FROM repository_blobs rb JOIN blobs b ON "
                      "b.digest = rb.digest WHERE rb.repository_pk = ?1 AND rb.digest = ?2"));
    q->Bind(1, pk).Bind(2, digest);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return std::optional<BlobInfo>();
    BlobInfo b;
    b.digest = std::string(digest);
    b.size = static_cast<uint64_t>(q->Int(0));
    b.media_type = q->Text(1);
    b.referenced = q->Int(2) != 0;
    return std::optional<BlobInfo>(std::move(b));
  }

  // Under s.mu, in a transaction: the blob (its file is in place) becomes reachable in `pk`.
  Status AddBlob(int64_t pk, std::string_view digest, uint64_t size, std::string_view media_type) {
    {
      CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("INSERT OR IGNORE INTO blobs(digest, size, "
                                                 "create_date) VALUES (?1, ?2, ?3)"));
      q->Bind(1, digest).Bind(2, static_cast<int64_t>(size)).Bind(3, ToUnix(s.clock.Now()));
      CPA_RETURN_IF_ERROR(q->Run());
    }
    CPA_ASSIGN_OR_RETURN(
        auto q,
        s.db->Prepare("INSERT INTO repository_blobs(repository_pk, digest, media_type) "
                      "VALUES (?1, ?2, ?3) ON CONFLICT (repository_pk, digest) DO UPDATE "
                      "SET media_type = excluded.media_type WHERE excluded.media_type != ''"));
    q->Bind(1, pk).Bind(2, digest).Bind(3, media_type);
    return q->Run();
  }

  // Under s.mu, in a transaction: PutImage's checks and writes for a checked manifest.
  Status StoreImage(int64_t pk, const Repository& repo, const ParsedManifest& parsed,
                    std::string_view manifest, const std::string& digest,
                    std::span<const std::string_view> tags, Image* out);

  Result<Upload> FindUpload(const RepositoryId& id, std::string_view upload_id) {
    std::lock_guard lock(s.mu);
    CPA_ASSIGN_OR_RETURN(int64_t pk, Pk(id));
    if (!BlobStore::IsUploadId(upload_id)) return UploadNotFound(id, upload_id);
    CPA_ASSIGN_OR_RETURN(
        auto q, s.db->Prepare("SELECT size FROM uploads WHERE id = ?1 AND repository_pk = ?2"));
    q->Bind(1, upload_id).Bind(2, pk);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return UploadNotFound(id, upload_id);
    Upload u;
    u.id = std::string(upload_id);
    u.repository = id;
    u.size = static_cast<uint64_t>(q->Int(0));
    return u;
  }

  // Records `size` bytes for an upload; kUploadNotFound when it went away meanwhile (its
  // repository was deleted).
  Status SetUploadSize(const RepositoryId& id, std::string_view upload_id, uint64_t size) {
    return Write([&]() -> Status {
      CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("UPDATE uploads SET size = ?2, update_date = ?3 "
                                                 "WHERE id = ?1"));
      q->Bind(1, upload_id).Bind(2, static_cast<int64_t>(size)).Bind(3, ToUnix(s.clock.Now()));
      CPA_RETURN_IF_ERROR(q->Run());
      if (s.db->Changes() == 0) return UploadNotFound(id, upload_id);
      return Status::Ok();
    });
  }

  Status DropUpload(std::string_view upload_id) {
    CPA_RETURN_IF_ERROR(Write([&]() -> Status {
      CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("DELETE FROM uploads WHERE id = ?1"));
      q->Bind(1, upload_id);
      return q->Run();
    }));
    return blobs->RemoveUpload(upload_id);
  }

  // The region whose subscribers the account's repositories serve ("" unless AWS-owned).
  std::string PackagesRegion(const std::string& account_id) {
    {
      std::lock_guard lock(account_mu);
      if (auto it = packages_region.find(account_id); it != packages_region.end()) {
        return it->second;
      }
    }
    auto account = options.store->accounts().Get(account_id);
    if (!account.ok()) return "";  // unknown (yet): not cached
    std::string region = account->aws_owned ? account->region : "";
    std::lock_guard lock(account_mu);
    packages_region[account_id] = region;
    return region;
  }

  Result<std::shared_ptr<const policy::CompiledPolicy>> Compile(const std::string& text) {
    {
      std::lock_guard lock(policy_mu);
      if (auto it = policies.find(text); it != policies.end()) return it->second;
    }
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kResource;
    CPA_ASSIGN_OR_RETURN(policy::CompiledPolicy compiled,
                         policy::CompiledPolicy::FromJson(text, o, "repository-policy"));
    auto shared = std::make_shared<const policy::CompiledPolicy>(std::move(compiled));
    std::lock_guard lock(policy_mu);
    if (policies.size() >= kPolicyCacheCapacity) policies.clear();
    policies.emplace(text, shared);
    return shared;
  }
};

Registry::Registry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Registry::~Registry() = default;

Result<std::unique_ptr<Registry>> Registry::Open(const RegistryOptions& options) {
  if (options.store == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "registry: no store");
  }
  CPA_ASSIGN_OR_RETURN(auto blobs, BlobStore::Open(options.store->data_dir() + "/registry"));
  auto impl = std::make_unique<Impl>(options, std::move(blobs));
  // Upload files without a row: a crash between creating the file and recording the upload.
  {
    StoreState& s = impl->s;
    std::lock_guard lock(s.mu);
    std::vector<std::string> names;
    if (DIR* d = ::opendir(impl->blobs->uploads_dir().c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      ::closedir(d);
    }
    for (const std::string& n : names) {
      CPA_ASSIGN_OR_RETURN(auto q, s.db->Prepare("SELECT 1 FROM uploads WHERE id = ?1"));
      q->Bind(1, n);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) ::unlink((impl->blobs->uploads_dir() + "/" + n).c_str());
    }
  }
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

const std::string& Registry::registry_domain() const { return impl_->options.registry_domain; }

std::string Registry::RegistryHost(std::string_view account_id, std::string_view region) const {
  return impl_->Host(account_id, region);
}

// ---- repositories ----

Result<Repository> Registry::CreateRepository(const NewRepository& in) {
  CPA_RETURN_IF_ERROR(ValidateRepositoryName(in.id.name));
  Impl& m = *impl_;
  Repository out;
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_RETURN_IF_ERROR(store::internal::RequireAccount(m.s, in.id.account_id));
    {
      CPA_ASSIGN_OR_RETURN(
          auto q,
          m.s.db->Prepare("INSERT INTO repositories(account_id, region, name, tag_mutability, "
                          "tag_exclusions, scan_on_push, encryption_type, kms_key, create_date) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
      q->Bind(1, in.id.account_id).Bind(2, in.id.region).Bind(3, in.id.name);
      q->Bind(4, in.tag_mutability).Bind(5, ExclusionsJson(in.tag_mutability_exclusions));
      q->Bind(6, in.scan_on_push ? 1 : 0).Bind(7, in.encryption_type).Bind(8, in.kms_key);
      q->Bind(9, ToUnix(m.s.clock.Now()));
      Status st = q->Run();
      if (st.code() == ErrorCode::kAlreadyExists) {
        return Status(ErrorCode::kAlreadyExists, "The repository with name '" + in.id.name +
                                                     "' already exists in the registry with id '" +
                                                     in.id.account_id + "'");
      }
      CPA_RETURN_IF_ERROR(st);
    }
    int64_t pk = m.s.db->LastInsertRowId();
    for (const auto& [k, v] : in.tags) {
      CPA_ASSIGN_OR_RETURN(auto q,
                           m.s.db->Prepare("INSERT OR REPLACE INTO repository_tags("
                                           "repository_pk, key, value) VALUES (?1, ?2, ?3)"));
      q->Bind(1, pk).Bind(2, k).Bind(3, v);
      CPA_RETURN_IF_ERROR(q->Run());
    }
    CPA_ASSIGN_OR_RETURN(auto loaded, m.Load(in.id));
    out = std::move(loaded.second);
    return Status::Ok();
  }));
  return out;
}

Result<Repository> Registry::GetRepository(const RepositoryId& id) {
  std::lock_guard lock(impl_->s.mu);
  CPA_ASSIGN_OR_RETURN(auto loaded, impl_->Load(id));
  return std::move(loaded.second);
}

Result<Listing<Repository>> Registry::ListRepositories(std::string_view account_id,
                                                       std::string_view region,
                                                       const ListRequest& request) {
  Impl& m = *impl_;
  std::lock_guard lock(m.s.mu);
  CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare(std::string("SELECT ") + kRepositoryColumns +
                                               " FROM repositories WHERE account_id = ?1 AND "
                                               "region = ?2 AND name > ?3 ORDER BY name LIMIT ?4"));
  q->Bind(1, account_id).Bind(2, region).Bind(3, request.after).Bind(4, SqlLimit(request.limit));
  RepositoryId where{std::string(account_id), std::string(region), ""};
  Listing<Repository> out;
  for (;;) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (request.limit != 0 && out.items.size() == request.limit) {
      out.more = true;
      break;
    }
    out.items.push_back(m.ReadRepository(*q, where));
  }
  return out;
}

Result<Repository> Registry::DeleteRepository(const RepositoryId& id, bool force) {
  Impl& m = *impl_;
  Repository out;
  std::vector<std::string> uploads;
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(auto loaded, m.Load(id));
    const int64_t pk = loaded.first;
    out = std::move(loaded.second);
    if (!force) {
      CPA_ASSIGN_OR_RETURN(
          auto q, m.s.db->Prepare("SELECT 1 FROM images WHERE repository_pk = ?1 LIMIT 1"));
      q->Bind(1, pk);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row) {
        return Status(ErrorCode::kRepositoryNotEmpty,
                      "The repository with name '" + id.name + "' in registry with id '" +
                          id.account_id + "' cannot be deleted because it still contains images");
      }
    }
    {
      CPA_ASSIGN_OR_RETURN(auto q,
                           m.s.db->Prepare("SELECT id FROM uploads WHERE repository_pk = ?1"));
      q->Bind(1, pk);
      for (;;) {
        CPA_ASSIGN_OR_RETURN(bool row, q->Step());
        if (!row) break;
        uploads.push_back(q->Text(0));
      }
    }
    CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("DELETE FROM repositories WHERE pk = ?1"));
    q->Bind(1, pk);
    return q->Run();
  }));
  for (const std::string& u : uploads) (void)m.blobs->RemoveUpload(u);
  return out;
}

Status Registry::SetRepositoryPolicy(const RepositoryId& id, std::string policy_text) {
  Impl& m = *impl_;
  auto compiled = m.Compile(policy_text);
  if (!compiled.ok()) {
    return Status(ErrorCode::kMalformedPolicyDocument, compiled.status().message());
  }
  return m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    CPA_ASSIGN_OR_RETURN(auto q,
                         m.s.db->Prepare("UPDATE repositories SET policy = ?2 WHERE pk = ?1"));
    q->Bind(1, pk).Bind(2, policy_text);
    return q->Run();
  });
}

Result<std::string> Registry::DeleteRepositoryPolicy(const RepositoryId& id) {
  Impl& m = *impl_;
  std::string old;
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(auto loaded, m.Load(id));
    if (!loaded.second.policy_text) {
      return Status(ErrorCode::kRepositoryPolicyNotFound,
                    "Repository policy does not exist for the repository with name '" + id.name +
                        "' in the registry with id '" + id.account_id + "'");
    }
    old = *loaded.second.policy_text;
    CPA_ASSIGN_OR_RETURN(auto q,
                         m.s.db->Prepare("UPDATE repositories SET policy = NULL WHERE pk = ?1"));
    q->Bind(1, loaded.first);
    return q->Run();
  }));
  return old;
}

Result<Registry::EffectivePolicy> Registry::RepositoryPolicy(const RepositoryId& id,
                                                             core::TimePoint now) {
  Impl& m = *impl_;
  CPA_ASSIGN_OR_RETURN(Repository repo, GetRepository(id));
  std::vector<std::string> subscribers;
  if (m.options.subscribers) {
    std::string region = m.PackagesRegion(id.account_id);
    if (!region.empty() && region == id.region) subscribers = m.options.subscribers(region, now);
  }
  std::set<std::string> accounts(subscribers.begin(), subscribers.end());
  EffectivePolicy out;
  if (accounts.empty()) {
    out.text = repo.policy_text;
  } else {
    nlohmann::ordered_json grant;
    grant["Sid"] = kSubscriptionSid;
    grant["Effect"] = "Allow";
    nlohmann::ordered_json principals = nlohmann::ordered_json::array();
    for (const std::string& a : accounts) principals.push_back("arn:aws:iam::" + a + ":root");
    grant["Principal"]["AWS"] = principals;
    grant["Action"] = nlohmann::ordered_json::array();
    for (std::string_view a : kSubscriberActions) grant["Action"].push_back(a);
    nlohmann::ordered_json doc;
    if (repo.policy_text) {
      doc = nlohmann::ordered_json::parse(*repo.policy_text, nullptr, false);
    }
    if (!doc.is_object()) {
      doc = nlohmann::ordered_json::object();
      doc["Version"] = "2012-10-17";
    }
    nlohmann::ordered_json statements = nlohmann::ordered_json::array();
    if (auto it = doc.find("Statement"); it != doc.end()) {
      if (it->is_array()) {
        statements = *it;
      } else {
        statements.push_back(*it);
      }
    }
    // A stored statement may already use the Sid (duplicate Sids do not compile).
    bool taken = std::any_of(statements.begin(), statements.end(), [](const auto& st) {
      return st.is_object() && st.contains("Sid") && st["Sid"] == kSubscriptionSid;
    });
    if (taken) grant["Sid"] = std::string(kSubscriptionSid) + "Grant";
    statements.push_back(grant);
    doc["Statement"] = statements;
    out.text = doc.dump();
  }
  if (out.text) {
    CPA_ASSIGN_OR_RETURN(out.compiled, m.Compile(*out.text));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> Registry::ListTags(
    const RepositoryId& id) {
  Impl& m = *impl_;
  std::lock_guard lock(m.s.mu);
  CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
  CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("SELECT key, value FROM repository_tags WHERE "
                                               "repository_pk = ?1 ORDER BY key"));
  q->Bind(1, pk);
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.emplace_back(q->Text(0), q->Text(1));
  }
  return out;
}

Status Registry::TagRepository(const RepositoryId& id,
                               const std::vector<std::pair<std::string, std::string>>& tags) {
  Impl& m = *impl_;
  return m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    for (const auto& [k, v] : tags) {
      CPA_ASSIGN_OR_RETURN(auto q,
                           m.s.db->Prepare("INSERT OR REPLACE INTO repository_tags("
                                           "repository_pk, key, value) VALUES (?1, ?2, ?3)"));
      q->Bind(1, pk).Bind(2, k).Bind(3, v);
      CPA_RETURN_IF_ERROR(q->Run());
    }
    CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("SELECT count(*) FROM repository_tags WHERE "
                                                 "repository_pk = ?1"));
    q->Bind(1, pk);
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (row && static_cast<size_t>(q->Int(0)) > kMaxRepositoryTags) {
      return Status(ErrorCode::kLimitExceeded, "The repository with name '" + id.name +
                                                   "' in the registry with id '" + id.account_id +
                                                   "' cannot have more than " +
                                                   std::to_string(kMaxRepositoryTags) + " tags");
    }
    return Status::Ok();
  });
}

Status Registry::UntagRepository(const RepositoryId& id, const std::vector<std::string>& keys) {
  Impl& m = *impl_;
  return m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    for (const std::string& k : keys) {
      CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("DELETE FROM repository_tags WHERE "
                                                   "repository_pk = ?1 AND key = ?2"));
      q->Bind(1, pk).Bind(2, k);
      CPA_RETURN_IF_ERROR(q->Run());
    }
    return Status::Ok();
  });
}

// ---- images ----

namespace {

// A manifest checked before any lock is taken: parsed, its digest computed and compared.
struct CheckedImage {
  ParsedManifest parsed;
  std::string digest;
};

Result<CheckedImage> CheckImage(std::string_view manifest, std::string_view media_type,
                                std::span<const std::string_view> tags,
                                std::string_view expected_digest) {
  CheckedImage c;
  CPA_ASSIGN_OR_RETURN(c.parsed, ParseManifest(manifest, media_type));
  c.digest = Sha256DigestOf(manifest);
  if (!expected_digest.empty() && expected_digest != c.digest) {
    return Status(ErrorCode::kDigestMismatch,
                  "The manifest has digest " + c.digest + ", not " + std::string(expected_digest));
  }
  for (std::string_view tag : tags) CPA_RETURN_IF_ERROR(Registry::ValidateTag(tag));
  return c;
}

}  // namespace

Status Registry::Impl::StoreImage(int64_t pk, const Repository& repo, const ParsedManifest& parsed,
                                  std::string_view manifest, const std::string& digest,
                                  std::span<const std::string_view> tags, Image* out) {
  Impl& m = *this;
  const RepositoryId& id = repo.id;
  CPA_ASSIGN_OR_RETURN(const bool existing, m.HasImage(pk, digest));
  if (!existing) {
    std::vector<std::string> missing;
    for (const Descriptor& d : parsed.RequiredBlobs()) {
      CPA_ASSIGN_OR_RETURN(const bool blob, m.HasBlob(pk, d.digest));
      if (!blob) missing.push_back(d.digest);
    }
    if (!missing.empty()) {
      return Status(ErrorCode::kLayersNotFound,
                    "Layers with digests '" + JoinDigests(missing) +
                        "' required for pushing image into repository with name '" + id.name +
                        "' in the registry with id '" + id.account_id + "' do not exist");
    }
    for (const Descriptor& d : parsed.manifests) {
      CPA_ASSIGN_OR_RETURN(const bool child, m.HasImage(pk, d.digest));
      if (!child) missing.push_back(d.digest);
    }
    if (!missing.empty()) {
      return Status(ErrorCode::kLayersNotFound,
                    "Images with digests '" + JoinDigests(missing) +
                        "' referenced by the manifest list do not exist in " + InRegistry(id));
    }
  }
  for (std::string_view tag : tags) {
    CPA_ASSIGN_OR_RETURN(std::optional<std::string> tagged, m.TaggedDigest(pk, tag));
    if (tagged && *tagged != digest && TagIsImmutable(repo, tag)) {
      return Status(ErrorCode::kImageTagAlreadyExists,
                    "The image tag '" + std::string(tag) + "' already exists in the '" + id.name +
                        "' repository and cannot be overwritten because the repository is "
                        "immutable.");
    }
  }
  if (!existing) {
    {
      CPA_ASSIGN_OR_RETURN(
          auto q, m.s.db->Prepare("INSERT INTO images(repository_pk, digest, media_type, "
                                  "artifact_type, subject, manifest, size, pushed_at) VALUES "
                                  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
      q->Bind(1, pk).Bind(2, digest).Bind(3, parsed.media_type).Bind(4, parsed.artifact_type);
      q->Bind(5, parsed.subject ? parsed.subject->digest : std::string());
      q->BindBlob(6, manifest).Bind(7, static_cast<int64_t>(parsed.ContentSize()));
      q->Bind(8, ToUnix(m.s.clock.Now()));
      CPA_RETURN_IF_ERROR(q->Run());
    }
    auto reference = [&](const std::string& ref, bool is_manifest) -> Status {
      CPA_ASSIGN_OR_RETURN(
          auto q, m.s.db->Prepare("INSERT OR IGNORE INTO image_references(repository_pk, "
                                  "image_digest, digest, is_manifest) VALUES (?1, ?2, ?3, ?4)"));
      q->Bind(1, pk).Bind(2, digest).Bind(3, ref).Bind(4, is_manifest ? 1 : 0);
      return q->Run();
    };
    for (const Descriptor& d : parsed.RequiredBlobs()) {
      CPA_RETURN_IF_ERROR(reference(d.digest, false));
      CPA_ASSIGN_OR_RETURN(
          auto q, m.s.db->Prepare("UPDATE repository_blobs SET media_type = ?3 WHERE "
                                  "repository_pk = ?1 AND digest = ?2 AND media_type = ''"));
      q->Bind(1, pk).Bind(2, d.digest).Bind(3, d.media_type);
      CPA_RETURN_IF_ERROR(q->Run());
    }
    for (const Descriptor& d : parsed.manifests) CPA_RETURN_IF_ERROR(reference(d.digest, true));
  }
  for (std::string_view tag : tags) {
    CPA_ASSIGN_OR_RETURN(auto q,
                         m.s.db->Prepare("INSERT OR REPLACE INTO image_tags("
                                         "repository_pk, tag, digest) VALUES (?1, ?2, ?3)"));
    q->Bind(1, pk).Bind(2, tag).Bind(3, digest);
    CPA_RETURN_IF_ERROR(q->Run());
  }
  if (out == nullptr) return Status::Ok();
  CPA_ASSIGN_OR_RETURN(std::optional<Image> stored, m.FindImage(pk, digest));
  if (!stored) return Status(ErrorCode::kInternal, "registry: image vanished");
  *out = std::move(*stored);
  return Status::Ok();
}

Result<Image> Registry::PutImage(const RepositoryId& id, std::string_view manifest,
                                 std::string_view media_type, std::string_view tag,
                                 std::string_view expected_digest) {
  Impl& m = *impl_;
  std::span<const std::string_view> tags(&tag, tag.empty() ? 0 : 1);
  CPA_ASSIGN_OR_RETURN(CheckedImage c, CheckImage(manifest, media_type, tags, expected_digest));
  Image out;
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(auto loaded, m.Load(id));
    return m.StoreImage(loaded.first, loaded.second, c.parsed, manifest, c.digest, tags, &out);
  }));
  return out;
}

Status Registry::PutImages(const std::vector<NewImage>& images) {
  Impl& m = *impl_;
  std::vector<CheckedImage> checked;
  checked.reserve(images.size());
  for (const NewImage& i : images) {
    CPA_ASSIGN_OR_RETURN(CheckedImage c,
                         CheckImage(i.manifest, i.media_type, i.tags, i.expected_digest));
    checked.push_back(std::move(c));
  }
  return m.Write([&]() -> Status {
    // Consecutive images mostly share a repository: loaded once for them.
    std::optional<std::pair<int64_t, Repository>> loaded;
    for (size_t i = 0; i < images.size(); ++i) {
      const NewImage& n = images[i];
      const RepositoryId& id = n.repository;
      if (!loaded || loaded->second.id.account_id != id.account_id ||
          loaded->second.id.region != id.region || loaded->second.id.name != id.name) {
        CPA_ASSIGN_OR_RETURN(loaded, m.Load(id));
      }
      CPA_RETURN_IF_ERROR(m.StoreImage(loaded->first, loaded->second, checked[i].parsed, n.manifest,
                                       checked[i].digest, n.tags, nullptr));
    }
    return Status::Ok();
  });
}

Result<Image> Registry::GetImage(const RepositoryId& id, const ImageRef& ref, bool record_pull) {
  Impl& m = *impl_;
  if (ref.digest.empty() && ref.tag.empty()) {
    return Status(ErrorCode::kInvalidArgument, "an image needs a digest or a tag");
  }
  std::lock_guard lock(m.s.mu);
  CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
  std::optional<Image> found;
  if (!ref.digest.empty()) {
    CPA_ASSIGN_OR_RETURN(found, m.FindImage(pk, ref.digest));
  } else {
    CPA_ASSIGN_OR_RETURN(found, m.FindTagged(pk, ref.tag));
  }
  if (!found) return ImageNotFound(id, ref.digest, ref.tag);
  if (record_pull) {
    const core::TimePoint now = m.s.clock.Now();
    if (!found->last_pull || *found->last_pull < now) {
      CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
        CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("UPDATE images SET last_pull = ?3 WHERE "
                                                     "repository_pk = ?1 AND digest = ?2"));
        q->Bind(1, pk).Bind(2, found->digest).Bind(3, ToUnix(now));
        return q->Run();
      }));
      found->last_pull = now;
    }
  }
  return std::move(*found);
}

Result<Listing<ImageIdEntry>> Registry::ListImages(const RepositoryId& id, TagStatus status,
                                                   const ListRequest& request) {
  Impl& m = *impl_;
  std::string after_digest = request.after, after_tag;
  if (size_t sp = request.after.find(' '); sp != std::string::npos) {
    after_digest = request.after.substr(0, sp);
    after_tag = request.after.substr(sp + 1);
  }
  std::string filter = status == TagStatus::kTagged     ? " AND t.tag IS NOT NULL"
                       : status == TagStatus::kUntagged ? " AND t.tag IS NULL"
                                                        : "";
  std::lock_guard lock(m.s.mu);
  CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
  CPA_ASSIGN_OR_RETURN(
      auto q, m.s.db->Prepare("SELECT i.digest, coalesce(t.tag, '') FROM images i LEFT JOIN "
                              "image_tags t ON t.repository_pk = i.repository_pk AND t.digest = "
                              "i.digest WHERE i.repository_pk = ?1" +
                              filter +
                              " AND (i.digest, coalesce(t.tag, '')) > (?2, ?3) ORDER BY "
                              "i.digest, coalesce(t.tag, '') LIMIT ?4"));
  q->Bind(1, pk).Bind(2, after_digest).Bind(3, after_tag).Bind(4, SqlLimit(request.limit));
  Listing<ImageIdEntry> out;
  for (;;) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (request.limit != 0 && out.items.size() == request.limit) {
      out.more = true;
      break;
    }
    out.items.push_back({q->Text(0), q->Text(1)});
  }
  return out;
}

Result<Listing<Image>> Registry::DescribeImages(const RepositoryId& id, TagStatus status,
                                                const ListRequest& request) {
  Impl& m = *impl_;
  std::string filter =
      status == TagStatus::kTagged
          ? " AND EXISTS (SELECT 1 FROM image_tags t WHERE t.repository_pk = i.repository_pk "
            "AND t.digest = i.digest)"
      : status == TagStatus::kUntagged
          ? " AND NOT EXISTS (SELECT 1 FROM image_tags t WHERE t.repository_pk = i.repository_pk "
            "AND t.digest = i.digest)"
          : "";
  std::lock_guard lock(m.s.mu);
  CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
  CPA_ASSIGN_OR_RETURN(auto q,
                       m.s.db->Prepare(std::string("SELECT ") + kImageColumns +
                                       " FROM images i WHERE i.repository_pk = ?1" + filter +
                                       " AND i.digest > ?2 ORDER BY i.digest LIMIT ?3"));
  q->Bind(1, pk).Bind(2, request.after).Bind(3, SqlLimit(request.limit));
  Listing<Image> out;
  for (;;) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (request.limit != 0 && out.items.size() == request.limit) {
      out.more = true;
      break;
    }
    out.items.push_back(ReadImage(*q));
  }
  return out;
}

Result<Listing<std::string>> Registry::ListImageTags(const RepositoryId& id,
                                                     const ListRequest& request) {
  Impl& m = *impl_;
  std::lock_guard lock(m.s.mu);
  CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
  CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("SELECT tag FROM image_tags WHERE repository_pk = "
                                               "?1 AND tag > ?2 ORDER BY tag LIMIT ?3"));
  q->Bind(1, pk).Bind(2, request.after).Bind(3, SqlLimit(request.limit));
  Listing<std::string> out;
  for (;;) {
    CPA_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (request.limit != 0 && out.items.size() == request.limit) {
      out.more = true;
      break;
    }
    out.items.push_back(q->Text(0));
  }
  return out;
}

Status Registry::UntagImage(const RepositoryId& id, std::string_view tag) {
  Impl& m = *impl_;
  return m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    CPA_ASSIGN_OR_RETURN(
        auto q, m.s.db->Prepare("DELETE FROM image_tags WHERE repository_pk = ?1 AND tag = ?2"));
    q->Bind(1, pk).Bind(2, tag);
    CPA_RETURN_IF_ERROR(q->Run());
    if (m.s.db->Changes() == 0) return ImageNotFound(id, "", tag);
    return Status::Ok();
  });
}

Status Registry::DeleteImage(const RepositoryId& id, std::string_view digest) {
  Impl& m = *impl_;
  CPA_RETURN_IF_ERROR(ValidateDigest(digest));
  return m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    CPA_ASSIGN_OR_RETURN(std::optional<Image> image, m.FindImage(pk, digest));
    if (!image) return ImageNotFound(id, digest, "");
    {
      CPA_ASSIGN_OR_RETURN(
          auto q, m.s.db->Prepare("SELECT image_digest FROM image_references WHERE repository_pk "
                                  "= ?1 AND digest = ?2 AND is_manifest = 1 AND image_digest != "
                                  "?2 LIMIT 1"));
      q->Bind(1, pk).Bind(2, digest);
      CPA_ASSIGN_OR_RETURN(bool row, q->Step());
      if (row) {
        return Status(ErrorCode::kDeleteConflict, "The image " + std::string(digest) +
                                                      " is referenced by the manifest list " +
                                                      q->Text(0) + " in " + InRegistry(id));
      }
    }
    CPA_ASSIGN_OR_RETURN(
        auto q, m.s.db->Prepare("DELETE FROM images WHERE repository_pk = ?1 AND digest = ?2"));
    q->Bind(1, pk).Bind(2, digest);
    return q->Run();
  });
}

// ---- blobs ----

Result<BlobInfo> Registry::StatBlob(const RepositoryId& id, std::string_view digest) {
  Impl& m = *impl_;
  CPA_RETURN_IF_ERROR(ValidateDigest(digest));
  std::lock_guard lock(m.s.mu);
  CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
  CPA_ASSIGN_OR_RETURN(std::optional<BlobInfo> blob, m.FindBlob(pk, digest));
  if (!blob) return LayerNotFound(id, digest);
  return std::move(*blob);
}

Result<BlobFile> Registry::OpenBlob(const RepositoryId& id, std::string_view digest) {
  CPA_ASSIGN_OR_RETURN(BlobInfo info, StatBlob(id, digest));
  BlobFile f;
  f.path = impl_->blobs->BlobPath(digest);
  f.digest = info.digest;
  auto size = impl_->blobs->BlobSize(digest);
  if (!size.ok()) {
    return Status(ErrorCode::kInternal, "registry: the file of blob " + std::string(digest) +
                                            " is missing from " + impl_->blobs->root());
  }
  f.size = *size;
  return f;
}

Result<BlobInfo> Registry::MountBlob(const RepositoryId& to, const RepositoryId& from,
                                     std::string_view digest) {
  Impl& m = *impl_;
  CPA_ASSIGN_OR_RETURN(BlobInfo source, StatBlob(from, digest));
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(to));
    return m.AddBlob(pk, digest, source.size, source.media_type);
  }));
  return StatBlob(to, digest);
}

Result<BlobInfo> Registry::PutBlob(const RepositoryId& id, std::string_view bytes,
                                   std::string_view media_type) {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.s.mu);
    CPA_RETURN_IF_ERROR(m.Pk(id).status());
  }
  CPA_ASSIGN_OR_RETURN(std::string digest, m.blobs->PutBytes(bytes));
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    return m.AddBlob(pk, digest, bytes.size(), media_type);
  }));
  return StatBlob(id, digest);
}

Result<std::vector<std::string>> Registry::PutBlobs(const std::vector<NewBlob>& blobs) {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.s.mu);
    std::set<std::tuple<std::string, std::string, std::string>> checked;
    for (const NewBlob& b : blobs) {
      const RepositoryId& id = b.repository;
      if (checked.emplace(id.account_id, id.region, id.name).second) {
        CPA_RETURN_IF_ERROR(m.Pk(id).status());
      }
    }
  }
  std::vector<std::string_view> bytes;
  bytes.reserve(blobs.size());
  for (const NewBlob& b : blobs) bytes.push_back(b.bytes);
  // Every file is in place and durable before the first row refers to it.
  CPA_ASSIGN_OR_RETURN(std::vector<std::string> digests, m.blobs->PutBatch(bytes));
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    std::map<std::tuple<std::string, std::string, std::string>, int64_t> pks;
    for (size_t i = 0; i < blobs.size(); ++i) {
      const RepositoryId& id = blobs[i].repository;
      auto [it, added] = pks.try_emplace({id.account_id, id.region, id.name}, 0);
      if (added) {
        CPA_ASSIGN_OR_RETURN(it->second, m.Pk(id));
      }
      CPA_RETURN_IF_ERROR(
          m.AddBlob(it->second, digests[i], blobs[i].bytes.size(), blobs[i].media_type));
    }
    return Status::Ok();
  }));
  return digests;
}

// ---- uploads ----

Result<Upload> Registry::StartUpload(const RepositoryId& id) {
  Impl& m = *impl_;
  Upload u;
  u.repository = id;
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    u.id = m.s.ids.Uuid();
    CPA_RETURN_IF_ERROR(m.blobs->CreateUpload(u.id));
    CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("INSERT INTO uploads(id, repository_pk, size, "
                                                 "create_date, update_date) VALUES (?1, ?2, 0, "
                                                 "?3, ?3)"));
    q->Bind(1, u.id).Bind(2, pk).Bind(3, ToUnix(m.s.clock.Now()));
    Status st = q->Run();
    if (!st.ok()) (void)m.blobs->RemoveUpload(u.id);
    return st;
  }));
  return u;
}

Result<Upload> Registry::GetUpload(const RepositoryId& id, std::string_view upload_id) {
  return impl_->FindUpload(id, upload_id);
}

namespace {
Status InvalidPart(const Upload& u, uint64_t start) {
  return Status(ErrorCode::kInvalidLayerPart,
                "The layer part starts at byte " + std::to_string(start) + " but upload '" + u.id +
                    "' has received " + std::to_string(u.size) + " bytes");
}
}  // namespace

Result<Upload> Registry::AppendUpload(const RepositoryId& id, std::string_view upload_id,
                                      std::optional<uint64_t> start, std::string_view bytes) {
  Impl& m = *impl_;
  std::lock_guard upload_lock(m.UploadLock(upload_id));
  CPA_ASSIGN_OR_RETURN(Upload u, m.FindUpload(id, upload_id));
  if (start && *start != u.size) return InvalidPart(u, *start);
  CPA_RETURN_IF_ERROR(m.blobs->WriteUpload(u.id, u.size, bytes));
  u.size += bytes.size();
  CPA_RETURN_IF_ERROR(m.SetUploadSize(id, u.id, u.size));
  return u;
}

Result<Upload> Registry::AppendUploadFile(const RepositoryId& id, std::string_view upload_id,
                                          std::optional<uint64_t> start,
                                          const std::string& spooled_file) {
  Impl& m = *impl_;
  std::lock_guard upload_lock(m.UploadLock(upload_id));
  CPA_ASSIGN_OR_RETURN(Upload u, m.FindUpload(id, upload_id));
  if (start && *start != u.size) return InvalidPart(u, *start);
  CPA_ASSIGN_OR_RETURN(uint64_t appended, m.blobs->AppendUploadFile(u.id, u.size, spooled_file));
  u.size += appended;
  CPA_RETURN_IF_ERROR(m.SetUploadSize(id, u.id, u.size));
  return u;
}

Result<BlobInfo> Registry::CompleteUpload(const RepositoryId& id, std::string_view upload_id,
                                          std::string_view digest) {
  Impl& m = *impl_;
  CPA_RETURN_IF_ERROR(ValidateDigest(digest));
  std::lock_guard upload_lock(m.UploadLock(upload_id));
  CPA_ASSIGN_OR_RETURN(Upload u, m.FindUpload(id, upload_id));
  Status committed = m.blobs->CommitUpload(u.id, u.size, digest);
  if (committed.code() == ErrorCode::kDigestMismatch) {
    (void)m.DropUpload(u.id);
    return committed;
  }
  CPA_RETURN_IF_ERROR(committed);
  CPA_RETURN_IF_ERROR(m.Write([&]() -> Status {
    CPA_ASSIGN_OR_RETURN(int64_t pk, m.Pk(id));
    CPA_RETURN_IF_ERROR(m.AddBlob(pk, digest, u.size, ""));
    CPA_ASSIGN_OR_RETURN(auto q, m.s.db->Prepare("DELETE FROM uploads WHERE id = ?1"));
    q->Bind(1, u.id);
    return q->Run();
  }));
  return StatBlob(id, digest);
}

Status Registry::CancelUpload(const RepositoryId& id, std::string_view upload_id) {
  Impl& m = *impl_;
  std::lock_guard upload_lock(m.UploadLock(upload_id));
  CPA_ASSIGN_OR_RETURN(Upload u, m.FindUpload(id, upload_id));
  return m.DropUpload(u.id);
}

// ---- names ----

namespace {
bool LowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool ValidComponent(std::string_view c) {
  size_t i = 0;
  auto run = [&]() {
    size_t start = i;
    while (i < c.size() && LowerAlnum(c[i])) ++i;
    return i > start;
  };
  if (!run()) return false;
  while (i < c.size()) {
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      ++i;
      if (i < c.size() && c[i] == '_') ++i;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
    if (!run()) return false;
  }
  return true;
}
}  // namespace

Status Registry::ValidateRepositoryName(std::string_view name) {
  auto bad = [](std::string constraint) {
    return Status(
        ErrorCode::kInvalidArgument,
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: '" + constraint + "'");
  };
  if (name.size() < 2) return bad("must have length greater than or equal to 2");
  if (name.size() > 256) return bad("must have length less than or equal to 256");
  size_t pos = 0;
  for (;;) {
    size_t slash = name.find('/', pos);
    std::string_view component =
        name.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (!ValidComponent(component)) {
      return bad(
          "must satisfy regular expression "
          "'(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'");
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return Status::Ok();
}

Status Registry::ValidateDigest(std::string_view digest) {
  if (IsSha256Digest(digest)) return Status::Ok();
  size_t colon = digest.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    std::string_view algorithm = digest.substr(0, colon);
    bool known_shape = std::all_of(algorithm.begin(), algorithm.end(), [](char c) {
      return LowerAlnum(c) || c == '+' || c == '.' || c == '_' || c == '-';
    });
    if (known_shape && algorithm != "sha256") {
      return Status(ErrorCode::kInvalidArgument,
                    "unsupported digest algorithm '" + std::string(algorithm) + "'");
    }
  }
  return Status(ErrorCode::kInvalidArgument, "invalid digest '" + std::string(digest) + "'");
}

Status Registry::ValidateTag(std::string_view tag) {
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  bool ok = !tag.empty() && tag.size() <= 128 && word(tag[0]) &&
            std::all_of(tag.begin() + 1, tag.end(),
                        [&](char c) { return word(c) || c == '.' || c == '-'; });
  if (ok) return Status::Ok();
  return Status(
      ErrorCode::kInvalidArgument,
      "invalid tag '" + std::string(tag) + "': a tag must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
}

}  // namespace cpa::server::registry
