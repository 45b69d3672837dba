#include "server/store/secret_box.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace cpa::server::store {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

Status Errno(const std::string& what, const std::string& path) {
  return Status(ErrorCode::kInternal, what + " " + path + ": " + std::strerror(errno));
}

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, const uint8_t* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::array<uint8_t, SecretBox::kKeySize> SecretBox::DeriveKey(std::string_view label) const {
  core::Sha256Digest mac = core::HmacSha256(
      std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size()), label);
  std::array<uint8_t, kKeySize> out{};
  std::copy(mac.begin(), mac.end(), out.begin());
  OPENSSL_cleanse(mac.data(), mac.size());
  return out;
}

Result<SecretBox> SecretBox::LoadOrCreate(const std::string& path, bool create,
                                          core::Random& random) {
  std::array<uint8_t, kKeySize> key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Errno("cannot stat", path);
    }
    if (st.st_size != static_cast<off_t>(kKeySize)) {
      ::close(fd);
      return Status(ErrorCode::kInternal, "master key " + path +
                                              " must hold exactly 32 bytes (has " +
                                              std::to_string(st.st_size) + ")");
    }
    size_t got = 0;
    while (got < kKeySize) {
      ssize_t r = ::read(fd, key.data() + got, kKeySize - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        ::close(fd);
        return Errno("cannot read", path);
      }
      got += static_cast<size_t>(r);
    }
    ::close(fd);
    SecretBox box(key);
    OPENSSL_cleanse(key.data(), key.size());
    return box;
  }
  if (errno != ENOENT) return Errno("cannot open master key", path);
  if (!create) {
    return Status(ErrorCode::kInternal,
                  "master key " + path +
                      " is missing but the database holds secrets sealed under it; restore the "
                      "original file (a new key cannot decrypt them)");
  }
  random.Fill(key.data(), key.size());
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create master key", path);
  ::fchmod(fd, 0600);  // whatever the umask
  Status s = WriteAll(fd, key.data(), key.size(), path);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("cannot fsync", path);
  ::close(fd);
  if (!s.ok()) {
    ::unlink(path.c_str());
    return s;
  }
  std::string dir = DirName(path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  SecretBox box(key);
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

Result<std::string> SecretBox::Seal(std::string_view plaintext, std::string_view record_id,
                                    core::Random& random) const {
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  random.Fill(o, kNonceSize);
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), o) &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(record_id.data()),
                              static_cast<int>(record_id.size())) &&
            EVP_EncryptUpdate(ctx.get(), o + kNonceSize, &len,
                              reinterpret_cast<const unsigned char*>(plaintext.data()),
                              static_cast<int>(plaintext.size()));
  int fin = 0;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), o + kNonceSize + len, &fin) &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                           o + kNonceSize + plaintext.size());
  if (!ok) return Status(ErrorCode::kInternal, "AES-256-GCM encryption failed");
  return out;
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view record_id) const {
  if (sealed.size() < kNonceSize + kTagSize) {
    return Status(ErrorCode::kInternal,
                  "sealed secret of " + std::string(record_id) + " is truncated");
  }
  const size_t n = sealed.size() - kNonceSize - kTagSize;
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(n, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  unsigned char tag[kTagSize];
  std::memcpy(tag, in + kNonceSize + n, kTagSize);
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), in) &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(record_id.data()),
                              static_cast<int>(record_id.size())) &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                              in + kNonceSize, static_cast<int>(n)) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag);
  int fin = 0;
  ok = ok &&
       EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin) > 0;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return Status(ErrorCode::kInternal, "cannot decrypt the secret of " + std::string(record_id) +
                                            ": wrong master key or corrupted data");
  }
  return out;
}

}  // namespace cpa::server::store
