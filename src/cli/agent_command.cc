// `cpa agent` and `cpa kubelet-credential-provider`: the cluster side. The logic lives in
// src/agent; this file reads flags and the process environment, wires the real filesystem, HTTP
// transport, Kubernetes client (src/kube) and clock, serves /healthz and /metrics (server/http),
// and handles signals.
//
// Output: log lines on stderr ("<time> cpa agent: ..."), never a password, key or token.
// `agent --once` prints one summary line on stdout and exits 0, or 1 when any part failed (the
// causes are on stderr); the daemon runs until SIGTERM or SIGINT and then exits 0.
// `kubelet-credential-provider` writes the CredentialProviderResponse on stdout, or one error
// line on stderr and exits 1.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_state.h"
#include "agent/aws_inputs.h"
#include "agent/daemon.h"
#include "agent/ecr_token_output.h"
#include "agent/file_system.h"
#include "agent/kube_settings.h"
#include "agent/kubelet_provider.h"
#include "agent/output.h"
#include "agent/refresher.h"
#include "agent/registries.h"
#include "agent/reloading_refresher.h"
#include "agent/schedule.h"
#include "agent/token_source.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "kube/client.h"
#include "kube/connection_source.h"
#include "profile/files.h"
#include "server/http/server.h"

namespace cpa::cli {
namespace {

namespace http = server::http;
using core::Status;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

struct AgentArgs {
  std::string config;
  std::string secret_dir;
  std::string profile = "default";
  std::string region;
  std::string registry_domain;
  std::vector<std::string> registries;
  bool no_packages_registry = false;
  std::string docker_config;
  bool once = false;
  std::string listen;
  // Kubernetes: on with --kube, or with any of --kube-context, --cluster, --namespace.
  bool kube = false;
  std::string kube_where;  // --kube value: "", "in-cluster" or a kubeconfig path
  std::string kube_context;
  std::string cluster;
  std::vector<std::string> namespaces;
};

// One line per event on stderr, timestamped; serialized across threads.
class Logger {
 public:
  explicit Logger(std::string prefix) : prefix_(std::move(prefix)) {}
  void operator()(std::string_view line) {
    std::lock_guard<std::mutex> lock(mu_);
    std::cerr << core::FormatIso8601(core::DefaultClock().Now()) << " " << prefix_ << ": " << line
              << std::endl;
  }
  agent::LogFn Fn() {
    return [this](std::string_view line) { (*this)(line); };
  }

 private:
  std::string prefix_;
  std::mutex mu_;
};

int Fail(Logger& log, const Status& status) {
  log(status.message());
  return kExitError;
}

// Serves /healthz and /metrics from the agent's state until stopped.
class StatusListener {
 public:
  StatusListener(const agent::AgentState* state, http::ListenAddress address)
      : server_(Options(address), nullptr) {
    server_.AddExactRoute("/healthz", [state](http::Request&&) {
      const core::TimePoint now = core::DefaultClock().Now();
      agent::HealthReport h = agent::Health(state->Snapshot(), now);
      http::Response r = http::TextResponse(h.status, h.body);
      r.service = "agent";
      r.operation = "healthz";
      return r;
    });
    server_.AddExactRoute("/metrics", [state](http::Request&&) {
      const core::TimePoint now = core::DefaultClock().Now();
      http::Response r(200, "text/plain; version=0.0.4; charset=utf-8",
                       agent::RenderMetrics(state->Snapshot(), now));
      r.service = "agent";
      r.operation = "metrics";
      return r;
    });
  }
  Status Start() { return server_.Start(); }
  std::string address() const { return server_.address(); }
  void Stop() { server_.Stop(); }

 private:
  static http::ServerOptions Options(const http::ListenAddress& address) {
    http::ServerOptions o;
    o.host = address.host;
    o.port = address.port;
    o.threads = 1;
    o.max_connections = 64;
    o.server_header = "cpa-agent";
    return o;
  }
  http::Server server_;
};

// "a, b and c".
std::string JoinDescriptions(const std::vector<agent::CredentialsOutput*>& outputs) {
  std::string out;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (i > 0) out += i + 1 == outputs.size() ? " and " : ", ";
    out += outputs[i]->Describe();
  }
  return out;
}

int RunAgent(const AgentArgs& args) {
  Logger log("cpa agent");
  const bool kube_output = args.kube && (!args.cluster.empty() || !args.namespaces.empty());
  if (args.docker_config.empty() && !kube_output) {
    return Fail(log, Status(core::ErrorCode::kInvalidArgument,
                            "no output: give --docker-config PATH, or --kube with --cluster NAME "
                            "and/or --namespace NS (Secret ecr-token)"));
  }
  const profile::Environment env = profile::ProcessEnvironment();
  agent::LocalFileSystem fs;

  // Flags that do not depend on the settings are checked once, before anything runs.
  std::vector<agent::RegistryFlag> registry_flags;
  for (const std::string& text : args.registries) {
    auto flag = agent::ParseRegistryFlag(text);
    if (!flag.ok()) return Fail(log, flag.status());
    registry_flags.push_back(*flag);
  }
  agent::EcrTokenOutputOptions ecr_token;
  ecr_token.cluster = args.cluster;
  ecr_token.namespaces = args.namespaces;
  ecr_token.apply.backoff = std::chrono::milliseconds(50);
  ecr_token.apply.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (kube_output) {
    if (Status s = agent::EcrTokenSecretOutput::Validate(ecr_token); !s.ok()) return Fail(log, s);
  }

  std::unique_ptr<kube::Client> kube_client;
  if (args.kube) {
    kube::ConnectionOptions where;
    where.kube = args.kube_where;
    where.context = args.kube_context;
    auto connection = kube::ResolveConnection(where, env, kube::RealFileReader());
    if (!connection.ok()) return Fail(log, connection.status());
    log("Kubernetes API " + connection->server + " (" + connection->source + ")");
    kube::ClientOptions client_options;
    client_options.user_agent = "cpa-agent";
    auto client = kube::Client::Create(std::move(connection).value(), client_options);
    if (!client.ok()) return Fail(log, client.status());
    kube_client = std::move(client).value();
  }

  // The settings, read again before every refresh: the files (--config, --secret-dir, the
  // EKSA_AWS_* environment), or with --kube and neither file flag, the aws-secret Secret
  // through the API.
  const bool from_secret = args.kube && args.config.empty() && args.secret_dir.empty();
  agent::SettingsLoader load = [&]() -> agent::LoadedSettings {
    if (!from_secret) {
      return {agent::LoadSettings(fs, {args.config, args.secret_dir}, env),
              agent::FailureCause::kConfig};
    }
    agent::LoadedSettings loaded = agent::LoadAwsSecret(*kube_client);
    if (loaded.settings.ok()) {
      for (const char* var : {"EKSA_AWS_CONFIG_FILE", "EKSA_AWS_ACCESS_KEY_ID"}) {
        if (env.GetNonEmpty(var)) {
          loaded.settings->notes.push_back(std::string(var) + " ignored: --kube reads " +
                                           agent::AwsSecretOrigin());
        }
      }
    }
    return loaded;
  };

  // What the settings turn into; logged each time they change.
  agent::Planner plan =
      [&](const agent::AwsSettings& settings) -> core::Result<agent::RefreshPlan> {
    log("AWS settings from " + settings.origin +
        (settings.form == agent::SettingsForm::kConfig ? " (shared config file)"
                                                       : " (static keys)"));
    for (const std::string& note : settings.notes) log(note);
    CPA_ASSIGN_OR_RETURN(agent::RegionChoice region,
                         agent::ChooseRegion(settings, args.profile, args.region, env));
    log("profile `" + args.profile + "`, region " + region.region + " (" + region.source + ")");
    agent::RegistryPlanOptions options;
    options.region = region.region;
    options.registry_domain = args.registry_domain;
    options.packages_registry = !args.no_packages_registry;
    options.default_profile = args.profile;
    options.registries = registry_flags;
    CPA_ASSIGN_OR_RETURN(std::vector<agent::RegistryTarget> registries,
                         agent::PlanRegistries(options));
    for (const agent::RegistryTarget& r : registries) {
      log("registry " + r.host + (r.port ? ":" + std::to_string(*r.port) : "") + " (" + r.origin +
          ", profile `" + r.profile + "`)");
    }
    CPA_ASSIGN_OR_RETURN(auto shared, agent::SharedConfigFor(settings, env));
    agent::RefreshPlan out;
    out.groups = agent::GroupByToken(registries);
    out.source =
        std::make_unique<agent::AwsTokenSource>(std::move(shared.first), std::move(shared.second));
    return out;
  };

  std::unique_ptr<agent::DockerConfigFileOutput> docker;
  std::unique_ptr<agent::EcrTokenSecretOutput> secrets;
  std::vector<agent::CredentialsOutput*> outputs;
  if (!args.docker_config.empty()) {
    docker = std::make_unique<agent::DockerConfigFileOutput>(&fs, args.docker_config);
    outputs.push_back(docker.get());
  }
  if (kube_output) {
    secrets = std::make_unique<agent::EcrTokenSecretOutput>(kube_client.get(), ecr_token, log.Fn());
    outputs.push_back(secrets.get());
  }
  agent::ReloadingRefresher refresher(load, plan, outputs, &core::DefaultClock(), log.Fn());

  if (args.once) {
    agent::RefreshReport report = refresher.Refresh();
    if (!report.ok()) {
      std::string causes;
      for (const agent::RefreshFailure& f : report.failures) {
        causes += (causes.empty() ? "" : ", ") + std::string(agent::FailureCauseName(f.cause));
      }
      log("failed (" + causes + ")");
      return kExitError;
    }
    std::cout << "wrote " << report.refreshed << " registry login(s) to "
              << JoinDescriptions(outputs) << ", valid until "
              << core::FormatIso8601(*report.valid_until) << "\n";
    return kExitOk;
  }

  // SIGTERM/SIGINT are taken by one thread with sigwait; every other thread (the HTTP workers
  // included) inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  agent::AgentState state(0);  // the count comes with the first plan
  std::unique_ptr<StatusListener> listener;
  if (!args.listen.empty()) {
    auto address = http::ParseListenAddress(args.listen);
    if (!address.ok())
      return Fail(log, Status(address.status().code(), "--listen: " + address.status().message()));
    listener = std::make_unique<StatusListener>(&state, *address);
    if (Status s = listener->Start(); !s.ok()) {
      return Fail(log, Status(s.code(), "--listen " + args.listen + ": " + s.message()));
    }
    log("serving /healthz and /metrics on http://" + listener->address());
  }

  agent::StopWaiter waiter(core::DefaultClock());
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    log(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", stopping");
    waiter.RequestStop();
  });
  agent::RefreshSchedule schedule({}, &core::DefaultRandom());
  agent::RunDaemon(refresher, schedule, state, core::DefaultClock(), waiter, log.Fn());
  signal_thread.join();
  if (listener) listener->Stop();
  log("stopped");
  return kExitOk;
}

struct KubeletArgs {
  std::string registry_domain = "localhost";
};

int RunKubeletProvider(const KubeletArgs& args) {
  auto fail = [](const Status& s) {
    std::cerr << "cpa kubelet-credential-provider: " << s.message() << "\n";
    return kExitError;
  };
  std::string request((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const profile::Environment env = profile::ProcessEnvironment();
  auto shared = awsapi::LoadSharedConfig(env, nullptr, profile::PasswdHomeDirectory());
  if (!shared.ok()) return fail(shared.status());
  agent::AwsTokenSourceOptions options;
  options.user_agent = "cpa-kubelet-credential-provider";
  agent::AwsTokenSource source(std::move(shared).value(), env, options);
  agent::KubeletProviderOptions provider;
  provider.registry_domain = args.registry_domain;
  auto response =
      agent::AnswerCredentialProviderRequest(request, source, core::DefaultClock(), provider);
  if (!response.ok()) return fail(response.status());
  std::cout << *response << std::flush;
  return std::cout ? kExitOk : kExitError;
}

}  // namespace

void RegisterAgentCommand(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<AgentArgs>();
  CLI::App* cmd = app.add_subcommand(
      "agent",
      "Keep ECR registry logins for the curated packages registry (and more registries) fresh "
      "in a docker config file or in ecr-token Secrets, from the spec's AWS config or the "
      "aws-secret Secret");
  auto* config = cmd->add_option("--config", args->config,
                                 "AWS shared config file (the spec's step 6); default: "
                                 "EKSA_AWS_CONFIG_FILE");
  auto* secret_dir = cmd->add_option(
      "--secret-dir", args->secret_dir,
      "Directory where the aws-secret Secret is mounted (config, AWS_ACCESS_KEY_ID, "
      "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, REGION); `config` wins over the keys");
  config->excludes(secret_dir);
  cmd->add_option("--profile", args->profile, "Profile of the config whose credentials are used")
      ->capture_default_str();
  cmd->add_option("--region", args->region,
                  "Region (default: the profile's region, the Secret's REGION, EKSA_AWS_REGION)");
  cmd->add_option("--registry-domain", args->registry_domain,
                  "Domain of the registry hosts instead of amazonaws.com, with an optional :PORT "
                  "(e.g. localhost for cpa serve)");
  cmd->add_option("--registry", args->registries,
                  "Another registry, HOST or HOST=PROFILE (a profile of the same config); "
                  "repeatable");
  cmd->add_flag("--no-packages-registry", args->no_packages_registry,
                "Do not add the region's curated packages registry");
  cmd->add_option("--docker-config", args->docker_config,
                  "Docker config.json to keep the logins in (merged, written atomically, 0600)");
  auto* kube = cmd->add_option("--kube", args->kube_where,
                               "Read Secret eksa-packages/aws-secret and write Secret ecr-token "
                               "through the Kubernetes API: `in-cluster` (the pod's service "
                               "account), a kubeconfig path, or no value (in-cluster inside a "
                               "pod, else $KUBECONFIG, else ~/.kube/config)")
                   ->expected(0, 1)
                   ->type_name("[in-cluster|PATH]");
  auto* kube_context = cmd->add_option("--kube-context", args->kube_context,
                                       "Kubeconfig context (default: its current-context)");
  auto* cluster = cmd->add_option(
      "--cluster", args->cluster,
      "Write ecr-token in the namespaces named by the keys of ConfigMap ns-secret-map in "
      "eksa-packages-NAME (implies --kube)");
  auto* namespaces = cmd->add_option("--namespace", args->namespaces,
                                     "Also write ecr-token in this namespace (repeatable; implies "
                                     "--kube)");
  auto* once = cmd->add_flag("--once", args->once,
                             "Refresh once and exit: 0 when every login was written, 1 otherwise");
  cmd->add_option("--listen", args->listen,
                  "Serve /healthz and /metrics on ADDR:PORT (e.g. 127.0.0.1:9464); default off")
      ->excludes(once);
  cmd->callback([args, &registry, kube, kube_context, cluster, namespaces]() {
    args->kube = kube->count() > 0 || kube_context->count() > 0 || cluster->count() > 0 ||
                 namespaces->count() > 0;
    registry.SetAction([args] { return RunAgent(*args); });
  });

  auto kubelet_args = std::make_shared<KubeletArgs>();
  CLI::App* kubelet = app.add_subcommand(
      "kubelet-credential-provider",
      "Kubelet exec credential provider for ECR registries: reads a CredentialProviderRequest "
      "on stdin, writes a CredentialProviderResponse (credentials from AWS_PROFILE / "
      "AWS_CONFIG_FILE, the SDKs' default chain)");
  kubelet
      ->add_option("--registry-domain", kubelet_args->registry_domain,
                   "Registry domain accepted besides AWS's")
      ->capture_default_str();
  kubelet->callback([kubelet_args, &registry]() {
    registry.SetAction([kubelet_args] { return RunKubeletProvider(*kubelet_args); });
  });
}

}  // namespace cpa::cli
