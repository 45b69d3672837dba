#pragma once
// Where refreshed logins go. Each output stores the complete current set of registry logins;
// a failed write leaves what it stored before in place.
//
// DockerConfigFileOutput merges them into a docker config.json (docker_config.h), atomically and
// with mode 0600 (FileSystem::WriteFileAtomically). A Kubernetes output fits the same interface:
// for each target namespace it creates or updates Secret `ecr-token` (type
// kubernetes.io/dockerconfigjson) with data[".dockerconfigjson"] = RenderDockerConfigJson(auths),
// keeping the Secret's other keys, as the EKS Anywhere refresher does (RenderEcrTokenSecret
// gives the whole manifest).
//
// Thread safety: Write is called from one thread at a time.

#include <span>
#include <string>

#include "agent/docker_config.h"
#include "agent/file_system.h"
#include "core/status.h"

namespace cpa::agent {

class CredentialsOutput {
 public:
  virtual ~CredentialsOutput() = default;
  // For the log: "docker config /root/.docker/config.json".
  virtual std::string Describe() const = 0;
  // Stores `auths` (every registry the agent serves). Errors name the output and the cause.
  virtual core::Status Write(std::span<const RegistryAuth> auths) = 0;
};

class DockerConfigFileOutput final : public CredentialsOutput {
 public:
  DockerConfigFileOutput(FileSystem* fs, std::string path, AuthKeyStyle style = AuthKeyStyle::kHost)
      : fs_(fs), path_(std::move(path)), style_(style) {}

  std::string Describe() const override { return "docker config " + path_; }
  // Reads the current file (absent: a new one), merges, replaces it atomically with mode 0600.
  // A file that is not a docker config (not a JSON object) is refused, not overwritten.
  core::Status Write(std::span<const RegistryAuth> auths) override;

 private:
  FileSystem* fs_;
  std::string path_;
  AuthKeyStyle style_;
};

}  // namespace cpa::agent
