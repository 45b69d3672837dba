#include "awsapi/credentials_provider.h"

namespace cpa::awsapi {

core::Result<sigv4::Credentials> StaticCredentialsProvider::Get() {
  if (credentials_.access_key_id.empty() || credentials_.secret_access_key.empty()) {
    return core::Status(core::ErrorCode::kMissingAuthenticationToken,
                        "static credentials need both an access key id and a secret access key");
  }
  return credentials_;
}

CredentialsProviderPtr MakeStaticCredentials(std::string access_key_id,
                                             std::string secret_access_key,
                                             std::string session_token) {
  return std::make_shared<StaticCredentialsProvider>(sigv4::Credentials{
      std::move(access_key_id), std::move(secret_access_key), std::move(session_token)});
}

}  // namespace cpa::awsapi
