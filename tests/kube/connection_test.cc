// Connections: kubeconfig loading and merging, in-cluster, and the choice between them.
#include <gtest/gtest.h>

#include "core/encoding.h"
#include "fakes.h"
#include "kube/connection_source.h"
#include "kube/in_cluster.h"
#include "kube/kubeconfig.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;
using testing::FakeFiles;

const std::string kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const std::string kCert = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

std::string Kubeconfig(const std::string& clusters, const std::string& users,
                       const std::string& contexts, const std::string& current) {
  return "apiVersion: v1\nkind: Config\nclusters:\n" + clusters + "users:\n" + users +
         "contexts:\n" + contexts + (current.empty() ? "" : "current-context: " + current + "\n");
}

const std::string kBasic = Kubeconfig(
    "- name: prod\n  cluster:\n    server: https://10.0.0.1:6443\n"
    "    certificate-authority-data: " +
        core::Base64Encode(kCa) + "\n",
    "- name: admin\n  user:\n    token: abc.def\n",
    "- name: prod\n  context:\n    cluster: prod\n    user: admin\n    namespace: team-a\n",
    "prod");

TEST(Kubeconfig, ResolvesTheCurrentContext) {
  FakeFiles fs;
  fs.files["/home/u/.kube/config"] = kBasic;
  auto c = KubeconfigConnection({"/home/u/.kube/config"}, fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://10.0.0.1:6443");
  EXPECT_EQ(c->ca_pem, kCa);
  EXPECT_EQ(c->token, "abc.def");
  EXPECT_EQ(c->token_file, "");
  EXPECT_EQ(c->namespace_name, "team-a");
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->source, "kubeconfig /home/u/.kube/config context prod");
}

TEST(Kubeconfig, ContextOverride) {
  FakeFiles fs;
  fs.files["/k"] = Kubeconfig(
      "- name: a\n  cluster:\n    server: https://a\n- name: b\n  cluster:\n    server: "
      "http://b:8080/\n",
      "- name: u\n  user: {}\n",
      "- name: a\n  context: {cluster: a, user: u}\n- name: b\n  context: {cluster: b}\n", "a");
  auto c = KubeconfigConnection({"/k"}, fs.Reader(), {.context = "b"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "http://b:8080");  // trailing '/' dropped
  EXPECT_EQ(c->token, "");
  auto missing = KubeconfigConnection({"/k"}, fs.Reader(), {.context = "zzz"});
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("context 'zzz' is not defined"), std::string::npos);
}

TEST(Kubeconfig, BareServerGetsHttps) {
  FakeFiles fs;
  fs.files["/k"] = Kubeconfig("- name: a\n  cluster:\n    server: 10.0.0.1:443\n", "",
                              "- name: a\n  context: {cluster: a}\n", "a");
  auto c = KubeconfigConnection({"/k"}, fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://10.0.0.1:443");
}

TEST(Kubeconfig, MergesFilesFirstDefinitionWins) {
  FakeFiles fs;
  // The first file sets no current-context and defines cluster "c" its way; the second defines
  // "c" again (ignored), the user, the context and current-context.
  fs.files["/one"] = Kubeconfig("- name: c\n  cluster:\n    server: https://first\n", "", "", "");
  fs.files["/two"] = Kubeconfig("- name: c\n  cluster:\n    server: https://second\n",
                                "- name: u\n  user:\n    token: t2\n",
                                "- name: x\n  context: {cluster: c, user: u}\n", "x");
  auto c = KubeconfigConnection(SplitKubeconfigList("/one::/missing:/two:/one"), fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://first");
  EXPECT_EQ(c->token, "t2");
  EXPECT_EQ(fs.reads["/one"], 1);  // the repeat was dropped
}

TEST(Kubeconfig, SplitList) {
  EXPECT_EQ(SplitKubeconfigList("a:b::a:c:"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitKubeconfigList("").empty());
  EXPECT_TRUE(SplitKubeconfigList(":::").empty());
}

TEST(Kubeconfig, FirstCurrentContextWins) {
  FakeFiles fs;
  fs.files["/one"] = Kubeconfig("", "", "", "x");
  fs.files["/two"] = Kubeconfig(
      "- name: c\n  cluster:\n    server: https://c\n", "",
      "- name: x\n  context: {cluster: c}\n- name: y\n  context: {cluster: nope}\n", "y");
  auto c = KubeconfigConnection({"/one", "/two"}, fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, "kubeconfig /two context x");
}

TEST(Kubeconfig, MissingFiles) {
  FakeFiles fs;
  auto none = KubeconfigConnection({"/a", "/b"}, fs.Reader());
  EXPECT_EQ(none.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(none.status().message(), "kubeconfig: none of these files exists: /a:/b");
  fs.files["/b"] = kBasic;
  EXPECT_TRUE(KubeconfigConnection({"/a", "/b"}, fs.Reader()).ok());
  auto must = KubeconfigConnection({"/a"}, fs.Reader(), {}, /*must_exist=*/true);
  EXPECT_EQ(must.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(must.status().message().find("/a"), std::string::npos);
}

TEST(Kubeconfig, RelativePathsAreRelativeToTheirFile) {
  FakeFiles fs;
  fs.files["/etc/kube/config"] = Kubeconfig(
      "- name: c\n  cluster:\n    server: https://c\n    certificate-authority: pki/ca.crt\n",
      "- name: u\n  user:\n    tokenFile: token\n    client-certificate: /abs/client.crt\n"
      "    client-key: pki/client.key\n",
      "- name: x\n  context: {cluster: c, user: u}\n", "x");
  fs.files["/etc/kube/pki/ca.crt"] = kCa;
  fs.files["/etc/kube/token"] = " tok-from-file \n";
  fs.files["/abs/client.crt"] = kCert;
  fs.files["/etc/kube/pki/client.key"] = kKey;
  auto c = KubeconfigConnection({"/etc/kube/config"}, fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ca_pem, kCa);
  EXPECT_EQ(c->token_file, "/etc/kube/token");
  EXPECT_EQ(c->client_cert_pem, kCert);
  EXPECT_EQ(c->client_key_pem, kKey);
}

TEST(Kubeconfig, DataWinsOverPath) {
  FakeFiles fs;
  fs.files["/k"] = Kubeconfig(
      "- name: c\n  cluster:\n    server: https://c\n    certificate-authority: /nope\n"
      "    certificate-authority-data: " +
          core::Base64Encode(kCa) + "\n",
      "- name: u\n  user:\n    client-certificate-data: " + core::Base64Encode(kCert) +
          "\n    client-key-data: " + core::Base64Encode(kKey) + "\n    client-key: /nope\n",
      "- name: x\n  context: {cluster: c, user: u}\n", "x");
  auto c = KubeconfigConnection({"/k"}, fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ca_pem, kCa);
  EXPECT_EQ(c->client_key_pem, kKey);
  EXPECT_EQ(fs.reads.count("/nope"), 0u);
}

TEST(Kubeconfig, InsecureSkipVerify) {
  FakeFiles fs;
  fs.files["/k"] = Kubeconfig(
      "- name: c\n  cluster:\n    server: https://c\n    insecure-skip-tls-verify: true\n", "",
      "- name: x\n  context: {cluster: c}\n", "x");
  auto c = KubeconfigConnection({"/k"}, fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->insecure_skip_tls_verify);

  fs.files["/k"] = Kubeconfig(
      "- name: c\n  cluster:\n    server: https://c\n    insecure-skip-tls-verify: true\n"
      "    certificate-authority-data: " +
          core::Base64Encode(kCa) + "\n",
      "", "- name: x\n  context: {cluster: c}\n", "x");
  auto both = KubeconfigConnection({"/k"}, fs.Reader());
  EXPECT_EQ(both.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(both.status().message().find("insecure-skip-tls-verify"), std::string::npos);
}

struct BadCase {
  std::string name;
  std::string text;
  std::string expected;  // part of the message
};

class KubeconfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(KubeconfigErrors, AreClear) {
  FakeFiles fs;
  fs.files["/k"] = GetParam().text;
  fs.files["/bad.crt"] = "not a pem";
  auto c = KubeconfigConnection({"/k"}, fs.Reader());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(GetParam().expected), std::string::npos)
      << c.status().message();
  EXPECT_EQ(c.status().message().find("s3cr3t"), std::string::npos) << "a secret leaked";
}

const std::string kOkCluster = "- name: c\n  cluster:\n    server: https://c\n";
const std::string kCtx = "- name: x\n  context: {cluster: c, user: u}\n";

INSTANTIATE_TEST_SUITE_P(
    All, KubeconfigErrors,
    ::testing::Values(
        BadCase{"yaml", "clusters: [\n", "kubeconfig /k: not valid YAML at line"},
        BadCase{"not_map", "- a\n- b\n", "the document must be a map"},
        BadCase{"kind", "kind: Pod\n", "kind is 'Pod', expected Config"},
        BadCase{"clusters_not_list", "clusters: {a: b}\n", "clusters must be a list"},
        BadCase{"unnamed", "clusters:\n- cluster: {server: x}\n", "clusters[0] has no name"},
        BadCase{"no_current", Kubeconfig(kOkCluster, "", "", ""), "no current-context is set"},
        BadCase{"no_server",
                Kubeconfig("- name: c\n  cluster: {}\n", "- name: u\n  user: {}\n", kCtx, "x"),
                "cluster 'c' has no server"},
        BadCase{"undefined_cluster", Kubeconfig("", "- name: u\n  user: {}\n", kCtx, "x"),
                "names cluster 'c', which is not defined"},
        BadCase{"undefined_user", Kubeconfig(kOkCluster, "", kCtx, "x"),
                "names user 'u', which is not defined"},
        BadCase{"exec",
                Kubeconfig(kOkCluster,
                           "- name: u\n  user:\n    exec:\n      command: aws\n"
                           "      apiVersion: client.authentication.k8s.io/v1beta1\n",
                           kCtx, "x"),
                "uses an exec credential plugin, which cpa does not support"},
        BadCase{"auth_provider",
                Kubeconfig(kOkCluster, "- name: u\n  user:\n    auth-provider: {name: oidc}\n",
                           kCtx, "x"),
                "auth-provider"},
        BadCase{
            "basic",
            Kubeconfig(kOkCluster, "- name: u\n  user:\n    username: me\n    password: s3cr3t\n",
                       kCtx, "x"),
            "username is not supported"},
        BadCase{"proxy",
                Kubeconfig("- name: c\n  cluster:\n    server: https://c\n"
                           "    proxy-url: http://proxy\n",
                           "- name: u\n  user: {}\n", kCtx, "x"),
                "proxy-url is not supported"},
        BadCase{"bad_ca_data",
                Kubeconfig("- name: c\n  cluster:\n    server: https://c\n"
                           "    certificate-authority-data: '***'\n",
                           "- name: u\n  user: {}\n", kCtx, "x"),
                "certificate-authority-data is not valid base64"},
        BadCase{"ca_not_pem",
                Kubeconfig("- name: c\n  cluster:\n    server: https://c\n"
                           "    certificate-authority: /bad.crt\n",
                           "- name: u\n  user: {}\n", kCtx, "x"),
                "certificate-authority holds no PEM data"},
        BadCase{"ca_missing",
                Kubeconfig("- name: c\n  cluster:\n    server: https://c\n"
                           "    certificate-authority: /missing.crt\n",
                           "- name: u\n  user: {}\n", kCtx, "x"),
                "cannot read certificate-authority: /missing.crt: no such file"},
        BadCase{"token_file_missing",
                Kubeconfig(kOkCluster, "- name: u\n  user:\n    tokenFile: /tok\n", kCtx, "x"),
                "cannot read tokenFile: /tok"},
        BadCase{"token_with_newline",
                Kubeconfig(kOkCluster, "- name: u\n  user:\n    token: \"s3cr3t\\nX-Evil: 1\"\n",
                           kCtx, "x"),
                "characters not allowed in an HTTP header"},
        BadCase{"cert_without_key",
                Kubeconfig(kOkCluster,
                           "- name: u\n  user:\n    client-certificate-data: " +
                               core::Base64Encode(kCert) + "\n",
                           kCtx, "x"),
                "client-certificate and client-key go together"},
        BadCase{"insecure_not_bool",
                Kubeconfig("- name: c\n  cluster:\n    server: https://c\n"
                           "    insecure-skip-tls-verify: maybe\n",
                           "- name: u\n  user: {}\n", kCtx, "x"),
                "insecure-skip-tls-verify must be true or false"},
        BadCase{"bad_server",
                Kubeconfig("- name: c\n  cluster:\n    server: https://a b\n",
                           "- name: u\n  user: {}\n", kCtx, "x"),
                "invalid URL"},
        BadCase{"bad_namespace",
                Kubeconfig(kOkCluster, "- name: u\n  user: {}\n",
                           "- name: x\n  context: {cluster: c, user: u, namespace: Team_A}\n", "x"),
                "invalid namespace 'Team_A'"}),
    [](const auto& info) { return info.param.name; });

TEST(Kubeconfig, TokenFileWinsOverToken) {
  FakeFiles fs;
  fs.files["/k"] = Kubeconfig(
      kOkCluster, "- name: u\n  user:\n    token: fixed\n    tokenFile: /tok\n", kCtx, "x");
  fs.files["/tok"] = "rotating\n";
  auto c = KubeconfigConnection({"/k"}, fs.Reader());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->token_file, "/tok");
  EXPECT_EQ(c->token, "fixed");  // kept; the client prefers the file
}

TEST(Kubeconfig, EmptyFileIsAllowedInAList) {
  FakeFiles fs;
  fs.files["/empty"] = "";
  fs.files["/k"] = kBasic;
  EXPECT_TRUE(KubeconfigConnection({"/empty", "/k"}, fs.Reader()).ok());
}

// ----- in-cluster -----

InClusterPaths TestPaths() { return {"/sa/token", "/sa/ca.crt", "/sa/namespace"}; }

FakeFiles ServiceAccountFiles() {
  FakeFiles fs;
  fs.files["/sa/token"] = "eyJhbGciOi.sa-token\n";
  fs.files["/sa/ca.crt"] = kCa;
  fs.files["/sa/namespace"] = "eksa-packages";
  return fs;
}

TEST(InCluster, FromEnvironmentAndFiles) {
  FakeFiles fs = ServiceAccountFiles();
  profile::Environment env{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                           {"KUBERNETES_SERVICE_PORT", "443"}};
  EXPECT_TRUE(IsInCluster(env));
  auto c = InClusterConnection(env, fs.Reader(), TestPaths());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->token_file, "/sa/token");
  EXPECT_EQ(c->token, "");  // read by the client, re-read as it rotates
  EXPECT_EQ(c->ca_pem, kCa);
  EXPECT_EQ(c->namespace_name, "eksa-packages");
  EXPECT_EQ(c->source, "in-cluster service account");
}

TEST(InCluster, Ipv6ServiceHost) {
  FakeFiles fs = ServiceAccountFiles();
  profile::Environment env{{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                           {"KUBERNETES_SERVICE_PORT", "443"}};
  auto c = InClusterConnection(env, fs.Reader(), TestPaths());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://[fd00::1]:443");
}

TEST(InCluster, Errors) {
  profile::Environment env{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                           {"KUBERNETES_SERVICE_PORT", "443"}};
  {
    FakeFiles fs = ServiceAccountFiles();
    profile::Environment partial{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}};
    EXPECT_FALSE(IsInCluster(partial));
    auto c = InClusterConnection(partial, fs.Reader(), TestPaths());
    EXPECT_EQ(c.status().code(), ErrorCode::kNotFound);
    EXPECT_NE(c.status().message().find("KUBERNETES_SERVICE_PORT"), std::string::npos);
  }
  {
    FakeFiles fs = ServiceAccountFiles();
    fs.files.erase("/sa/token");
    auto c = InClusterConnection(env, fs.Reader(), TestPaths());
    EXPECT_EQ(c.status().message(),
              "in-cluster service account: cannot read the token: /sa/token: no such file");
  }
  {
    FakeFiles fs = ServiceAccountFiles();
    fs.files["/sa/token"] = "  \n";
    EXPECT_NE(InClusterConnection(env, fs.Reader(), TestPaths())
                  .status()
                  .message()
                  .find("the token is empty"),
              std::string::npos);
  }
  {
    FakeFiles fs = ServiceAccountFiles();
    fs.files.erase("/sa/ca.crt");
    auto c = InClusterConnection(env, fs.Reader(), TestPaths());
    EXPECT_NE(c.status().message().find("cannot read the cluster CA"), std::string::npos);
  }
  {
    FakeFiles fs = ServiceAccountFiles();
    fs.files["/sa/ca.crt"] = "garbage";
    EXPECT_NE(InClusterConnection(env, fs.Reader(), TestPaths())
                  .status()
                  .message()
                  .find("holds no PEM certificate"),
              std::string::npos);
  }
  {
    FakeFiles fs = ServiceAccountFiles();
    fs.files.erase("/sa/namespace");  // optional
    auto c = InClusterConnection(env, fs.Reader(), TestPaths());
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->namespace_name, "");
  }
  {
    FakeFiles fs = ServiceAccountFiles();
    profile::Environment bad_port{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                  {"KUBERNETES_SERVICE_PORT", "https"}};
    EXPECT_EQ(InClusterConnection(bad_port, fs.Reader(), TestPaths()).status().code(),
              ErrorCode::kInvalidArgument);
  }
}

// ----- choosing -----

TEST(ResolveConnection, Order) {
  FakeFiles fs = ServiceAccountFiles();
  fs.files["/env/config"] = kBasic;
  fs.files["/home/u/.kube/config"] = Kubeconfig("- name: h\n  cluster:\n    server: https://home\n",
                                                "", "- name: h\n  context: {cluster: h}\n", "h");
  ConnectionOptions options;
  options.in_cluster = TestPaths();
  profile::Environment env{{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                           {"KUBERNETES_SERVICE_PORT", "443"},
                           {"KUBECONFIG", "/env/config"},
                           {"HOME", "/home/u"}};
  // In a pod: the service account, even with KUBECONFIG set.
  EXPECT_EQ(ResolveConnection(options, env, fs.Reader())->source, "in-cluster service account");
  // Outside: KUBECONFIG, then ~/.kube/config.
  env.Unset("KUBERNETES_SERVICE_HOST");
  EXPECT_EQ(ResolveConnection(options, env, fs.Reader())->server, "https://10.0.0.1:6443");
  env.Unset("KUBECONFIG");
  EXPECT_EQ(ResolveConnection(options, env, fs.Reader())->server, "https://home");
  // --kube PATH and --kube in-cluster are taken as given.
  options.kube = "/env/config";
  EXPECT_EQ(ResolveConnection(options, env, fs.Reader())->server, "https://10.0.0.1:6443");
  options.kube = "in-cluster";
  EXPECT_EQ(ResolveConnection(options, env, fs.Reader()).status().code(), ErrorCode::kNotFound);
  options.kube = "/nowhere";
  EXPECT_EQ(ResolveConnection(options, env, fs.Reader()).status().code(), ErrorCode::kNotFound);
}

TEST(ResolveConnection, NothingFound) {
  FakeFiles fs;
  profile::Environment env{{"HOME", "/home/u"}};
  auto c = ResolveConnection({}, env, fs.Reader());
  EXPECT_EQ(c.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(c.status().message(),
            "no Kubernetes connection: not in a pod (KUBERNETES_SERVICE_HOST unset), KUBECONFIG "
            "unset and /home/u/.kube/config does not exist");
}

TEST(ResolveConnection, ContextInClusterIsAnError) {
  FakeFiles fs = ServiceAccountFiles();
  ConnectionOptions options;
  options.kube = "in-cluster";
  options.context = "x";
  EXPECT_EQ(ResolveConnection(options, {}, fs.Reader()).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(ValidateConnection, Rules) {
  Connection c;
  c.source = "test";
  EXPECT_EQ(ValidateConnection(c).message(), "test: no API server URL");
  c.server = "ftp://x";
  EXPECT_EQ(ValidateConnection(c).code(), ErrorCode::kInvalidArgument);
  c.server = "https://x?y=1";
  EXPECT_EQ(ValidateConnection(c).code(), ErrorCode::kInvalidArgument);
  c.server = "https://x/prefix";
  EXPECT_TRUE(ValidateConnection(c).ok());
  c.client_key_pem = kKey;
  EXPECT_EQ(ValidateConnection(c).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cpa::kube
