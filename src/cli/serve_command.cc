// `cpa serve`: the embedded AWS-compatible endpoint: IAM, STS, ECR, EKS Anywhere subscriptions
// and the `/v2` registries, on one listener (store + registry + HTTP server + API pipeline).
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "server/api/access_log.h"
#include "server/api/adjustable_clock.h"
#include "server/api/api_handler.h"
#include "server/api/audit.h"
#include "server/api/ecr_service.h"
#include "server/api/eks_service.h"
#include "server/console/assets.h"
#include "server/console/console_handler.h"
#include "server/http/server.h"
#include "server/oci/oci_handler.h"
#include "server/registry/auth_token.h"
#include "server/registry/registry.h"
#include "server/registry/seed.h"
#include "server/store/store.h"
#include "server/store/world.h"

namespace cpa::cli {
namespace {

namespace http = server::http;
namespace api = server::api;
namespace st = server::store;
namespace reg = server::registry;
namespace oci = server::oci;

constexpr const char* kDefaultListen = "127.0.0.1:4566";

// Expired STS sessions stay in the store this long, so that a client still using one is told
// ExpiredToken (which SDKs act on by refreshing) rather than InvalidClientTokenId; after that
// they are deleted, so the sessions table does not grow without bound.
constexpr std::chrono::seconds kExpiredSessionGrace = std::chrono::hours(1);

struct ServeArgs {
  std::string listen = kDefaultListen;
  std::string data;
  std::string bootstrap;
  std::string audit;
  std::string access_log;
  std::string registry_domain = "localhost";
  std::string registry_scheme = "http";
  std::string console_dir;  // empty: next to the executable (console::DefaultAssetDirectory)
  bool seed = true;
  int workers = 0;
  int purge_interval_seconds = 60;
  bool test_clock = false;
};

// Purges expired sessions (past kExpiredSessionGrace) at start and then every `interval`, on a
// thread of its own; the destructor stops and joins it.
class SessionPurger {
 public:
  SessionPurger(st::Store& store, std::chrono::seconds interval)
      : store_(store), interval_(interval), thread_([this] { Run(); }) {}
  ~SessionPurger() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  SessionPurger(const SessionPurger&) = delete;
  SessionPurger& operator=(const SessionPurger&) = delete;

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    do {
      lock.unlock();
      auto purged = store_.sessions().PurgeExpired(kExpiredSessionGrace);
      if (!purged.ok()) {
        std::cerr << "cpa serve: purging expired sessions: " << purged.status().ToString() << "\n";
      }
      lock.lock();
    } while (!cv_.wait_for(lock, interval_, [this] { return stop_; }));
  }

  st::Store& store_;
  const std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

int Fail(const std::string& what, const core::Status& status) {
  std::cerr << "cpa serve: " << what << ": " << status.ToString() << "\n";
  return 1;
}

// POST /_cpa/test/advance-clock?seconds=N (only with --test-clock).
http::Response AdvanceClock(api::AdjustableClock& clock, const http::Request& request) {
  if (request.method != "POST") return http::TextResponse(405, "POST only\n");
  std::string_view q = request.Query();
  constexpr std::string_view kKey = "seconds=";
  size_t p = q.find(kKey);
  int64_t seconds = 0;
  if (p == std::string_view::npos) return http::TextResponse(400, "missing seconds=N\n");
  std::string_view v = q.substr(p + kKey.size());
  v = v.substr(0, v.find('&'));
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc() || end != v.data() + v.size() || seconds < 0) {
    return http::TextResponse(400, "seconds must be a non-negative integer\n");
  }
  clock.Advance(std::chrono::seconds(seconds));
  return http::JsonResponse(
      200, "{\"offset_seconds\":" + std::to_string(clock.offset().count()) + "}\n");
}

int RunServe(const ServeArgs& args) {
  auto listen = http::ParseListenAddress(args.listen);
  if (!listen.ok()) return Fail("--listen " + args.listen, listen.status());

  auto clock = std::make_unique<api::AdjustableClock>();
  st::StoreOptions so;
  so.data_dir = args.data;
  so.clock = clock.get();
  auto store = st::Store::Open(so);
  if (!store.ok()) return Fail("opening " + args.data, store.status());
  st::WorldOptions wo;
  wo.bootstrap_file = args.bootstrap;
  auto world = st::EnsureWorld(**store, wo);
  if (!world.ok()) return Fail("preparing the accounts", world.status());

  std::unique_ptr<api::AuditLog> audit;
  if (!args.audit.empty()) {
    auto a = api::AuditLog::Open(args.audit);
    if (!a.ok()) return Fail("--audit", a.status());
    audit = std::move(*a);
  }
  std::unique_ptr<api::AccessLog> access_log;
  if (!args.access_log.empty()) {
    auto a = api::AccessLog::Open(args.access_log, *clock);
    if (!a.ok()) return Fail("--access-log", a.status());
    access_log = std::move(*a);
  }

  // The registries: EKS Anywhere subscriptions grant their account pull access to the region's
  // packages repositories; the packages accounts hold the seeded curated packages.
  reg::RegistryOptions ro;
  ro.store = store->get();
  ro.registry_domain = args.registry_domain;
  ro.subscribers = [&store = **store](std::string_view region, core::TimePoint now) {
    auto accounts = store.subscriptions().ActiveAccounts(region, now);
    return accounts.ok() ? *accounts : std::vector<std::string>{};
  };
  auto registry = reg::Registry::Open(ro);
  if (!registry.ok()) return Fail("opening the registry", registry.status());
  if (args.seed) {
    reg::SeedOptions seed;
    if (auto s = reg::SeedPackagesRegistries(**registry, **store, seed); !s.ok()) {
      return Fail("seeding the curated packages registries", s);
    }
  }
  const reg::TokenCodec tokens((*store)->DeriveKey("ecr-token"));

  http::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.threads = args.workers;
  // ECR UploadLayerPart carries up to 20 MiB base64-encoded in JSON (~27 MiB).
  options.max_body_bytes = 32ull << 20;
  std::unique_ptr<api::ApiHandler> handler;
  std::unique_ptr<oci::OciHandler> registry_endpoint;
  http::Server server(options,
                      [&handler](http::Request&& r) { return handler->Handle(std::move(r)); });
  api::ApiOptions ao;
  ao.audit = audit.get();
  ao.metrics = &server.server_metrics();
  handler = std::make_unique<api::ApiHandler>(**store, *clock, ao);
  handler->AddSignedService(std::make_unique<api::EksService>(
      **store, api::EksServiceOptions{.registry_domain = args.registry_domain}));
  oci::OciHandlerOptions oo;
  oo.registry = registry->get();
  oo.store = store->get();
  oo.tokens = &tokens;
  oo.authorizer = &handler->authorizer();
  oo.clock = clock.get();
  oo.audit = audit.get();
  oo.metrics = &server.server_metrics();
  registry_endpoint = std::make_unique<oci::OciHandler>(oo);
  server.AddRoute(
      std::string(oci::kRoutePrefix),
      [&registry_endpoint](http::Request&& r) { return registry_endpoint->Handle(std::move(r)); },
      oci::RouteOptionsFor((*store)->data_dir() + "/registry/uploads"));
  // The console (/console/): its JSON API signs each action with the signed-in principal's key
  // and hands it to the same pipeline as API clients.
  core::SecureRandom console_random;
  server::console::ConsoleOptions co;
  co.asset_dir =
      args.console_dir.empty() ? server::console::DefaultAssetDirectory() : args.console_dir;
  co.dispatch = [&handler](http::Request&& r) { return handler->Handle(std::move(r)); };
  co.registry_dispatch = [&registry_endpoint](http::Request&& r) {
    return registry_endpoint->Handle(std::move(r));
  };
  co.clock = clock.get();
  co.random = &console_random;
  co.registry_domain = args.registry_domain;
  server::console::ConsoleHandler console(co);
  server.AddRoute(
      std::string(server::console::kRoutePrefix),
      [&console](http::Request&& r) { return console.Handle(std::move(r)); },
      server::console::ConsoleRouteOptions());
  if (args.test_clock) {
    server.AddExactRoute("/_cpa/test/advance-clock",
                         [&clock](http::Request&& r) { return AdvanceClock(*clock, r); });
  }
  if (access_log) {
    server.SetAccessLog([log = access_log.get()](const http::AccessLogEntry& e) { log->Write(e); });
  }
  // ECR answers with URLs of this server's registry hosts (proxyEndpoint, repositoryUri), so it
  // needs the bound port: listen first, register it, then serve.
  if (auto s = server.Listen(); !s.ok()) return Fail("listening on " + args.listen, s);
  api::EcrServiceOptions eo;
  eo.registry_scheme = args.registry_scheme;
  eo.registry_port = server.port();
  handler->AddSignedService(std::make_unique<api::EcrService>(**registry, tokens, eo));
  if (auto s = server.Start(); !s.ok()) return Fail("listening on " + args.listen, s);
  SessionPurger purger(**store, std::chrono::seconds(args.purge_interval_seconds));
  std::printf("cpa serve: listening on http://%s, data %s\n", server.address().c_str(),
              args.data.c_str());
  if (console.assets_available()) {
    std::printf("cpa serve: console on http://%s/console/\n", server.address().c_str());
  } else {
    std::fprintf(stderr, "cpa serve: no console files in '%s' (make build, or --console-dir)\n",
                 console.asset_dir().c_str());
  }
  if (args.test_clock) {
    std::printf("cpa serve: WARNING: --test-clock: POST /_cpa/test/advance-clock moves time\n");
  }
  std::fflush(stdout);
  int signal = server.RunUntilSignal();
  std::fprintf(stderr, "cpa serve: stopped%s\n", signal != 0 ? " (signal)" : "");
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Run the AWS-compatible endpoint: IAM, STS, ECR, EKS Anywhere subscriptions and the /v2\n"
      "registries of accounts 111111111111, 999999999999 and the curated packages accounts,\n"
      "enforcing IAM. Root keys: DATA/root-credentials.");
  serve->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--data", args->data, "data directory (created if missing)")->required();
  serve->add_option("--bootstrap", args->bootstrap, "YAML file declaring the initial state");
  serve->add_option("--audit", args->audit, "append authorization decisions as JSON lines");
  serve->add_option("--access-log", args->access_log,
                    "append one JSON line per HTTP request (\"-\": stderr)");
  serve->add_option("--workers", args->workers, "worker threads (0: one per available CPU)")
      ->capture_default_str();
  serve
      ->add_option("--registry-domain", args->registry_domain,
                   "registry hosts are <account>.dkr.ecr.<region>.DOMAIN")
      ->capture_default_str();
  serve
      ->add_option("--registry-scheme", args->registry_scheme,
                   "scheme of the registry URLs ECR returns (proxyEndpoint): http, or https "
                   "behind a TLS proxy")
      ->check(CLI::IsMember({"http", "https"}))
      ->capture_default_str();
  serve->add_option("--console-dir", args->console_dir,
                    "the console's built web page (default: ../console beside the executable)");
  serve->add_flag("!--no-seed", args->seed,
                  "do not seed the packages accounts with the curated packages catalog");
  serve->add_flag("--test-clock", args->test_clock)->group("");  // hidden: tests only
  // Hidden: how often expired sessions are purged (tests shorten it).
  serve->add_option("--purge-interval", args->purge_interval_seconds)
      ->check(CLI::Range(1, 86400))
      ->group("");
  serve->callback([&registry, args] { registry.SetAction([args] { return RunServe(*args); }); });
}

}  // namespace cpa::cli
