#pragma once
// The bearer token sent with each request: a fixed string, or a file that is re-read at most
// once per `refresh` (the kubelet rotates projected service account tokens; client-go re-reads
// its token file every minute). A failed re-read keeps the last good token; only a first read
// that fails is an error. Tokens are trimmed of surrounding whitespace and must fit in an HTTP
// header. Token values never appear in messages.
//
// Thread safety: Get may be called from many threads; copies share one cache.

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "kube/connection.h"

namespace cpa::kube {

class BearerToken {
 public:
  BearerToken() = default;  // no token: requests go without Authorization
  static core::Result<BearerToken> Fixed(std::string token);
  // `clock` must outlive the token and its copies.
  static BearerToken FromFile(std::string path, FileReader read, const core::Clock* clock,
                              std::chrono::seconds refresh = std::chrono::seconds(60));

  // The token ("" when there is none).
  core::Result<std::string> Get() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Checks a token value (trimmed): non-empty and only visible ASCII. `where` names its origin.
core::Result<std::string> CleanToken(std::string_view raw, std::string_view where);

}  // namespace cpa::kube
