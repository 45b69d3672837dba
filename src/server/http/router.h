#pragma once
// Dispatch by request path: exact paths (the server's own `/_cpa/...` endpoints) and path
// prefixes (`/v2/` for the registry), longest match first, then a default handler.
//
// A route can carry its own request-body limit and a spool directory: the server looks the
// route up as soon as the header has been read, before any body byte, so that (say) registry
// uploads may be larger than API calls and go to disk rather than memory.
//
// Thread safety: configure before the server starts; Find is const and safe from many threads.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.h"

namespace cpa::server::http {

// A request handler. Called on a server worker thread; may block (briefly: it holds the worker).
// Must not throw; if it does, the server answers 500.
using Handler = std::function<Response(Request&&)>;

struct RouteOptions {
  // The request-body limit for this route; unset → the server's default.
  std::optional<uint64_t> max_body_bytes;
  // Non-empty: request bodies larger than `spool_threshold` (and chunked bodies once they grow
  // past it) are written to a new file in this directory instead of memory; the handler gets
  // Request::body_file. Every body on such a route also gets Request::body_sha256.
  std::string spool_dir = {};
  uint64_t spool_threshold = 64 * 1024;
};

struct Route {
  enum class Match { kExact, kPrefix };
  Match match = Match::kPrefix;
  std::string path;  // exact path, or prefix
  Handler handler;
  RouteOptions options;
};

class Router {
 public:
  // Adds a route matching a path exactly (the query is ignored).
  void AddExact(std::string path, Handler handler, RouteOptions options = {});
  // Adds a route matching every path that starts with `prefix`.
  void AddPrefix(std::string prefix, Handler handler, RouteOptions options = {});
  // The route for everything else (may be empty: the server then answers 404).
  void SetDefault(Handler handler, RouteOptions options = {});

  // The route for `path`: an exact match, else the longest matching prefix, else the default
  // (nullptr if none is set).
  const Route* Find(std::string_view path) const;

 private:
  std::vector<Route> exact_;
  std::vector<Route> prefixes_;  // sorted longest first
  std::optional<Route> default_;
};

}  // namespace cpa::server::http
