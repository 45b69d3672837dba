#pragma once
// Where refreshed logins go. Each output stores the complete current set of registry logins;
// a failed write leaves what it stored before in place.
//
// DockerConfigFileOutput merges them into a docker config.json (docker_config.h), atomically and
// with mode 0600 (FileSystem::WriteFileAtomically). EcrTokenSecretOutput (ecr_token_output.h)
// writes Secret `ecr-token` in several namespaces, where some may fail while others succeed:
// hence WriteResult, with a cause per failure and whether the logins were stored at all.
//
// Thread safety: Write is called from one thread at a time.

#include <span>
#include <string>
#include <vector>

#include "agent/docker_config.h"
#include "agent/file_system.h"
#include "agent/token_source.h"
#include "core/status.h"

namespace cpa::agent {

struct WriteResult {
  // Empty when the logins were stored everywhere. Messages name the output (and the place in
  // it) and the cause; never a secret.
  std::vector<RefreshFailure> failures;
  // The new logins are in place, everywhere or in part of the output (some namespaces of
  // several). False: nothing of this write was stored.
  bool stored = true;

  bool ok() const { return failures.empty(); }
  static WriteResult Failed(FailureCause cause, std::string message) {
    return {{{cause, std::move(message)}}, false};
  }
};

class CredentialsOutput {
 public:
  virtual ~CredentialsOutput() = default;
  // For the log: "docker config /home/me/.docker/config.json".
  virtual std::string Describe() const = 0;
  // Stores `auths` (every registry the agent serves).
  virtual WriteResult Write(std::span<const RegistryAuth> auths) = 0;
};

class DockerConfigFileOutput final : public CredentialsOutput {
 public:
  DockerConfigFileOutput(FileSystem* fs, std::string path, AuthKeyStyle style = AuthKeyStyle::kHost)
      : fs_(fs), path_(std::move(path)), style_(style) {}

  std::string Describe() const override { return "docker config " + path_; }
  // Reads the current file (absent: a new one), merges, replaces it atomically with mode 0600.
  // A file that is not a docker config (not a JSON object) is refused, not overwritten. A
  // failure's cause is `output`; its message starts with Describe().
  WriteResult Write(std::span<const RegistryAuth> auths) override;

 private:
  core::Status WriteFile(std::span<const RegistryAuth> auths);

  FileSystem* fs_;
  std::string path_;
  AuthKeyStyle style_;
};

}  // namespace cpa::agent
