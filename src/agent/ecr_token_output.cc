#include "agent/ecr_token_output.h"

#include <set>
#include <utility>

#include "agent/kube_settings.h"
#include "kube/eksa_packages.h"
#include "kube/names.h"

namespace cpa::agent {
namespace {

using core::ErrorCode;
using core::Status;

// Passes calls through and remembers whether the last one failed without an answer from the
// server: an apply that fails without a server error either got none (network) or refused to
// write after reading (a Secret of another type, an immutable one: output).
class AnswerProbe final : public kube::Api {
 public:
  explicit AnswerProbe(kube::Api* inner) : inner_(inner) {}
  bool last_unanswered() const { return last_unanswered_; }

  kube::ApiResult<kube::Secret> GetSecret(std::string_view ns, std::string_view name) override {
    return Note(inner_->GetSecret(ns, name));
  }
  kube::ApiResult<kube::Secret> CreateSecret(const kube::Secret& secret) override {
    return Note(inner_->CreateSecret(secret));
  }
  kube::ApiResult<kube::Secret> ReplaceSecret(const kube::Secret& secret) override {
    return Note(inner_->ReplaceSecret(secret));
  }
  kube::ApiResult<kube::ConfigMap> GetConfigMap(std::string_view ns,
                                                std::string_view name) override {
    return Note(inner_->GetConfigMap(ns, name));
  }
  kube::ApiResult<kube::ConfigMap> CreateConfigMap(const kube::ConfigMap& config_map) override {
    return Note(inner_->CreateConfigMap(config_map));
  }
  kube::ApiResult<kube::ConfigMap> ReplaceConfigMap(const kube::ConfigMap& config_map) override {
    return Note(inner_->ReplaceConfigMap(config_map));
  }

 private:
  template <typename T>
  kube::ApiResult<T> Note(kube::ApiResult<T> result) {
    last_unanswered_ = !result.ok() && result.api_error() == nullptr;
    return result;
  }

  kube::Api* inner_;
  bool last_unanswered_ = false;
};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

EcrTokenSecretOutput::EcrTokenSecretOutput(kube::Api* api, EcrTokenOutputOptions options, LogFn log)
    : options_(std::move(options)),
      api_(api),
      log_(log ? std::move(log) : LogFn([](std::string_view) {})) {}

Status EcrTokenSecretOutput::Validate(const EcrTokenOutputOptions& options) {
  if (options.cluster.empty() && options.namespaces.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "no target namespace for Secret " + options.secret_name +
                      ": give --cluster NAME (the keys of its ns-secret-map) or --namespace NS");
  }
  if (!options.cluster.empty()) {
    auto ns = kube::ClusterNamespace(options.cluster);
    if (!ns.ok()) return Status(ErrorCode::kInvalidArgument, "--cluster: " + ns.status().message());
  }
  for (const std::string& ns : options.namespaces) {
    if (Status s = kube::ValidateNamespaceName(ns); !s.ok()) {
      return Status(ErrorCode::kInvalidArgument, "--namespace: " + s.message());
    }
  }
  if (Status s = kube::ValidateObjectName(options.secret_name); !s.ok()) {
    return Status(ErrorCode::kInvalidArgument, "Secret name: " + s.message());
  }
  return Status::Ok();
}

std::string EcrTokenSecretOutput::Describe() const {
  const std::string secret = "Secret " + options_.secret_name;
  if (!stored_in_.empty()) return secret + " in namespace(s) " + Join(stored_in_);
  std::vector<std::string> sources;
  if (!options_.cluster.empty()) {
    sources.push_back("the namespaces of ConfigMap " + std::string(kube::kClusterNamespacePrefix) +
                      options_.cluster + "/" + std::string(kube::kNsSecretMapName));
  }
  sources.insert(sources.end(), options_.namespaces.begin(), options_.namespaces.end());
  return secret + " in " + Join(sources);
}

WriteResult EcrTokenSecretOutput::Write(std::span<const RegistryAuth> auths) {
  WriteResult result;
  std::set<std::string> targets(options_.namespaces.begin(), options_.namespaces.end());
  if (!options_.cluster.empty()) {
    const std::string map = "ConfigMap " + std::string(kube::kClusterNamespacePrefix) +
                            options_.cluster + "/" + std::string(kube::kNsSecretMapName);
    auto read = kube::ReadTargetNamespaces(*api_, options_.cluster);
    if (read.ok()) {
      targets.insert(read->namespaces.begin(), read->namespaces.end());
      for (const std::string& key : read->invalid) {
        log_(map + ": key `" + key + "` is not a namespace name (skipped)");
      }
    } else if (read.IsNotFound()) {
      log_(map + " not found: no target namespaces from it");
    } else {
      result.failures.push_back({KubeFailureCause(read.api_error(), FailureCause::kConfig),
                                 map + ": " + read.status().message()});
    }
  }
  if (targets.empty()) {
    if (result.failures.empty()) {
      // Only a cluster without --namespace gets here.
      result.failures.push_back(
          {FailureCause::kConfig, "no target namespace for Secret " + options_.secret_name +
                                      ": ConfigMap " + std::string(kube::kClusterNamespacePrefix) +
                                      options_.cluster + "/" + std::string(kube::kNsSecretMapName) +
                                      " is missing or has no namespace keys, and no --namespace "
                                      "was given"});
    }
    result.stored = false;
    return result;
  }

  const std::string payload = RenderDockerConfigJson(auths);
  AnswerProbe probe(api_);
  std::vector<std::string> stored;
  for (const std::string& ns : targets) {
    const std::string where = "Secret " + ns + "/" + options_.secret_name;
    auto applied =
        kube::ApplyDockerConfigSecret(probe, ns, options_.secret_name, payload, options_.apply);
    if (applied.ok()) {
      std::string line = where + ": " + std::string(kube::ApplyActionName(applied->action)) +
                         " (resourceVersion " + applied->resource_version;
      if (applied->attempts > 1) line += ", after " + std::to_string(applied->attempts) + " tries";
      log_(line + ")");
      stored.push_back(ns);
      continue;
    }
    FailureCause cause = applied.api_error() != nullptr
                             ? KubeFailureCause(applied.api_error(), FailureCause::kOutput)
                         : probe.last_unanswered() ? FailureCause::kNetwork
                                                   : FailureCause::kOutput;
    result.failures.push_back({cause, where + ": " + applied.status().message()});
  }
  result.stored = !stored.empty();
  if (result.stored) stored_in_ = std::move(stored);
  return result;
}

}  // namespace cpa::agent
