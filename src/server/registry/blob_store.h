#pragma once
// The registry's files: content-addressed blobs and the bytes of uploads in progress.
//
//   ROOT/blobs/sha256/<2 hex>/<64 hex>   immutable blob files (mode 0600)
//   ROOT/uploads/<upload id>             an upload's bytes so far
//   ROOT/tmp/                            files being written; emptied at Open
//
// A blob file appears only complete and verified: the bytes are written to ROOT/tmp, fsynced,
// hashed (SHA-256, incrementally) and renamed into place, and the directory is fsynced. The
// metadata that says which repository may serve a blob lives in the database (registry.h); a file
// without metadata is harmless and is reused by the next push of the same content.
//
// PutBatch does the same for many blobs at once with two syncs of the file system (syncfs(2))
// instead of two fsyncs per blob (seeding writes hundreds of small blobs; each fsync is a journal
// commit of some milliseconds): every file is written to ROOT/tmp, the file system is synced,
// the files are renamed into place, and it is synced again. A sync of the file system also
// flushes what other processes wrote to it, so its cost depends on them too.
//
// Upload ids are used in paths: callers pass only ids they generated (UUIDs); anything else is
// refused with kUploadNotFound.
//
// Thread safety: methods on different uploads may run concurrently; the registry serialises
// operations on one upload. Blob writes of the same content may race: the rename is atomic and
// both write the same bytes.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cpa::server::registry {

class BlobStore {
 public:
  // Creates ROOT and its subdirectories (0700) and empties ROOT/tmp.
  static core::Result<std::unique_ptr<BlobStore>> Open(std::string root);

  const std::string& root() const { return root_; }
  // ROOT/blobs/sha256/<2 hex>/<64 hex> for a valid "sha256:<hex>" digest.
  std::string BlobPath(std::string_view digest) const;
  std::string UploadPath(std::string_view upload_id) const;
  std::string uploads_dir() const { return root_ + "/uploads"; }

  // The size of the stored blob; kNotFound when there is no file.
  core::Result<uint64_t> BlobSize(std::string_view digest) const;

  // Stores `bytes` as a blob (nothing to do when the file exists). Returns its digest.
  core::Result<std::string> PutBytes(std::string_view bytes);
  // Stores every one of `blobs` (content already stored, or given twice, is written once) and
  // returns their digests in order. When it returns, every file is in place and durable. On error
  // nothing is partial: blobs installed before the error stay (unreferenced, harmless), the
  // others have no file.
  core::Result<std::vector<std::string>> PutBatch(const std::vector<std::string_view>& blobs);

  // ---- uploads ----
  // An empty upload file.
  core::Status CreateUpload(std::string_view upload_id);
  // Writes `bytes` at `offset` (the bytes received so far) and cuts the file there, so that bytes
  // past `offset` that a crash left behind never count.
  core::Status WriteUpload(std::string_view upload_id, uint64_t offset, std::string_view bytes);
  // Appends the file `spooled` at `offset`: renamed into place when `offset` is 0 (the upload is
  // empty), copied otherwise. `spooled` is gone afterwards. Returns the bytes appended.
  core::Result<uint64_t> AppendUploadFile(std::string_view upload_id, uint64_t offset,
                                          const std::string& spooled);
  // Hashes the upload's first `size` bytes; when they hash to `digest`, moves the upload into
  // place as that blob (or drops it when the blob exists already). kDigestMismatch otherwise (the
  // upload stays; the caller removes it).
  core::Status CommitUpload(std::string_view upload_id, uint64_t size, std::string_view digest);
  // Removes an upload's file (no error when there is none).
  core::Status RemoveUpload(std::string_view upload_id);

  // True for the ids CreateUpload accepts: a lower-case UUID (8-4-4-4-12 hex).
  static bool IsUploadId(std::string_view upload_id);
  // "sha256:<hex>" of the first `size` bytes of `path` (the whole file when size is omitted),
  // read in chunks.
  static core::Result<std::string> HashFile(const std::string& path, uint64_t size = UINT64_MAX);

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  // Moves the finished temporary file `tmp` into place as `digest`.
  core::Status Install(const std::string& tmp, std::string_view digest);
  std::string TempPath();

  std::string root_;
};

}  // namespace cpa::server::registry
