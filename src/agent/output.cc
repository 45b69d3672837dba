#include "agent/output.h"

namespace cpa::agent {

using core::ErrorCode;
using core::Status;

Status DockerConfigFileOutput::WriteFile(std::span<const RegistryAuth> auths) {
  std::string existing;
  auto current = fs_->ReadFile(path_);
  if (current.ok()) {
    existing = std::move(current).value();
  } else if (current.status().code() != ErrorCode::kNotFound) {
    return Status(current.status().code(),
                  "cannot update the docker config: " + current.status().message());
  }
  auto merged = MergeDockerConfig(existing, auths, style_);
  if (!merged.ok()) {
    return Status(merged.status().code(), "refusing to replace the docker config " + path_ + ": " +
                                              merged.status().message());
  }
  Status written = fs_->WriteFileAtomically(path_, *merged, 0600);
  if (!written.ok()) {
    return Status(written.code(), "cannot write the docker config (the previous file is kept): " +
                                      written.message());
  }
  return Status::Ok();
}

WriteResult DockerConfigFileOutput::Write(std::span<const RegistryAuth> auths) {
  Status s = WriteFile(auths);
  if (s.ok()) return {};
  return WriteResult::Failed(FailureCause::kOutput, Describe() + ": " + s.message());
}

}  // namespace cpa::agent
