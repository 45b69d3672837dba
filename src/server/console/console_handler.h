#pragma once
// The console of `cpa serve` at `/console/` on the API's listener: the web page (static files,
// `assets.h`) and its JSON API under `/console/api/`:
//
//   GET  /console/api/session          who is signed in, and the session's CSRF token
//   GET  /console/api/regions          the Regions and their curated packages accounts
//   POST /console/api/sign-in          {"accessKeyId", "secretAccessKey"[, "sessionToken"]}
//   POST /console/api/sign-out
//   POST /console/api/iam/<Action>     awsQuery parameters as JSON (`FlattenQueryParams`)
//   POST /console/api/sts/<Action>     (GetCallerIdentity)
//   POST /console/api/eks/<Operation>  {"region", ...}: the EKS Anywhere subscription operations
//   POST /console/api/policy/validate  {"document", "kind"[, "limit"]}: `cpa policy check`
//   POST /console/api/chain/role       {"roleName"}: the access chain of a role (`access_chain.h`)
//   POST /console/api/chain/check      {"config"[, "region"]}: `cpa doctor`'s links for a
//                                      config file, against this server
//
// Sign-in checks the key pair with sts:GetCallerIdentity through the API pipeline and starts a
// session (`session_store.h`); every later call is signed with that key pair and dispatched to
// the pipeline (`aws_bridge.h`), so the console can do exactly what the principal may do through
// the API. Requests other than GET must be `application/json` from this origin (Origin and
// Sec-Fetch-Site, when sent, must say so), and, once signed in, carry the session's CSRF token in
// `X-CSRF-Token`. Only listed operations are reachable. Responses are never cached.
//
// Thread safety: Handle may run on many threads at once.
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto.h"
#include "server/console/assets.h"
#include "server/console/aws_bridge.h"
#include "server/console/session_store.h"
#include "server/http/message.h"
#include "server/http/router.h"

namespace cpa::server::console {

inline constexpr std::string_view kRoutePrefix = "/console";

struct ConsoleOptions {
  std::string asset_dir;               // the built web page (see assets.h)
  Dispatch dispatch;                   // the API pipeline: ApiHandler::Handle
  Dispatch registry_dispatch;          // the /v2 endpoint (OciHandler::Handle), for chain checks
  const core::Clock* clock = nullptr;  // the pipeline's clock
  core::Random* random = nullptr;      // session ids and CSRF tokens: a secure generator
  SessionOptions sessions = {};
  std::string registry_domain = "localhost";  // registry hosts: <acct>.dkr.ecr.<region>.DOMAIN
};

// The route options of the console's prefix (small JSON bodies only).
http::RouteOptions ConsoleRouteOptions();

class ConsoleHandler {
 public:
  explicit ConsoleHandler(ConsoleOptions options);
  ~ConsoleHandler();
  ConsoleHandler(const ConsoleHandler&) = delete;
  ConsoleHandler& operator=(const ConsoleHandler&) = delete;

  http::Response Handle(http::Request&& request);

  bool assets_available() const { return assets_.available(); }
  const std::string& asset_dir() const { return assets_.dir(); }
  SessionStore& sessions() { return sessions_; }

 private:
  http::Response Page(const http::Request& request, std::string_view rest);
  http::Response Api(const http::Request& request, std::string_view name);
  http::Response SignIn(const http::Request& request);

  ConsoleOptions options_;
  AssetDirectory assets_;
  SessionStore sessions_;
  AwsBridge bridge_;
};

}  // namespace cpa::server::console
