#pragma once
// The Kubernetes output of `cpa agent --kube`: Secret `ecr-token` (type
// kubernetes.io/dockerconfigjson) in every target namespace, as the EKS Anywhere ecr-token
// refresher keeps it (reference section 3.6), through kube::ApplyDockerConfigSecret.
//
// Target namespaces, read again on every write: the keys of ConfigMap ns-secret-map in
// eksa-packages-<cluster> (when a cluster is given) and the extra namespaces given, together,
// sorted and without repeats. A missing ns-secret-map is logged and skipped (upstream does the
// same; the controller creates it); no target namespace at all is a `config` failure.
//
// Each Secret's `.dockerconfigjson` is RenderDockerConfigJson(auths) (keys "https://host[:port]",
// the refresher's bytes), so a Secret already holding it is left unchanged. Creation and
// updates are resourceVersion-aware and retried on conflict (apply_secret.h); a Secret is
// written whole or not at all, and its other keys, labels and annotations are kept.
//
// Namespaces are independent: a failure in one (403 where the RoleBinding is missing) is
// reported with its cause (kube_settings.h's KubeFailureCause; a Secret in the way, of another
// type or immutable, is `output`) and the others are still written. Each namespace's result is
// logged ("created", "updated", "unchanged", with the resourceVersion); never the payload.
//
// Thread safety: one refresh loop owns it.

#include <span>
#include <string>
#include <vector>

#include "agent/output.h"
#include "agent/refresher.h"
#include "kube/api.h"
#include "kube/apply_secret.h"
#include "kube/eksa_packages.h"

namespace cpa::agent {

struct EcrTokenOutputOptions {
  std::string cluster{};                  // "": no ns-secret-map
  std::vector<std::string> namespaces{};  // extra target namespaces (--namespace)
  std::string secret_name = std::string(kube::kEcrTokenSecretName);
  kube::ApplyOptions apply{};  // conflict retries and their pause
};

class EcrTokenSecretOutput final : public CredentialsOutput {
 public:
  // `api` must outlive the output. Names are validated by Validate(), not here.
  EcrTokenSecretOutput(kube::Api* api, EcrTokenOutputOptions options, LogFn log);

  // The cluster's namespace and the extra namespaces are valid names, and there is at least
  // one source of target namespaces. kInvalidArgument naming the bad value otherwise.
  static core::Status Validate(const EcrTokenOutputOptions& options);

  // "Secret ecr-token in namespace(s) a, b" after a write (where it stored the logins),
  // "Secret ecr-token in the namespaces of ConfigMap eksa-packages-c1/ns-secret-map" before.
  std::string Describe() const override;
  WriteResult Write(std::span<const RegistryAuth> auths) override;

 private:
  EcrTokenOutputOptions options_;
  kube::Api* api_;
  LogFn log_;
  std::vector<std::string> stored_in_;  // namespaces of the last write that succeeded
};

}  // namespace cpa::agent
