// Client over a scripted transport: URLs, headers, bodies, and how failures come back.
#include "kube/client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;
using Json = nlohmann::json;
using testing::ScriptedTransport;

constexpr char kSecretPath[] = "/api/v1/namespaces/eksa-packages/secrets/aws-secret";

std::string HeaderOf(const awsapi::HttpRequest& r, std::string_view name) {
  return std::string(awsapi::HttpResponse{0, r.headers, ""}.Header(name).value_or(""));
}

struct Fixture {
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  std::unique_ptr<Client> client;

  explicit Fixture(Connection c = {}) {
    if (c.server.empty()) {
      c.server = "https://10.96.0.1:443/";
      c.token = "sekret-token";
    }
    ClientOptions options;
    options.transport = transport;
    auto made = Client::Create(std::move(c), options);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    client = std::move(*made);
  }
};

TEST(Client, GetSecret) {
  Fixture f;
  f.transport->Expect(
      "GET", kSecretPath, 200,
      testing::SecretJson("eksa-packages", "aws-secret", "7", {{"config", "[default]\n"}}).dump());
  auto s = f.client->GetSecret("eksa-packages", "aws-secret");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->data.at("config"), "[default]\n");
  const auto& r = f.transport->requests.at(0);
  EXPECT_EQ(r.url, "https://10.96.0.1:443" + std::string(kSecretPath));
  EXPECT_EQ(HeaderOf(r, "Authorization"), "Bearer sekret-token");
  EXPECT_EQ(HeaderOf(r, "Accept"), "application/json");
  EXPECT_EQ(HeaderOf(r, "User-Agent"), "cpa");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "");
  EXPECT_TRUE(r.body.empty());
}

TEST(Client, NotFound) {
  Fixture f;
  f.transport->Expect("GET", kSecretPath, 404, testing::NotFoundBody("secrets", "aws-secret"));
  auto s = f.client->GetSecret("eksa-packages", "aws-secret");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.status().message(),
            "get secret eksa-packages/aws-secret at https://10.96.0.1: NotFound: secrets "
            "\"aws-secret\" not found (HTTP 404)");
  ASSERT_NE(s.api_error(), nullptr);
  EXPECT_EQ(s.api_error()->kind, "secrets");
}

TEST(Client, UnauthorizedNeverShowsTheToken) {
  Fixture f;
  f.transport->Expect("GET", kSecretPath, 401,
                      testing::StatusBody(401, "Unauthorized", "Unauthorized"));
  auto s = f.client->GetSecret("eksa-packages", "aws-secret");
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(s.reason(), "Unauthorized");
  EXPECT_EQ(s.status().message().find("sekret"), std::string::npos);
}

TEST(Client, NoTokenNoAuthorizationHeader) {
  Connection c;
  c.server = "http://127.0.0.1:8080";
  Fixture f(c);
  f.transport->Expect("GET", kSecretPath, 404, testing::NotFoundBody("secrets", "aws-secret"));
  (void)f.client->GetSecret("eksa-packages", "aws-secret");
  EXPECT_EQ(HeaderOf(f.transport->requests.at(0), "Authorization"), "");
}

TEST(Client, TokenFileIsReadPerRequestCache) {
  testing::FakeFiles fs;
  fs.files["/sa/token"] = "token-1\n";
  core::FakeClock clock(core::TimePoint(std::chrono::seconds(1'700'000'000)));
  auto transport = std::make_shared<ScriptedTransport>();
  Connection c;
  c.server = "https://k";
  c.token = "ignored-when-a-file-is-set";
  c.token_file = "/sa/token";
  ClientOptions options;
  options.transport = transport;
  options.read_file = fs.Reader();
  options.clock = &clock;
  auto client = Client::Create(c, options);
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 2; ++i) {
    transport->Expect("GET", kSecretPath, 404, testing::NotFoundBody("secrets", "aws-secret"));
  }
  (void)(*client)->GetSecret("eksa-packages", "aws-secret");
  fs.files["/sa/token"] = "token-2";
  clock.Advance(std::chrono::minutes(2));
  (void)(*client)->GetSecret("eksa-packages", "aws-secret");
  EXPECT_EQ(HeaderOf(transport->requests.at(0), "Authorization"), "Bearer token-1");
  EXPECT_EQ(HeaderOf(transport->requests.at(1), "Authorization"), "Bearer token-2");

  fs.files.erase("/sa/token");
  auto fresh = Client::Create(c, options);  // a new cache: nothing to fall back on
  auto failed = (*fresh)->GetSecret("eksa-packages", "aws-secret");
  EXPECT_EQ(failed.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(failed.status().message().find("cannot read token file"), std::string::npos);
  EXPECT_EQ(transport->requests.size(), 2u);  // nothing sent
}

TEST(Client, CreateSecret) {
  Fixture f;
  Secret s;
  s.metadata.name = "ecr-token";
  s.metadata.namespace_name = "team-a";
  s.type = std::string(kDockerConfigJsonType);
  s.data[std::string(kDockerConfigJsonKey)] = "{}";
  f.transport->Expect(
      "POST", "/api/v1/namespaces/team-a/secrets", 201,
      testing::SecretJson("team-a", "ecr-token", "100", {{".dockerconfigjson", "{}"}},
                          "kubernetes.io/dockerconfigjson")
          .dump());
  auto created = f.client->CreateSecret(s);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->metadata.resource_version, "100");
  const auto& r = f.transport->requests.at(0);
  EXPECT_EQ(r.url, "https://10.96.0.1:443/api/v1/namespaces/team-a/secrets?fieldManager=cpa");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  Json body = Json::parse(r.body);
  EXPECT_EQ(body["type"], "kubernetes.io/dockerconfigjson");
  EXPECT_EQ(body["data"][".dockerconfigjson"], "e30=");
  EXPECT_EQ(body["metadata"]["namespace"], "team-a");
}

TEST(Client, CreateAlreadyExists) {
  Fixture f;
  Secret s;
  s.metadata.name = "ecr-token";
  s.metadata.namespace_name = "team-a";
  f.transport->Expect("POST", "/api/v1/namespaces/team-a/secrets", 409,
                      testing::AlreadyExistsBody("secrets", "ecr-token"));
  auto created = f.client->CreateSecret(s);
  EXPECT_TRUE(created.IsAlreadyExists());
  EXPECT_FALSE(created.IsConflict());
  EXPECT_EQ(created.status().code(), ErrorCode::kAlreadyExists);
}

TEST(Client, ReplaceSecretSendsTheResourceVersion) {
  Fixture f;
  f.transport->Expect("GET", "/api/v1/namespaces/team-a/secrets/ecr-token", 200,
                      testing::SecretJson("team-a", "ecr-token", "5", {{"k", "v"}}).dump());
  f.transport->Expect("PUT", "/api/v1/namespaces/team-a/secrets/ecr-token", 409,
                      testing::ConflictBody("secrets", "ecr-token"));
  auto s = f.client->GetSecret("team-a", "ecr-token");
  ASSERT_TRUE(s.ok());
  s->data["k"] = "w";
  auto replaced = f.client->ReplaceSecret(*s);
  EXPECT_TRUE(replaced.IsConflict());
  EXPECT_EQ(Json::parse(f.transport->requests.at(1).body)["metadata"]["resourceVersion"], "5");
  EXPECT_NE(replaced.status().message().find("replace secret team-a/ecr-token"), std::string::npos);
}

TEST(Client, ConfigMaps) {
  Fixture f;
  f.transport->Expect("GET", "/api/v1/namespaces/eksa-packages-mgmt/configmaps/ns-secret-map", 200,
                      R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":
                      "ns-secret-map","namespace":"eksa-packages-mgmt","resourceVersion":"3"},
                      "data":{"team-a":"p"}})");
  auto map = f.client->GetConfigMap("eksa-packages-mgmt", "ns-secret-map");
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  EXPECT_EQ(map->data.at("team-a"), "p");
  f.transport->Expect("PUT", "/api/v1/namespaces/eksa-packages-mgmt/configmaps/ns-secret-map", 200,
                      map->raw);
  EXPECT_TRUE(f.client->ReplaceConfigMap(*map).ok());
  ConfigMap fresh;
  fresh.metadata.name = "new";
  fresh.metadata.namespace_name = "default";
  f.transport->Expect("POST", "/api/v1/namespaces/default/configmaps", 201,
                      R"({"kind":"ConfigMap","metadata":{"name":"new","namespace":"default"}})");
  EXPECT_TRUE(f.client->CreateConfigMap(fresh).ok());
}

TEST(Client, NamesAreCheckedBeforeAnyRequest) {
  Fixture f;
  EXPECT_EQ(f.client->GetSecret("../kube-system", "x").status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.client->GetSecret("ns", "a/b").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.client->GetSecret("ns", "").status().code(), ErrorCode::kInvalidArgument);
  Secret s;
  s.metadata.name = "x";  // no namespace
  EXPECT_EQ(f.client->CreateSecret(s).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(f.transport->requests.empty());
}

TEST(Client, TransportFailure) {
  Fixture f;
  f.transport->ExpectTransportFailure(core::Status(
      ErrorCode::kInternal, "HTTP request to https://10.96.0.1 failed: Connection refused"));
  auto s = f.client->GetSecret("eksa-packages", "aws-secret");
  EXPECT_EQ(s.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(s.api_error(), nullptr);
  EXPECT_EQ(s.status().message(),
            "get secret eksa-packages/aws-secret at https://10.96.0.1: HTTP request to "
            "https://10.96.0.1 failed: Connection refused");
}

TEST(Client, UndecodableAnswer) {
  Fixture f;
  f.transport->Expect("GET", kSecretPath, 200, "<html>proxy</html>");
  auto s = f.client->GetSecret("eksa-packages", "aws-secret");
  EXPECT_EQ(s.status().code(), ErrorCode::kInternal);
  EXPECT_NE(s.status().message().find("not a JSON object"), std::string::npos);
}

TEST(Client, PathPrefixAndFieldManager) {
  Connection c;
  c.server = "https://rancher.example/k8s/clusters/c-1";
  auto transport = std::make_shared<ScriptedTransport>();
  ClientOptions options;
  options.transport = transport;
  options.field_manager = "cpa agent";
  options.user_agent = "cpa/0.1";
  auto client = Client::Create(c, options);
  ASSERT_TRUE(client.ok());
  Secret s;
  s.metadata.name = "x";
  s.metadata.namespace_name = "ns";
  transport->Expect("POST", "/k8s/clusters/c-1/api/v1/namespaces/ns/secrets", 201,
                    testing::SecretJson("ns", "x", "1", {}).dump());
  EXPECT_TRUE((*client)->CreateSecret(s).ok());
  EXPECT_EQ(transport->requests.at(0).url,
            "https://rancher.example/k8s/clusters/c-1/api/v1/namespaces/ns/secrets"
            "?fieldManager=cpa%20agent");
  EXPECT_EQ(HeaderOf(transport->requests.at(0), "User-Agent"), "cpa/0.1");
}

TEST(Client, InvalidConnection) {
  Connection c;
  c.source = "kubeconfig /x context y";
  EXPECT_EQ(Client::Create(c).status().message(), "kubeconfig /x context y: no API server URL");
  c.server = "https://k";
  c.token = "a\nb";
  EXPECT_EQ(Client::Create(c).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cpa::kube
