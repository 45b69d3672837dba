// `cpa quickstart`: the whole sharing flow on a private, throw-away `cpa serve`. It starts the
// server as a child process of this binary (port 0, data in DIR/server-data), subscribes
// 111111111111 to EKS Anywhere in the region through the EKS API, runs the share procedure
// (share/share.h) from 111111111111 to 999999999999 with the accounts' root keys, runs `cpa
// doctor` on the written aws-secret manifest, then uses the written config file as a cluster
// would: the user's key (GetCallerIdentity), the role (AssumeRole), an ECR token as the role, and
// the region's packages registry over /v2 (Basic AWS:<token>), fetching the latest PackageBundle
// and printing the packages it lists.
//
// The registry hosts (<account>.dkr.ecr.<region>.localhost) need no DNS: requests go to the
// server's loopback address with the registry host in the Host header.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "awsapi/credentials_provider.h"
#include "awsapi/curl_transport.h"
#include "awsapi/ecr.h"
#include "awsapi/eks.h"
#include "awsapi/sts.h"
#include "cli/bundle_fetch.h"
#include "cli/commands.h"
#include "cli/doctor.h"
#include "core/status.h"
#include "profile/config_file.h"
#include "profile/files.h"
#include "share/aws_backend.h"
#include "share/config.h"
#include "share/local_files.h"
#include "share/registries.h"
#include "share/share.h"

namespace cpa::cli {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;

constexpr const char* kSource = "111111111111";
constexpr const char* kTarget = "999999999999";
constexpr const char* kSubscriptionName = "cpa-quickstart";
constexpr const char* kBundleRepository = "eks-anywhere-packages-bundles";  // for messages

struct QuickstartArgs {
  std::string dir = "./cpa-quickstart";
  std::string region = "us-west-2";
  bool keep_server = false;
};

// The child `cpa serve`: started with its stdout on a pipe (the ready line), stopped with
// SIGTERM (SIGKILL after 10 s) unless released.
class ChildServer {
 public:
  ~ChildServer() { Stop(); }

  Status Start(const std::string& data_dir, const std::string& log_path) {
    int out[2];
    if (pipe(out) != 0) return Status(ErrorCode::kInternal, "pipe failed");
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log < 0) return Status(ErrorCode::kInternal, "cannot open " + log_path);
    pid_ = fork();
    if (pid_ < 0) return Status(ErrorCode::kInternal, "fork failed");
    if (pid_ == 0) {
      // Same process group: a Ctrl-C of the terminal stops the server too.
      dup2(out[1], STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      close(out[0]);
      close(out[1]);
      execl("/proc/self/exe", "cpa", "serve", "--listen", "127.0.0.1:0", "--data", data_dir.c_str(),
            "--workers", "2", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    close(log);
    FILE* f = fdopen(out[0], "r");
    char buf[512];
    std::string line = f != nullptr && fgets(buf, sizeof buf, f) != nullptr ? buf : "";
    if (f != nullptr) fclose(f);  // the server prints nothing more on stdout
    std::smatch m;
    static const std::regex kReady(R"(^cpa serve: listening on (http://127\.0\.0\.1:(\d+)),)");
    if (!std::regex_search(line, m, kReady)) {
      return Status(ErrorCode::kInternal,
                    "cpa serve did not start (see " + log_path + "): " + line);
    }
    url_ = m[1];
    port_ = std::stoi(m[2]);
    return Status::Ok();
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // Leaves the server running (--keep-server).
  pid_t Release() {
    pid_t p = pid_;
    pid_ = -1;
    return p;
  }

  const std::string& url() const { return url_; }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::string url_;
  int port_ = 0;
};

struct RootKey {
  std::string access_key_id;
  std::string secret_access_key;
};

Result<RootKey> ReadRootKey(const std::string& path, const std::string& account) {
  CPA_ASSIGN_OR_RETURN(std::string text, profile::ReadTextFile(path));
  CPA_ASSIGN_OR_RETURN(profile::ConfigFile file,
                       profile::ParseFile(text, profile::FileKind::kCredentials, path));
  const profile::Section* s = file.FindProfile("account-" + account);
  if (s == nullptr || !s->Get("aws_access_key_id") || !s->Get("aws_secret_access_key")) {
    return Status(ErrorCode::kNotFound, path + " has no keys for account " + account);
  }
  return RootKey{*s->Get("aws_access_key_id"), *s->Get("aws_secret_access_key")};
}

awsapi::ClientConfig Config(const std::string& url, const std::string& region,
                            const std::string& akid, const std::string& secret,
                            const std::string& token = "") {
  awsapi::ClientConfig config;
  config.region = region;
  config.endpoints.explicit_url = url;
  config.credentials = awsapi::MakeStaticCredentials(akid, secret, token);
  config.user_agent = "cpa-quickstart";
  return config;
}

int Fail(const std::string& what, const Status& status) {
  std::string message = status.message();
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::cerr << "cpa quickstart: FAILED: " << what << ": " << message << "\n";
  return 1;
}

int RunQuickstart(const QuickstartArgs& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(args.dir, ec);
  if (ec) return Fail("creating " + args.dir, Status(ErrorCode::kInternal, ec.message()));
  const std::string dir = fs::absolute(args.dir).lexically_normal().string();
  fs::permissions(dir, fs::perms::owner_all, ec);
  const std::string data = dir + "/server-data";
  const std::string log = dir + "/server.log";

  ChildServer server;
  if (auto s = server.Start(data, log); !s.ok()) return Fail("starting cpa serve", s);
  std::cout << "cpa serve (embedded): " << server.url() << ", data " << data << ", log " << log
            << "\n";
  const std::string credentials = data + "/root-credentials";
  auto source_key = ReadRootKey(credentials, kSource);
  if (!source_key.ok()) return Fail("reading the root keys", source_key.status());
  auto target_key = ReadRootKey(credentials, kTarget);
  if (!target_key.ok()) return Fail("reading the root keys", target_key.status());

  // The subscription that grants 111111111111 the region's curated packages.
  auto source_config =
      Config(server.url(), args.region, source_key->access_key_id, source_key->secret_access_key);
  auto eks = awsapi::EksClient::Create(source_config);
  if (!eks.ok()) return Fail("EKS client", eks.status());
  // A second run over the same directory reuses the server's data and its subscription.
  std::string subscription_id;
  awsapi::ListEksAnywhereSubscriptionsRequest list;
  list.include_status = {"ACTIVE"};
  auto existing = eks->ListEksAnywhereSubscriptions(list);
  if (!existing.ok()) return Fail("listing EKS Anywhere subscriptions", existing.status());
  for (const auto& s : existing->subscriptions) {
    if (s.name == kSubscriptionName) subscription_id = s.id;
  }
  if (subscription_id.empty()) {
    awsapi::CreateEksAnywhereSubscriptionRequest create;
    create.name = kSubscriptionName;
    create.term = {12, "MONTHS"};
    create.license_quantity = 1;
    create.license_type = "Cluster";
    auto sub = eks->CreateEksAnywhereSubscription(create);
    if (!sub.ok()) return Fail("creating the EKS Anywhere subscription", sub.status());
    subscription_id = sub->subscription.id;
  }
  std::cout << "Subscription " << subscription_id << " in account " << kSource << " ("
            << args.region << ")\n";

  // Spec steps 1-7 through the share library.
  auto source = share::MakeAwsAccountApi(source_config);
  if (!source.ok()) return Fail("IAM/STS/EKS client", source.status());
  auto target = share::MakeAwsAccountApi(
      Config(server.url(), args.region, target_key->access_key_id, target_key->secret_access_key));
  if (!target.ok()) return Fail("IAM/STS/EKS client", target.status());
  awsapi::ClientConfig probe_config;
  probe_config.region = args.region;
  probe_config.endpoints.explicit_url = server.url();
  probe_config.user_agent = "cpa-quickstart";
  auto probe = share::MakeAwsChainProbe(probe_config);
  share::LocalFiles files;
  share::ShareOptions options;
  options.region = args.region;
  options.subscription_id = subscription_id;
  options.out_dir = dir;
  options.retry.attempts = 3;
  options.retry.delay = std::chrono::milliseconds(500);
  options.retry.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  auto shared = share::RunShare(
      options, **source, **target, *probe, files, [&region = args.region](const share::Event& e) {
        if (e.step == "verify") return;  // the chain is checked below, link by link
        if (e.step == "1") {
          // "packages registry <host>" -> "packages registry for <region>: <host> (from ...)"
          std::string host = e.subject.substr(e.subject.rfind(' ') + 1);
          bool from_subscription = e.detail.find("subscription") != std::string::npos &&
                                   e.detail.find("region table") == std::string::npos;
          std::cout << "Step 1: packages registry for " << region << ": " << host << " ("
                    << (from_subscription ? "from the subscription" : "from the region table")
                    << "; " << e.detail << ")\n";
          return;
        }
        std::cout << "Step " << e.step << ": " << e.subject << ": " << e.status;
        if (!e.detail.empty()) std::cout << " (" << e.detail << ")";
        std::cout << "\n";
      });
  if (!shared.ok()) return Fail("sharing", shared.status());
  const share::ShareOutcome& r = *shared;

  // `cpa doctor` on the written aws-secret manifest: every link, as the cluster would walk it.
  const std::string port = std::to_string(server.port());
  std::cout << "Check: cpa doctor --secret " << r.desired.secret_path << "\n";
  std::cout.flush();
  DoctorArgs doctor;
  doctor.secret = r.desired.secret_path;
  doctor.region = args.region;
  doctor.endpoint_url = server.url();
  doctor.registry_endpoint = r.packages.host;
  doctor.registry_address = "127.0.0.1:" + port;
  if (int rc = RunDoctor(doctor); rc != 0) {
    return Fail("cpa doctor", Status(ErrorCode::kInternal, "a link of the chain is broken"));
  }

  // An ECR token through the new config file, as a cluster would get it.
  auto text = profile::ReadTextFile(r.desired.config_path);
  if (!text.ok()) return Fail("reading the config file", text.status());
  auto config = share::ParseShareConfig(*text, r.desired.config_path);
  if (!config.ok()) return Fail("reading the config file", config.status());
  std::cout << "Token: through " << r.desired.config_path << "\n";
  auto user_sts = awsapi::StsClient::Create(
      Config(server.url(), args.region, config->access_key_id, config->secret_access_key));
  if (!user_sts.ok()) return Fail("STS client", user_sts.status());
  auto who = user_sts->GetCallerIdentity();
  if (!who.ok()) return Fail("GetCallerIdentity with the user's key", who.status());
  std::cout << "  key " << config->access_key_id << " is " << who->arn << "\n";
  awsapi::AssumeRoleRequest assume;
  assume.role_arn = config->role_arn;
  assume.role_session_name = "cpa-quickstart";
  auto role = user_sts->AssumeRole(assume);
  if (!role.ok()) return Fail("AssumeRole " + config->role_arn, role.status());
  std::cout << "  assumed " << role->assumed_role_user.arn << "\n";
  auto ecr = awsapi::EcrClient::Create(
      Config(server.url(), args.region, role->credentials.access_key_id,
             role->credentials.secret_access_key, role->credentials.session_token));
  if (!ecr.ok()) return Fail("ECR client", ecr.status());
  auto token = ecr->GetAuthorizationToken({});
  if (!token.ok()) return Fail("ECR GetAuthorizationToken as the role", token.status());
  if (token->authorization_data.empty()) {
    return Fail("ECR GetAuthorizationToken as the role",
                Status(ErrorCode::kInternal, "no authorizationData"));
  }
  std::cout << "  ECR token for " << token->authorization_data[0].proxy_endpoint << "\n";

  // The packages registry, as the role, with that token.
  awsapi::CurlTransport http;
  const std::string host = r.packages.host;
  RegistryTarget registry{.host = host,
                          .address = "127.0.0.1:" + port,
                          .basic = token->authorization_data[0].authorization_token};
  auto ping = RegistryGet(http, registry, "/v2/");
  if (!ping.ok()) return Fail("registry " + host + " /v2/", ping.status());
  auto bundle = FetchLatestBundle(http, registry);
  if (!bundle.ok()) return Fail("fetching the PackageBundle from " + host, bundle.status());
  std::cout << "Pulled " << host << "/" << kBundleRepository << ":" << bundle->tag << " ("
            << bundle->manifest_digest << "), bundle " << bundle->name << ":\n";
  for (const auto& [name, version] : bundle->packages) {
    std::cout << "  package " << name << " " << version << "\n";
  }
  std::cout << "Files: " << r.desired.config_path << ", " << r.desired.secret_path << "\n";

  if (args.keep_server) {
    pid_t pid = server.Release();
    std::cout << "cpa serve keeps running: " << server.url() << " (pid " << pid
              << "; stop it with kill " << pid << ")\n";
  } else {
    server.Stop();
  }
  std::cout << "SUCCESS: account " << kTarget << " pulls curated packages of " << args.region
            << " from " << host << " through " << config->role_arn << ".\n";
  return 0;
}

}  // namespace

void RegisterQuickstartCommand(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<QuickstartArgs>();
  CLI::App* cmd = app.add_subcommand(
      "quickstart",
      "The whole flow on a private cpa serve: subscribe 111111111111, share its curated packages "
      "with 999999999999 (spec steps 1-7), run cpa doctor on the result, get an ECR token through "
      "the new config and pull the PackageBundle");
  cmd->add_option("--dir", args->dir, "Directory for config, aws-secret.yaml and the server data")
      ->capture_default_str();
  cmd->add_option("--region", args->region, "Region of the subscription")->capture_default_str();
  cmd->add_flag("--keep-server", args->keep_server, "Leave the server running at the end");
  cmd->callback([&registry, args] { registry.SetAction([args] { return RunQuickstart(*args); }); });
}

}  // namespace cpa::cli
