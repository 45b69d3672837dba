#pragma once
// Where a client gets the credentials it signs with. The profile library's provider chain (role
// assumption, credential_process, caching) implements this interface; here is only the static
// implementation.

#include <memory>
#include <string>

#include "core/status.h"
#include "sigv4/signer.h"

namespace cpa::awsapi {

// Thread safety: implementations must allow concurrent Get calls.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // The credentials to sign the next request with, or an error that names the source
  // (never a secret).
  virtual core::Result<sigv4::Credentials> Get() = 0;
};

using CredentialsProviderPtr = std::shared_ptr<CredentialsProvider>;

// Fixed credentials. Get fails with kMissingAuthenticationToken when the key id or the secret is
// empty.
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(sigv4::Credentials credentials)
      : credentials_(std::move(credentials)) {}
  core::Result<sigv4::Credentials> Get() override;

 private:
  const sigv4::Credentials credentials_;
};

CredentialsProviderPtr MakeStaticCredentials(std::string access_key_id,
                                             std::string secret_access_key,
                                             std::string session_token = "");

}  // namespace cpa::awsapi
