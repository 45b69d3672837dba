#include "kube/bearer_token.h"

#include <mutex>
#include <optional>

#include "core/encoding.h"

namespace cpa::kube {

using core::ErrorCode;
using core::Status;

struct BearerToken::State {
  // Fixed token, or the file source.
  std::string fixed;
  std::string path;
  FileReader read;
  const core::Clock* clock = nullptr;
  std::chrono::seconds refresh{60};

  std::mutex mu;
  std::optional<std::string> cached;  // guarded by mu
  core::TimePoint read_at;            // guarded by mu
};

core::Result<std::string> CleanToken(std::string_view raw, std::string_view where) {
  std::string_view token = core::TrimAsciiWhitespace(raw);
  if (token.empty()) {
    return Status(ErrorCode::kInvalidArgument, std::string(where) + ": the token is empty");
  }
  for (char c : token) {
    // A bearer token is one header value: visible ASCII only (no CR/LF that could split it).
    if (c <= 0x20 || c >= 0x7f) {
      return Status(
          ErrorCode::kInvalidArgument,
          std::string(where) + ": the token contains characters not allowed in an HTTP header");
    }
  }
  return std::string(token);
}

core::Result<BearerToken> BearerToken::Fixed(std::string token) {
  CPA_ASSIGN_OR_RETURN(std::string clean, CleanToken(token, "bearer token"));
  BearerToken t;
  t.state_ = std::make_shared<State>();
  t.state_->fixed = std::move(clean);
  return t;
}

BearerToken BearerToken::FromFile(std::string path, FileReader read, const core::Clock* clock,
                                  std::chrono::seconds refresh) {
  BearerToken t;
  t.state_ = std::make_shared<State>();
  t.state_->path = std::move(path);
  t.state_->read = std::move(read);
  t.state_->clock = clock;
  t.state_->refresh = refresh;
  return t;
}

core::Result<std::string> BearerToken::Get() const {
  if (!state_) return std::string();
  State& s = *state_;
  if (s.path.empty()) return s.fixed;
  std::lock_guard<std::mutex> lock(s.mu);
  core::TimePoint now = s.clock->Now();
  if (s.cached && now - s.read_at < s.refresh) return *s.cached;
  auto raw = s.read(s.path);
  core::Result<std::string> token =
      raw.ok() ? CleanToken(*raw, "token file " + s.path)
               : core::Result<std::string>(Status(
                     raw.status().code(), "cannot read token file: " + raw.status().message()));
  if (!token.ok()) {
    if (s.cached) return *s.cached;  // keep the last good token, as client-go does
    return token.status();
  }
  s.cached = *token;
  s.read_at = now;
  return *s.cached;
}

}  // namespace cpa::kube
