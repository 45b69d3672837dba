#pragma once
// Secrets at rest: AES-256-GCM under the master key in DIR/master.key.
//
// Sealed form: nonce (12 random bytes) || ciphertext || tag (16 bytes). The record id (e.g. the
// access key id) is bound as associated data, so a sealed secret copied onto another record
// fails to open. The master key file holds 32 random bytes from OpenSSL, created with mode 0600
// (O_EXCL, fsynced with its directory) and never rewritten.
//
// Thread safety: Seal and Open are const and safe from several threads.
// Error messages name files and record ids, never secret material.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/status.h"

namespace cpa::server::store {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  explicit SecretBox(const std::array<uint8_t, kKeySize>& key) : key_(key) {}
  ~SecretBox();

  // Reads the key at `path`, or, when the file does not exist and `create` is true, creates it
  // with 32 bytes from `random` and mode 0600. A file of another size is an error.
  static core::Result<SecretBox> LoadOrCreate(const std::string& path, bool create,
                                              core::Random& random);

  core::Result<std::string> Seal(std::string_view plaintext, std::string_view record_id,
                                 core::Random& random) const;
  // kInternal with a message naming `record_id` when the tag does not verify (wrong key or
  // tampered data).
  core::Result<std::string> Open(std::string_view sealed, std::string_view record_id) const;

  // HMAC-SHA256(master key, label): a key for another purpose (e.g. "ecr-token"), so that the
  // master key itself is only ever used to seal secrets.
  std::array<uint8_t, kKeySize> DeriveKey(std::string_view label) const;

 private:
  std::array<uint8_t, kKeySize> key_;
};

}  // namespace cpa::server::store
