#include "server/registry/auth_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace cpa::server::registry {

using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
// Bound as associated data: a ciphertext sealed for another purpose under the same key never
// opens as a token.
constexpr std::string_view kAssociatedData = "cpa ecr authorization token v2";

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status Invalid() {
  return Status(ErrorCode::kInvalidClientTokenId, "Your authorization token is invalid.");
}

// One AES-256-GCM context per thread and direction, set up once: creating a context and fetching
// the cipher cost more than sealing a token. Each use only sets the key and nonce.
EVP_CIPHER_CTX* ThreadContext(bool encrypt) {
  struct Contexts {
    Ctx seal, open;
    Contexts() {
      for (auto* c : {&seal, &open}) {
        Ctx ctx(EVP_CIPHER_CTX_new());
        if (!ctx) continue;
        bool ok = (c == &seal
                       ? EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr)
                       : EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                                            nullptr)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1;
        if (ok) *c = std::move(ctx);
      }
    }
  };
  thread_local Contexts contexts;
  return encrypt ? contexts.seal.get() : contexts.open.get();
}

// nonce || ciphertext || tag; empty on an OpenSSL failure.
std::string Seal(const std::array<uint8_t, 32>& key, std::string_view nonce,
                 std::string_view plaintext) {
  EVP_CIPHER_CTX* ctx = ThreadContext(true);
  if (ctx == nullptr) return {};
  std::string out(plaintext.size() + kTagSize, '\0');
  int len = 0, fin = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &len, U(kAssociatedData),
                        static_cast<int>(kAssociatedData.size())) != 1 ||
      EVP_EncryptUpdate(ctx, o, &len, U(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, o + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, o + plaintext.size()) != 1) {
    return {};
  }
  return out;
}

Result<std::string> Open(const std::array<uint8_t, 32>& key, std::string_view nonce,
                         std::string_view sealed) {
  if (nonce.size() != kNonceSize || sealed.size() < kTagSize) return Invalid();
  std::string_view ciphertext = sealed.substr(0, sealed.size() - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  EVP_CIPHER_CTX* ctx = ThreadContext(false);
  if (ctx == nullptr) return Status(ErrorCode::kInternal, "OpenSSL: cannot set up AES-256-GCM");
  std::string out(ciphertext.size(), '\0');
  int len = 0, fin = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, key.data(), U(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx, nullptr, &len, U(kAssociatedData),
                        static_cast<int>(kAssociatedData.size())) != 1 ||
      EVP_DecryptUpdate(ctx, o, &len, U(ciphertext), static_cast<int>(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx, o + len, &fin) != 1) {
    return Invalid();
  }
  return out;
}

// A JSON string literal. The token's objects have a fixed shape, so they are written directly:
// a general JSON encoder costs more than the encryption.
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

int64_t Unix(core::TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

TokenCodec::TokenCodec(const std::array<uint8_t, 32>& key) : key_(key) {}

std::string TokenCodec::Issue(const TokenClaims& claims, core::Random& random) const {
  std::string inner;
  inner.reserve(64 + claims.access_key_id.size() + claims.principal_arn.size());
  inner += "{\"k\":";
  AppendJsonString(inner, claims.access_key_id);
  inner += ",\"p\":";
  AppendJsonString(inner, claims.principal_arn);
  inner += ",\"a\":";
  AppendJsonString(inner, claims.account_id);
  inner += ",\"i\":" + std::to_string(Unix(claims.issued_at));
  inner += ",\"e\":" + std::to_string(Unix(claims.expires_at)) + "}";
  std::string nonce(kNonceSize, '\0');
  random.Fill(reinterpret_cast<uint8_t*>(nonce.data()), nonce.size());
  std::string sealed = Seal(key_, nonce, inner);
  // ECR's layout and member order: payload, datakey, version, type, expiration. Base64 needs no
  // escaping.
  std::string outer = "{\"payload\":\"" + core::Base64Encode(sealed) + "\",\"datakey\":\"" +
                      core::Base64Encode(nonce) +
                      "\",\"version\":\"2\",\"type\":\"DATA_KEY\",\"expiration\":" +
                      std::to_string(Unix(claims.expires_at)) + "}";
  return core::Base64Encode(outer);
}

Result<TokenClaims> TokenCodec::Verify(std::string_view password, core::TimePoint now) const {
  auto decoded = core::Base64Decode(password);
  if (!decoded.ok()) return Invalid();
  nlohmann::json outer = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
  if (!outer.is_object()) return Invalid();
  auto field = [&](const char* name) -> std::string {
    auto it = outer.find(name);
    return it != outer.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (field("version") != "2" || field("type") != "DATA_KEY") return Invalid();
  auto nonce = core::Base64Decode(field("datakey"));
  auto sealed = core::Base64Decode(field("payload"));
  if (!nonce.ok() || !sealed.ok()) return Invalid();
  CPA_ASSIGN_OR_RETURN(std::string plain, Open(key_, *nonce, *sealed));
  nlohmann::json inner = nlohmann::json::parse(plain, nullptr, /*allow_exceptions=*/false);
  if (!inner.is_object()) return Invalid();
  TokenClaims c;
  try {
    c.access_key_id = inner.at("k").get<std::string>();
    c.principal_arn = inner.at("p").get<std::string>();
    c.account_id = inner.at("a").get<std::string>();
    c.issued_at = core::TimePoint(std::chrono::seconds(inner.at("i").get<int64_t>()));
    c.expires_at = core::TimePoint(std::chrono::seconds(inner.at("e").get<int64_t>()));
  } catch (const nlohmann::json::exception&) {
    return Invalid();
  }
  if (now >= c.expires_at) {
    return Status(ErrorCode::kExpiredToken,
                  "Your authorization token has expired. Reauthenticate and try again.");
  }
  return c;
}

std::string TokenCodec::AuthorizationToken(std::string_view password) {
  std::string plain = "AWS:";
  plain += password;
  return core::Base64Encode(plain);
}

Result<std::string> TokenCodec::PasswordFromAuthorization(std::string_view header_value) {
  std::string_view v = core::TrimAsciiWhitespace(header_value);
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos || !core::AsciiIEquals(v.substr(0, sp), "basic")) {
    return Status(ErrorCode::kMissingAuthenticationToken, "no basic auth credentials");
  }
  std::string_view b64 = core::TrimAsciiWhitespace(v.substr(sp + 1));
  auto decoded = core::Base64Decode(b64);
  if (!decoded.ok()) return Invalid();
  size_t colon = decoded->find(':');
  if (colon == std::string::npos || decoded->substr(0, colon) != "AWS") return Invalid();
  return decoded->substr(colon + 1);
}

}  // namespace cpa::server::registry
