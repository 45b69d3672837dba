#include "agent/kube_settings.h"

#include <string>

#include "kube/eksa_packages.h"

namespace cpa::agent {

FailureCause KubeFailureCause(const kube::ApiError* error, FailureCause otherwise) {
  if (error == nullptr) return FailureCause::kNetwork;
  if (error->code == 401) return FailureCause::kInvalidCredentials;
  if (error->code == 403) return FailureCause::kAccessDenied;
  if (error->code == 409 || error->code == 429 || error->code >= 500) {
    return FailureCause::kService;
  }
  return otherwise;
}

std::string AwsSecretOrigin() {
  return "Secret " + std::string(kube::kPackagesNamespace) + "/" +
         std::string(kube::kAwsSecretName);
}

LoadedSettings LoadAwsSecret(kube::Api& api) {
  LoadedSettings out;
  auto secret = api.GetSecret(kube::kPackagesNamespace, kube::kAwsSecretName);
  if (!secret.ok()) {
    std::string message = secret.status().message();
    if (secret.IsNotFound()) message += " (create it from the spec's aws-secret.yaml)";
    out.settings = core::Status(secret.status().code(), std::move(message));
    out.cause = KubeFailureCause(secret.api_error(), FailureCause::kConfig);
    return out;
  }
  SecretData data(secret->data.begin(), secret->data.end());
  out.settings = SettingsFromSecretData(data, AwsSecretOrigin());
  out.cause = FailureCause::kConfig;
  return out;
}

}  // namespace cpa::agent
