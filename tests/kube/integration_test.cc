// The kube client (CurlTransport, TLS, kubeconfig loading) against
// tests/support/kube_api_server.py, which each test suite starts on a free loopback port and always
// stops.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "awsapi/curl_transport.h"
#include "kube/apply_secret.h"
#include "kube/client.h"
#include "kube/connection_source.h"
#include "kube/eksa_packages.h"
#include "kube/kubeconfig.h"

extern char** environ;

namespace cpa::kube {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using Json = nlohmann::json;

constexpr char kAdminToken[] = "admin-token";
constexpr char kAgentToken[] = "agent-token";
constexpr char kAgentUser[] = "system:serviceaccount:eksa-packages:cpa-agent";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Runs a command line (the openssl CLI) and checks it succeeded.
void RunCommand(const std::string& command) {
  ASSERT_EQ(std::system((command + " >/dev/null 2>&1").c_str()), 0) << command;
}

// One kube_api_server.py process.
class TestServer {
 public:
  void Start(const fs::path& dir, std::vector<std::string> extra) {
    fs::path ready = dir / "ready.json";
    std::vector<std::string> args = {
        CPA_PYTHON3, std::string(CPA_SOURCE_DIR) + "/tests/support/kube_api_server.py",
        "--ready-file", ready.string(), "--exit-on-stdin-eof"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[0]);
    stdin_ = pipe_fds[1];  // closing it (or this process dying) stops the server
    ASSERT_EQ(rc, 0) << "cannot start " << argv[0];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!fs::exists(ready)) {
      int status = 0;
      ASSERT_EQ(waitpid(pid_, &status, WNOHANG), 0) << "the test server exited";
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the test server is not ready";
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    info_ = Json::parse(ReadFile(ready));
    if (!info_["ca_file"].is_null()) ca_pem_ = ReadFile(info_["ca_file"].get<std::string>());
    awsapi::CurlTransportOptions options;
    options.ca_pem = ca_pem_;
    control_ = std::make_unique<awsapi::CurlTransport>(options);
    ready_ = true;
  }

  bool ready() const { return ready_; }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
  }

  std::string url() const { return info_["url"]; }
  std::string kubeconfig() const { return info_["kubeconfig"]; }
  const std::string& ca_pem() const { return ca_pem_; }

  // The server's /_test/ control endpoints.
  Json Control(const std::string& method, const std::string& path, const Json& body = nullptr) {
    awsapi::HttpRequest request{method, url() + path, {}, body.is_null() ? "" : body.dump()};
    auto response = control_->Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return nullptr;
    EXPECT_EQ(response->status, 200) << response->body;
    return Json::parse(response->body);
  }
  void Fault(const Json& spec) { Control("POST", "/_test/faults", spec); }
  void ClearFaults() { Control("POST", "/_test/faults", {{"clear", true}}); }
  // Method and path of the requests since the last call.
  std::vector<std::string> TakeRequests() {
    std::vector<std::string> out;
    for (const auto& r : Control("GET", "/_test/requests")) {
      out.push_back(r["method"].get<std::string>() + " " + r["path"].get<std::string>());
    }
    Control("DELETE", "/_test/requests");
    return out;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool ready_ = false;
  Json info_;
  std::string ca_pem_;
  std::unique_ptr<awsapi::CurlTransport> control_;
};

class KubeIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cpa-kube-it-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    // A client CA and a certificate for user "cert-user" (x509 client authentication).
    std::string d = dir_.string();
    std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    RunCommand("openssl req -x509" + ec + "-keyout " + d + "/ca.key -out " + d +
               "/ca.crt -days 1 -subj /CN=client-ca");
    RunCommand("openssl req" + ec + "-keyout " + d + "/client.key -out " + d +
               "/client.csr -subj /CN=cert-user");
    RunCommand("openssl x509 -req -in " + d + "/client.csr -CA " + d + "/ca.crt -CAkey " + d +
               "/ca.key -CAcreateserial -out " + d + "/client.crt -days 1");
    Json rbac = {
        {"tokens", {{kAgentToken, kAgentUser}}},
        {"users",
         {{kAgentUser,
           {{"rules",
             {{{"verbs", {"get"}},
               {"resources", {"secrets"}},
               {"namespaces", {"eksa-packages"}},
               {"resourceNames", {"aws-secret"}}}}}}},
          {"cert-user", {{"rules", {{{"verbs", {"get"}}, {"resources", {"configmaps"}}}}}}}}}};
    WriteFile(dir_ / "rbac.json", rbac.dump());
    Json seed = Json::array(
        {{{"kind", "Namespace"}, {"metadata", {{"name", "team-a"}}}},
         {{"kind", "Secret"},
          {"metadata", {{"name", "aws-secret"}, {"namespace", "eksa-packages"}}},
          {"type", "Opaque"},
          {"data",
           {{"AWS_ACCESS_KEY_ID", ""}, {"config", "W2RlZmF1bHRdCnJlZ2lvbj11cy13ZXN0LTIK"}}}},
         {{"kind", "ConfigMap"},
          {"metadata", {{"name", "ns-secret-map"}, {"namespace", "eksa-packages-mgmt"}}},
          {"data",
           {{"eksa-packages-mgmt", "eksa-package-controller"},
            {"emissary-system", "eksa-package-placeholder"},
            {"team-a", "harbor"}}}}});
    WriteFile(dir_ / "seed.json", seed.dump());
    server_ = new TestServer();
    server_->Start(dir_,
                   {"--token", kAdminToken, "--rbac", (dir_ / "rbac.json").string(), "--seed",
                    (dir_ / "seed.json").string(), "--client-ca", (dir_ / "ca.crt").string()});
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->Stop();
    delete server_;
    server_ = nullptr;
    fs::remove_all(dir_);
  }

  void SetUp() override {
    ASSERT_TRUE(server_ != nullptr && server_->ready()) << "the test server did not start";
    server_->ClearFaults();
    server_->TakeRequests();
  }

  // The connection from the server's kubeconfig (HTTPS, its CA, the admin token).
  static Connection FromKubeconfig() {
    auto c = KubeconfigConnection({server_->kubeconfig()}, RealFileReader(), {},
                                  /*must_exist=*/true);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Connection{};
  }

  static std::unique_ptr<Client> MakeClient(Connection c) {
    ClientOptions options;
    options.timeout = std::chrono::seconds(10);
    auto client = Client::Create(std::move(c), options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  static inline fs::path dir_;
  static inline TestServer* server_ = nullptr;
};

TEST_F(KubeIntegration, GetsTheAwsSecretThroughTheKubeconfig) {
  Connection c = FromKubeconfig();
  EXPECT_EQ(c.server, server_->url());
  EXPECT_EQ(c.ca_pem, server_->ca_pem());
  EXPECT_EQ(c.namespace_name, "default");
  auto client = MakeClient(c);
  auto secret = client->GetSecret(kPackagesNamespace, kAwsSecretName);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(secret->data.at("config"), "[default]\nregion=us-west-2\n");
  EXPECT_EQ(secret->data.at("AWS_ACCESS_KEY_ID"), "");
  EXPECT_FALSE(secret->metadata.uid.empty());
}

TEST_F(KubeIntegration, ResolveConnectionUsesKUBECONFIG) {
  profile::Environment env{{"KUBECONFIG", "/nonexistent/config:" + server_->kubeconfig()},
                           {"HOME", "/nonexistent"}};
  auto c = ResolveConnection({}, env, RealFileReader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, server_->url());
}

TEST_F(KubeIntegration, ReadsTargetNamespaces) {
  auto client = MakeClient(FromKubeconfig());
  auto targets = ReadTargetNamespaces(*client, "mgmt");
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  EXPECT_EQ(targets->namespaces,
            (std::vector<std::string>{"eksa-packages-mgmt", "emissary-system", "team-a"}));
  auto missing = ReadTargetNamespaces(*client, "other");
  EXPECT_TRUE(missing.IsNotFound());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

TEST_F(KubeIntegration, AppliesEcrTokenCreatingThenUpdating) {
  auto client = MakeClient(FromKubeconfig());
  // Any JSON object will do: the library writes the payload as given.
  std::string first = R"({"auths":{"https://1.dkr.ecr.us-west-2.amazonaws.com":{"auth":"YQ=="}}})";
  std::string second = R"({"auths":{"https://1.dkr.ecr.us-west-2.amazonaws.com":{"auth":"Yg=="}}})";

  auto created = ApplyDockerConfigSecret(*client, "team-a", kEcrTokenSecretName, first);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->action, ApplyAction::kCreated);
  auto stored = client->GetSecret("team-a", kEcrTokenSecretName);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->type, kDockerConfigJsonType);
  EXPECT_EQ(stored->data.at(std::string(kDockerConfigJsonKey)), first);
  EXPECT_EQ(stored->metadata.resource_version, created->resource_version);

  // Another writer adds a key and a label; an update keeps them.
  stored->data["note"] = "kept";
  stored->metadata.labels["team"] = "a";
  ASSERT_TRUE(client->ReplaceSecret(*stored).ok());
  server_->TakeRequests();

  auto unchanged = ApplyDockerConfigSecret(*client, "team-a", kEcrTokenSecretName, first);
  ASSERT_TRUE(unchanged.ok()) << unchanged.status().ToString();
  EXPECT_EQ(unchanged->action, ApplyAction::kUnchanged);
  EXPECT_EQ(server_->TakeRequests(),
            std::vector<std::string>{"GET /api/v1/namespaces/team-a/secrets/ecr-token"});

  auto updated = ApplyDockerConfigSecret(*client, "team-a", kEcrTokenSecretName, second);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->action, ApplyAction::kUpdated);
  EXPECT_NE(updated->resource_version, created->resource_version);
  auto after = client->GetSecret("team-a", kEcrTokenSecretName);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->data.at(std::string(kDockerConfigJsonKey)), second);
  EXPECT_EQ(after->data.at("note"), "kept");
  EXPECT_EQ(after->metadata.labels.at("team"), "a");
  EXPECT_EQ(after->metadata.uid, stored->metadata.uid);
}

TEST_F(KubeIntegration, ApplyIntoAMissingNamespaceFails) {
  auto client = MakeClient(FromKubeconfig());
  auto r = ApplyDockerConfigSecret(*client, "no-such-ns", kEcrTokenSecretName, "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.status().message().find("namespaces \"no-such-ns\" not found"), std::string::npos)
      << r.status().message();
}

TEST_F(KubeIntegration, ConflictFromAConcurrentWriterIsRetried) {
  auto client = MakeClient(FromKubeconfig());
  ASSERT_TRUE(ApplyDockerConfigSecret(*client, "default", "ecr-conflict", R"({"auths":{}})").ok());
  server_->TakeRequests();
  // The next PUT meets a Secret that changed since the GET: a real resourceVersion conflict.
  server_->Fault({{"method", "PUT"}, {"path_contains", "ecr-conflict"}, {"action", "touch"}});
  auto r = ApplyDockerConfigSecret(*client, "default", "ecr-conflict", R"({"auths":{"x":{}}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->action, ApplyAction::kUpdated);
  EXPECT_EQ(r->attempts, 2);
  std::vector<std::string> path(4, "/api/v1/namespaces/default/secrets/ecr-conflict");
  EXPECT_EQ(server_->TakeRequests(),
            (std::vector<std::string>{"GET " + path[0], "PUT " + path[1], "GET " + path[2],
                                      "PUT " + path[3]}));
}

TEST_F(KubeIntegration, InjectedConflictsAreRetriedThenGivenUp) {
  auto client = MakeClient(FromKubeconfig());
  ASSERT_TRUE(ApplyDockerConfigSecret(*client, "default", "ecr-retry", R"({"a":1})").ok());
  server_->Fault({{"method", "PUT"}, {"count", 2}, {"code", 409}});
  auto r = ApplyDockerConfigSecret(*client, "default", "ecr-retry", R"({"a":2})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 3);

  server_->Fault({{"method", "PUT"}, {"count", -1}, {"code", 409}});
  ApplyOptions options;
  options.max_attempts = 3;
  auto failed = ApplyDockerConfigSecret(*client, "default", "ecr-retry", R"({"a":3})", options);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.IsConflict());
  EXPECT_NE(failed.status().message().find("gave up after 3 attempts"), std::string::npos);
}

TEST_F(KubeIntegration, ServerErrorsComeBackAsStatuses) {
  auto client = MakeClient(FromKubeconfig());
  server_->Fault({{"method", "*"}, {"count", -1}, {"code", 500}, {"message", "etcd down"}});
  auto r = client->GetSecret(kPackagesNamespace, kAwsSecretName);
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(r.reason(), "InternalError");
  EXPECT_NE(r.status().message().find("etcd down (HTTP 500)"), std::string::npos);
}

TEST_F(KubeIntegration, UnauthorizedWithoutOrWithAWrongToken) {
  Connection c = FromKubeconfig();
  c.token.clear();
  auto anonymous = MakeClient(c)->GetSecret(kPackagesNamespace, kAwsSecretName);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.http_code(), 401);
  EXPECT_EQ(anonymous.reason(), "Unauthorized");
  EXPECT_EQ(anonymous.status().code(), ErrorCode::kInvalidClientTokenId);

  c.token = "wrong-token";
  auto wrong = MakeClient(c)->GetSecret(kPackagesNamespace, kAwsSecretName);
  EXPECT_EQ(wrong.http_code(), 401);
  EXPECT_EQ(wrong.status().message().find("wrong-token"), std::string::npos);
}

TEST_F(KubeIntegration, LeastPrivilegeTokenIsForbiddenElsewhere) {
  Connection c = FromKubeconfig();
  c.token = kAgentToken;
  auto client = MakeClient(c);
  EXPECT_TRUE(client->GetSecret(kPackagesNamespace, kAwsSecretName).ok());
  auto other = client->GetSecret(kPackagesNamespace, "registry-mirror-secret");
  EXPECT_EQ(other.status().code(), ErrorCode::kAccessDenied);
  EXPECT_NE(other.status().message().find(
                "User \"system:serviceaccount:eksa-packages:cpa-agent\" cannot get resource "
                "\"secrets\""),
            std::string::npos);
}

TEST_F(KubeIntegration, TokenFileFromKubeconfig) {
  WriteFile(dir_ / "token", std::string(kAgentToken) + "\n");
  std::string text = ReadFile(server_->kubeconfig());
  size_t at = text.find("token: ");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find('\n', at) - at, "tokenFile: token");  // relative to the file
  WriteFile(dir_ / "kubeconfig-tokenfile", text);
  auto c = KubeconfigConnection({(dir_ / "kubeconfig-tokenfile").string()}, RealFileReader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->token_file, (dir_ / "token").string());
  EXPECT_TRUE(MakeClient(*c)->GetSecret(kPackagesNamespace, kAwsSecretName).ok());
}

TEST_F(KubeIntegration, ClientCertificateAuthenticates) {
  Connection c = FromKubeconfig();
  c.token.clear();
  c.client_cert_pem = ReadFile(dir_ / "client.crt");
  c.client_key_pem = ReadFile(dir_ / "client.key");
  auto client = MakeClient(c);
  auto map = client->GetConfigMap("eksa-packages-mgmt", kNsSecretMapName);
  EXPECT_TRUE(map.ok()) << map.status().ToString();
  EXPECT_EQ(client->GetSecret(kPackagesNamespace, kAwsSecretName).http_code(), 403);
}

TEST_F(KubeIntegration, TlsIsVerified) {
  Connection c = FromKubeconfig();
  c.ca_pem.clear();  // the system store does not know the test server's certificate
  auto untrusted = MakeClient(c)->GetSecret(kPackagesNamespace, kAwsSecretName);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.api_error(), nullptr);
  EXPECT_EQ(untrusted.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(untrusted.status().message().find("certificate"), std::string::npos)
      << untrusted.status().message();

  c.ca_pem = ReadFile(dir_ / "ca.crt");  // a CA that did not sign the server's certificate
  EXPECT_FALSE(MakeClient(c)->GetSecret(kPackagesNamespace, kAwsSecretName).ok());

  c.ca_pem.clear();
  c.insecure_skip_tls_verify = true;
  EXPECT_TRUE(MakeClient(c)->GetSecret(kPackagesNamespace, kAwsSecretName).ok());
}

TEST_F(KubeIntegration, InvalidSecretIsRejectedByTheServer) {
  auto client = MakeClient(FromKubeconfig());
  Secret s;
  s.metadata.name = "bad-dcj";
  s.metadata.namespace_name = "default";
  s.type = std::string(kDockerConfigJsonType);
  s.data["other"] = "x";
  auto r = client->CreateSecret(s);
  EXPECT_EQ(r.status().code(), ErrorCode::kValidationError);
  EXPECT_EQ(r.reason(), "Invalid");
  ASSERT_NE(r.api_error(), nullptr);
  EXPECT_EQ(r.api_error()->causes,
            std::vector<std::string>{"data[.dockerconfigjson]: Required value"});
}

}  // namespace
}  // namespace cpa::kube
