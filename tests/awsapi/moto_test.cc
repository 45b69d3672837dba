// End to end against a real server: starts moto_server on a free loopback port and drives the
// curated-packages sharing flow through cpa's clients and the libcurl transport. moto must be
// installed: a missing moto_server is a failure, not a skip.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "awsapi/curl_transport.h"
#include "awsapi/ecr.h"
#include "awsapi/iam.h"
#include "awsapi/sts.h"

namespace cpa::awsapi {
namespace {

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// A moto_server child process in its own process group; always stopped by the destructor.
class MotoServer {
 public:
  MotoServer() = default;
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;
  ~MotoServer() { Stop(); }

  // Returns an empty string on success, else what went wrong.
  std::string Start() {
    std::string binary = FindOnPath("moto_server");
    if (binary.empty()) return "moto_server is not on PATH (install moto[server])";
    port_ = FreeLoopbackPort();
    if (port_ <= 0) return "cannot find a free loopback port";
    log_path_ =
        (std::filesystem::temp_directory_path() / ("cpa-moto-" + std::to_string(getpid()) + ".log"))
            .string();
    std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      setpgid(0, 0);
      int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
      execl(binary.c_str(), "moto_server", "-H", "127.0.0.1", "-p", port.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    setpgid(pid_, pid_);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "moto_server exited early: " + Log();
      }
      if (CanConnect(port_)) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "moto_server did not listen within 30 s: " + Log();
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (!log_path_.empty()) std::filesystem::remove(log_path_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str().substr(0, 2000);
  }

 private:
  pid_t pid_ = -1;
  int port_ = -1;
  std::string log_path_;
};

constexpr char kTrustPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
  ]
})";

constexpr char kEcrPolicy[] = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ECRRead", "Effect": "Allow",
     "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:DescribeImages",
                "ecr:DescribeRepositories"],
     "Resource": "arn:aws:ecr:*:783794618700:repository/*"},
    {"Sid": "ECRLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"}
  ]
})";

TEST(MotoServer, CuratedPackagesSharingFlow) {
  auto started = std::chrono::steady_clock::now();
  // Keep loopback traffic off any proxy configured in the environment.
  setenv("no_proxy", "127.0.0.1,localhost", 1);
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  MotoServer moto;
  std::string failure = moto.Start();
  ASSERT_EQ(failure, "") << "cannot run the moto integration test";

  // One real libcurl transport for everything, so connections are reused.
  auto transport = std::make_shared<CurlTransport>(CurlTransportOptions{
      std::chrono::milliseconds(5000), std::chrono::milliseconds(20000), 64 << 20, 8});
  auto config_for = [&](CredentialsProviderPtr credentials) {
    ClientConfig config;
    config.region = "us-west-2";
    config.endpoints.explicit_url = moto.url();
    config.credentials = std::move(credentials);
    config.transport = transport;
    return config;
  };
  auto admin =
      MakeStaticCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

  auto iam = IamClient::Create(config_for(admin));
  ASSERT_TRUE(iam.ok()) << iam.status().ToString();
  EXPECT_EQ(iam->service_client().endpoint().signing_region, "us-west-2");

  // The receiving side's user and its keys.
  CreateUserRequest create_user;
  create_user.user_name = "curated-packages-user";
  auto user = iam->CreateUser(create_user);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->user.user_name, "curated-packages-user");
  EXPECT_EQ(user->user.arn, "arn:aws:iam::123456789012:user/curated-packages-user");
  EXPECT_TRUE(user->user.create_date.has_value());

  CreateAccessKeyRequest create_key;
  create_key.user_name = "curated-packages-user";
  auto key = iam->CreateAccessKey(create_key);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->access_key.access_key_id.substr(0, 4), "AKIA");
  EXPECT_EQ(key->access_key.secret_access_key.size(), 40u);
  EXPECT_EQ(key->access_key.status, "Active");

  ListAccessKeysRequest list_keys;
  list_keys.user_name = "curated-packages-user";
  auto keys = iam->ListAccessKeys(list_keys);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->access_key_metadata.size(), 1u);
  EXPECT_EQ(keys->access_key_metadata[0].access_key_id, key->access_key.access_key_id);

  // The subscription side's role, policy and attachment.
  CreateRoleRequest create_role;
  create_role.role_name = "curated-packages-role";
  create_role.assume_role_policy_document = kTrustPolicy;
  auto role = iam->CreateRole(create_role);
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_EQ(role->role.arn, "arn:aws:iam::123456789012:role/curated-packages-role");
  EXPECT_NE(role->role.assume_role_policy_document.find("\"sts:AssumeRole\""), std::string::npos)
      << role->role.assume_role_policy_document;

  CreatePolicyRequest create_policy;
  create_policy.policy_name = "curated-packages-policy";
  create_policy.policy_document = kEcrPolicy;
  auto policy = iam->CreatePolicy(create_policy);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->policy.arn, "arn:aws:iam::123456789012:policy/curated-packages-policy");

  AttachRolePolicyRequest attach;
  attach.role_name = "curated-packages-role";
  attach.policy_arn = policy->policy.arn;
  auto attached = iam->AttachRolePolicy(attach);
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();

  ListAttachedRolePoliciesRequest list_attached;
  list_attached.role_name = "curated-packages-role";
  auto listed = iam->ListAttachedRolePolicies(list_attached);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->attached_policies.size(), 1u);
  EXPECT_EQ(listed->attached_policies[0].policy_arn, policy->policy.arn);

  GetRoleRequest get_role;
  get_role.role_name = "curated-packages-role";
  auto got_role = iam->GetRole(get_role);
  ASSERT_TRUE(got_role.ok()) << got_role.status().ToString();
  EXPECT_EQ(got_role->role.role_id, role->role.role_id);

  // An AWS error through the real server.
  get_role.role_name = "no-such-role";
  auto missing = iam->GetRole(get_role);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::ErrorCode::kNotFound);
  ASSERT_TRUE(missing.aws_error());
  EXPECT_EQ(missing.aws_code(), "NoSuchEntity");
  EXPECT_EQ(missing.aws_error()->http_status, 404);

  // The user's keys assume the role.
  auto user_credentials =
      MakeStaticCredentials(key->access_key.access_key_id, key->access_key.secret_access_key);
  auto sts = StsClient::Create(config_for(user_credentials));
  ASSERT_TRUE(sts.ok()) << sts.status().ToString();
  auto as_user = sts->GetCallerIdentity();
  ASSERT_TRUE(as_user.ok()) << as_user.status().ToString();
  EXPECT_EQ(as_user->arn, "arn:aws:iam::123456789012:user/curated-packages-user");

  AssumeRoleRequest assume;
  assume.role_arn = role->role.arn;
  assume.role_session_name = "cpa-moto";
  assume.duration_seconds = 900;
  auto assumed = sts->AssumeRole(assume);
  ASSERT_TRUE(assumed.ok()) << assumed.status().ToString();
  EXPECT_EQ(assumed->credentials.access_key_id.substr(0, 4), "ASIA");
  EXPECT_FALSE(assumed->credentials.session_token.empty());
  EXPECT_EQ(assumed->assumed_role_user.arn,
            "arn:aws:sts::123456789012:assumed-role/curated-packages-role/cpa-moto");

  // The assumed credentials identify as the role session.
  auto role_credentials =
      std::make_shared<StaticCredentialsProvider>(assumed->credentials.ToSigningCredentials());
  auto sts_as_role = StsClient::Create(config_for(role_credentials));
  ASSERT_TRUE(sts_as_role.ok());
  auto who = sts_as_role->GetCallerIdentity();
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->arn, "arn:aws:sts::123456789012:assumed-role/curated-packages-role/cpa-moto");
  EXPECT_EQ(who->account, "123456789012");

  // And log in to ECR with them.
  auto ecr = EcrClient::Create(config_for(role_credentials));
  ASSERT_TRUE(ecr.ok());
  auto token = ecr->GetAuthorizationToken();
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ASSERT_EQ(token->authorization_data.size(), 1u);
  EXPECT_TRUE(token->authorization_data[0].expires_at.has_value());
  EXPECT_EQ(token->authorization_data[0].proxy_endpoint.rfind("https://", 0), 0u);
  auto login = DecodeAuthorizationToken(token->authorization_data[0].authorization_token);
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_EQ(login->username, "AWS");
  EXPECT_FALSE(login->password.empty());

  // ECR JSON errors through the real server.
  DescribeRepositoriesRequest describe;
  describe.repository_names = {"missing"};
  auto repos = ecr->DescribeRepositories(describe);
  ASSERT_FALSE(repos.ok());
  EXPECT_EQ(repos.aws_code(), "RepositoryNotFoundException");
  EXPECT_EQ(repos.status().code(), core::ErrorCode::kNotFound);

  moto.Stop();
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, std::chrono::seconds(30));
  std::printf("moto flow took %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

}  // namespace
}  // namespace cpa::awsapi
