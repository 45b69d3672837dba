#pragma once
// The ECR registries of `cpa serve`: repositories, images (manifests and tags) and blobs of every
// account and region, shared by the ECR API (server/api/ecr_service.h) and the OCI `/v2`
// endpoint (server/registry/oci_handler.h). Neither wire layer touches SQLite or blob files
// directly: both go through this class, so that a push through `/v2` is what DescribeImages
// shows and an image put by PutImage is what `/v2` serves.
//
//   DIR/registry/blobs/sha256/<2 hex>/<64 hex>   content-addressed blob files (immutable)
//   DIR/registry/uploads/<upload id>             bytes of uploads in progress
//   DIR/cpa.db                                   metadata (schema step 2, see store/schema.cc)
//
// Blobs are verified against their digest before they become visible, written to a temporary
// file and renamed into place (never a partial blob), and served from their file (sendfile).
// A blob is reachable in a repository only when it was uploaded or mounted into it, or a manifest
// of the repository references it (as ECR and distribution do).
//
// Errors: core::Status with the registry codes of core/status.h, which core/aws_error.h maps to
// ECR's exceptions and server/registry/oci_error.h to the OCI error codes:
//   kRepositoryNotFound, kImageNotFound, kLayersNotFound (blob not in the repository),
//   kUploadNotFound, kRepositoryPolicyNotFound, kRepositoryNotEmpty (delete without force),
//   kImageTagAlreadyExists (IMMUTABLE repository), kDigestMismatch, kInvalidLayerPart (a chunk
//   that does not start where the upload stands), kManifestInvalid, kAlreadyExists (repository),
//   kInvalidArgument (bad name, digest or tag). Messages are ECR's (see the wire reference).
//
// Thread safety: every method may be called from many threads at once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "policy/compiled.h"
#include "server/store/store.h"

namespace cpa::server::registry {

// A repository: <account>.dkr.ecr.<region>.<domain>/<name>.
struct RepositoryId {
  std::string account_id;
  std::string region;
  std::string name;
  // arn:aws:ecr:<region>:<account>:repository/<name>
  std::string Arn() const;
};

struct Repository {
  RepositoryId id;
  std::string arn;
  std::string uri;                         // <account>.dkr.ecr.<region>.<registry domain>/<name>
  std::string tag_mutability = "MUTABLE";  // MUTABLE | IMMUTABLE | ..._WITH_EXCLUSION
  // imageTagMutabilityExclusionFilters of the *_WITH_EXCLUSION modes: wildcards ('*') on tags
  // that take the opposite mutability.
  std::vector<std::string> tag_mutability_exclusions;
  bool scan_on_push = false;
  std::string encryption_type = "AES256";  // AES256 | KMS | KMS_DSSE
  std::string kms_key;
  core::TimePoint created_at;
  std::optional<std::string> policy_text;  // the stored repository policy, if any
};

struct NewRepository {
  RepositoryId id;
  std::string tag_mutability = "MUTABLE";
  std::vector<std::string> tag_mutability_exclusions;
  bool scan_on_push = false;
  std::string encryption_type = "AES256";
  std::string kms_key;
  std::vector<std::pair<std::string, std::string>> tags;
};

// Either or both may be set (ECR's imageId).
struct ImageRef {
  std::string digest;  // "sha256:<64 hex>"
  std::string tag;
};

struct Image {
  std::string digest;
  std::string media_type;     // the manifest's media type
  std::string artifact_type;  // config media type (or artifactType) of the manifest
  std::string manifest;       // raw bytes as pushed
  std::string subject;        // the OCI 1.1 subject's digest, "" when none
  std::vector<std::string> tags;
  uint64_t size = 0;  // imageSizeInBytes: the manifest's layers (and config) summed
  core::TimePoint pushed_at;
  std::optional<core::TimePoint> last_pull;
};

struct BlobInfo {
  std::string digest;
  uint64_t size = 0;
  std::string media_type;   // as the referencing manifest declares it; "" when unknown
  bool referenced = false;  // a manifest of the repository references it
};

// Where a blob's bytes are, for sendfile.
struct BlobFile {
  std::string path;
  uint64_t size = 0;
  std::string digest;
};

struct Upload {
  std::string id;  // opaque, unguessable (UUID)
  RepositoryId repository;
  uint64_t size = 0;  // bytes received so far
};

// Listing by name order, resuming after `after` (OCI `last`; the ECR wire layer makes its
// nextToken from the last item). limit 0: no limit.
struct ListRequest {
  std::string after;
  size_t limit = 0;
};
template <typename T>
struct Listing {
  std::vector<T> items;
  bool more = false;  // items remain after the last one returned
};

enum class TagStatus { kAny, kTagged, kUntagged };

// One row of ListImages: one per tag, or the digest alone for an untagged image.
struct ImageIdEntry {
  std::string digest;
  std::string tag;
};

// What grants an account access to the packages repositories of a region: the EKS Anywhere
// subscriptions (server/store/subscription.h) answer it. Returns the accounts with an ACTIVE
// subscription in `region` at `now`.
using SubscriberLookup =
    std::function<std::vector<std::string>(std::string_view region, core::TimePoint now)>;

struct RegistryOptions {
  store::Store* store = nullptr;              // required; its clock and randomness are used
  std::string registry_domain = "localhost";  // <acct>.dkr.ecr.<region>.<registry_domain>
  SubscriberLookup subscribers;               // may be empty: no subscription grants
};

class Registry {
 public:
  // Creates DIR/registry/{blobs,uploads} under the store's data directory (0700), removes
  // temporary files a crash left behind.
  static core::Result<std::unique_ptr<Registry>> Open(const RegistryOptions& options);
  ~Registry();

  const std::string& registry_domain() const;
  // <account>.dkr.ecr.<region>.<registry domain>
  std::string RegistryHost(std::string_view account_id, std::string_view region) const;

  // ---- repositories ----
  core::Result<Repository> CreateRepository(const NewRepository& repository);
  core::Result<Repository> GetRepository(const RepositoryId& id);
  core::Result<Listing<Repository>> ListRepositories(std::string_view account_id,
                                                     std::string_view region,
                                                     const ListRequest& request);
  // force: delete the images too (else kRepositoryNotEmpty when it holds images).
  core::Result<Repository> DeleteRepository(const RepositoryId& id, bool force);

  core::Status SetRepositoryPolicy(const RepositoryId& id, std::string policy_text);
  // kNotFound (RepositoryPolicyNotFoundException) when none is set.
  core::Result<std::string> DeleteRepositoryPolicy(const RepositoryId& id);
  // The policy the registry enforces on the repository: the stored one plus, in a packages
  // account, the statement granting the region's subscribers pull access (Sid
  // "EksAnywhereSubscriptions"). The text is what GetRepositoryPolicy shows; `compiled` is null
  // when there is no policy at all. Recomputed when subscriptions change or expire (`now`).
  struct EffectivePolicy {
    std::optional<std::string> text;
    std::shared_ptr<const policy::CompiledPolicy> compiled;
  };
  core::Result<EffectivePolicy> RepositoryPolicy(const RepositoryId& id, core::TimePoint now);

  core::Result<std::vector<std::pair<std::string, std::string>>> ListTags(const RepositoryId& id);
  core::Status TagRepository(const RepositoryId& id,
                             const std::vector<std::pair<std::string, std::string>>& tags);
  core::Status UntagRepository(const RepositoryId& id, const std::vector<std::string>& keys);

  // ---- images ----
  // Validates the manifest (JSON; OCI/Docker image manifest, image index / manifest list, or OCI
  // artifact manifest; `media_type` from Content-Type or the manifest's mediaType), checks every
  // referenced blob is reachable in the repository (and, for an index, every child manifest is
  // in it), stores it under its SHA-256 digest and points `tag` (if any) at it. When
  // `expected_digest` is set (a push by digest) it must match (kDigestMismatch). Pushing an image
  // that exists (with the same tag) again succeeds and changes nothing. Missing blobs and, for an
  // index, missing child manifests are kLayersNotFound; an immutable tag that points at another
  // image is kImageTagAlreadyExists. Returns the image.
  core::Result<Image> PutImage(const RepositoryId& id, std::string_view manifest,
                               std::string_view media_type, std::string_view tag,
                               std::string_view expected_digest = {});
  // PutImage for each of `images` in order, in one transaction (seeding and publishing: one
  // commit instead of one per manifest and tag), each under all of its tags (or none). All or
  // nothing: the first error is returned and nothing of the batch is stored. An image may need
  // blobs and child manifests stored by an earlier entry.
  struct NewImage {
    RepositoryId repository;
    std::string_view manifest;
    std::string_view media_type;
    std::vector<std::string_view> tags;
    std::string_view expected_digest;
  };
  core::Status PutImages(const std::vector<NewImage>& images);
  // By digest, else by tag (kImageNotFound). Records the pull time when `record_pull`.
  core::Result<Image> GetImage(const RepositoryId& id, const ImageRef& ref,
                               bool record_pull = false);
  // Ordered by digest, then tag ("" for an untagged image first); `after` is "<digest> <tag>"
  // of the last entry seen (the tag part may be empty).
  core::Result<Listing<ImageIdEntry>> ListImages(const RepositoryId& id, TagStatus status,
                                                 const ListRequest& request);
  // Ordered by digest; `after` is the last digest seen.
  core::Result<Listing<Image>> DescribeImages(const RepositoryId& id, TagStatus status,
                                              const ListRequest& request);
  // Tags in lexical order (OCI tags/list).
  core::Result<Listing<std::string>> ListImageTags(const RepositoryId& id,
                                                   const ListRequest& request);
  // Removes a tag; the image stays (untagged).
  core::Status UntagImage(const RepositoryId& id, std::string_view tag);
  // Removes an image and every tag pointing at it. kDeleteConflict while an index (manifest list)
  // of the repository references it.
  core::Status DeleteImage(const RepositoryId& id, std::string_view digest);

  // ---- blobs ----
  // The blob if it is reachable in the repository.
  core::Result<BlobInfo> StatBlob(const RepositoryId& id, std::string_view digest);
  core::Result<BlobFile> OpenBlob(const RepositoryId& id, std::string_view digest);
  // Makes a blob of `from` reachable in `to` (cross-repository mount; same registry or not).
  core::Result<BlobInfo> MountBlob(const RepositoryId& to, const RepositoryId& from,
                                   std::string_view digest);
  // Stores bytes as a blob of the repository (seeding, PutImage of small artifacts).
  core::Result<BlobInfo> PutBlob(const RepositoryId& id, std::string_view bytes,
                                 std::string_view media_type = {});
  // Stores many blobs, each into its repository, at the cost of two syncs of the file system
  // instead of two fsyncs per blob (seeding and publishing): the files are written together
  // (BlobStore::PutBatch), then every row is added in one transaction. Either every blob becomes
  // reachable or none does (files a failure left behind are unreferenced, as after a crash).
  // kRepositoryNotFound, before anything is written, when a repository is missing. Returns the
  // digests in order.
  struct NewBlob {
    RepositoryId repository;
    std::string_view bytes;
    std::string_view media_type;
  };
  core::Result<std::vector<std::string>> PutBlobs(const std::vector<NewBlob>& blobs);

  // ---- uploads ----
  core::Result<Upload> StartUpload(const RepositoryId& id);
  core::Result<Upload> GetUpload(const RepositoryId& id, std::string_view upload_id);
  // Appends a chunk. `start` (from Content-Range) must equal the bytes received so far when
  // set (else kInvalidLayerPart, which `/v2` answers 416). The chunk is either `bytes` or the file
  // `spooled_file` (moved or copied, then gone from where it was).
  core::Result<Upload> AppendUpload(const RepositoryId& id, std::string_view upload_id,
                                    std::optional<uint64_t> start, std::string_view bytes);
  core::Result<Upload> AppendUploadFile(const RepositoryId& id, std::string_view upload_id,
                                        std::optional<uint64_t> start,
                                        const std::string& spooled_file);
  // Verifies the upload's SHA-256 against `digest` and makes it a blob of the repository
  // (kDigestMismatch otherwise; the upload is then discarded).
  core::Result<BlobInfo> CompleteUpload(const RepositoryId& id, std::string_view upload_id,
                                        std::string_view digest);
  core::Status CancelUpload(const RepositoryId& id, std::string_view upload_id);

  // ---- names ----
  // ECR's repository name rule (2..256, lower case components separated by '/').
  static core::Status ValidateRepositoryName(std::string_view name);
  // "sha256:" + 64 lower-case hex (other algorithms: kInvalidArgument "unsupported").
  static core::Status ValidateDigest(std::string_view digest);
  // OCI tag rule [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
  static core::Status ValidateTag(std::string_view tag);

 private:
  class Impl;
  explicit Registry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cpa::server::registry
