// The ECR API in process: a Store on a FakeClock, a Registry, an ApiHandler with the ECR service,
// requests signed with the SigV4 signer and passed to ApiHandler::Handle (no sockets).
#include "server/api/ecr_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/encoding.h"
#include "server/api/api_handler.h"
#include "server/registry/manifest.h"
#include "server/store/store.h"
#include "sigv4/signer.h"

namespace cpa::server::api {
namespace {

namespace st = store;
namespace reg = registry;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kA = "111111111111";  // subscribes; owns the role the receiver assumes
constexpr const char* kB = "999999999999";  // receiving account
constexpr const char* kP = "346438352937";  // the us-west-2 packages account
constexpr const char* kRegion = "us-west-2";
constexpr int64_t kStart = 1714564800;  // 2024-05-01T12:00:00Z

// The spec's curated-packages policy (step 2).
constexpr const char* kCuratedPackagesPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ECRRead", "Effect": "Allow",
     "Action": ["ecr:DescribeImageScanFindings", "ecr:GetDownloadUrlForLayer",
                "ecr:DescribeRegistry", "ecr:DescribePullThroughCacheRules",
                "ecr:DescribeImageReplicationStatus", "ecr:ListTagsForResource",
                "ecr:ListImages", "ecr:BatchGetImage", "ecr:DescribeImages",
                "ecr:DescribeRepositories", "ecr:BatchCheckLayerAvailability"],
     "Resource": "arn:aws:ecr:*:346438352937:repository/*"},
    {"Sid": "ECRLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"],
     "Resource": "*"}
  ]})";

std::optional<std::string> XmlElement(const std::string& xml, const std::string& tag) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t b = xml.find(open);
  if (b == std::string::npos) return std::nullopt;
  b += open.size();
  size_t e = xml.find(close, b);
  if (e == std::string::npos) return std::nullopt;
  return xml.substr(b, e - b);
}

struct Reply {
  int status = 0;
  json body;
  http::Response raw;
  std::string type() const { return body.value("__type", ""); }
  std::string message() const { return body.value("message", ""); }
};

class EcrServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-ecr-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    st::StoreOptions o;
    o.data_dir = dir_ + "/state";
    o.clock = &clock_;
    auto s = st::Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    for (const char* id : {kA, kB}) {
      st::Account a;
      a.id = id;
      a.name = std::string("account-") + id;
      ASSERT_TRUE(store_->accounts().Create(a).ok());
    }
    st::Account p;
    p.id = kP;
    p.name = "eks-anywhere-packages-us-west-2";
    p.aws_owned = true;
    p.region = kRegion;
    ASSERT_TRUE(store_->accounts().Create(p).ok());
    root_a_ = Key(kA, "");
    root_p_ = Key(kP, "");

    // The spec's setup: a role in A that B may assume, with the curated packages policy.
    st::NewRole role;
    role.account_id = kA;
    role.name = "curated-packages-role";
    role.trust_policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
        R"("Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]})";
    ASSERT_TRUE(store_->roles().Create(role).ok());
    ASSERT_TRUE(store_->inline_policies()
                    .Put(st::PrincipalRef::Role(kA, "curated-packages-role"), "curated",
                         kCuratedPackagesPolicy)
                    .ok());
    ASSERT_TRUE(store_->users().Create({kB, "assumer", "/", ""}).ok());
    ASSERT_TRUE(store_->inline_policies()
                    .Put(st::PrincipalRef::User(kB, "assumer"), "assume",
                         R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                         R"("Action":"sts:AssumeRole","Resource":"*"}})")
                    .ok());
    assumer_ = Key(kB, "assumer");
    // A user of B allowed everything on ECR by its own policy (cross-account needs the resource
    // policy too), and one with no policy.
    ASSERT_TRUE(store_->users().Create({kB, "puller", "/", ""}).ok());
    ASSERT_TRUE(store_->inline_policies()
                    .Put(st::PrincipalRef::User(kB, "puller"), "ecr",
                         R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                         R"("Action":"ecr:*","Resource":"*"}})")
                    .ok());
    puller_ = Key(kB, "puller");
    ASSERT_TRUE(store_->users().Create({kB, "nobody", "/", ""}).ok());
    nobody_ = Key(kB, "nobody");

    reg::RegistryOptions ro;
    ro.store = store_.get();
    ro.registry_domain = "registry.test";
    ro.subscribers = [this](std::string_view region, core::TimePoint now) {
      std::lock_guard lock(mu_);
      std::vector<std::string> out;
      for (const auto& [account, until] : subscribers_) {
        if (region == kRegion && now < until) out.push_back(account);
      }
      return out;
    };
    auto r = reg::Registry::Open(ro);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = std::move(*r);
    tokens_ = std::make_unique<reg::TokenCodec>(store_->DeriveKey("ecr-token"));

    handler_ = std::make_unique<ApiHandler>(*store_, clock_);
    EcrServiceOptions eo;
    eo.registry_scheme = "http";
    eo.registry_port = 4566;
    handler_->AddSignedService(MakeEcrService(*registry_, *tokens_, eo));
  }
  void TearDown() override {
    handler_.reset();
    registry_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  sigv4::Credentials Key(const char* account, const char* user) {
    st::NewAccessKey k;
    k.account_id = account;
    k.user_name = user;
    auto key = store_->access_keys().Create(k);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->access_key_id, key->secret_access_key, ""};
  }

  http::Request Signed(const std::string& target, const std::string& body,
                       const sigv4::Credentials& creds, const std::string& service,
                       const std::string& content_type) {
    sigv4::HttpRequest h;
    h.method = "POST";
    h.path = "/";
    h.headers = {{"Host", "127.0.0.1:4566"}, {"Content-Type", content_type}};
    if (!target.empty()) h.headers.emplace_back("X-Amz-Target", target);
    h.body = body;
    sigv4::SigningConfig c;
    c.credentials = creds;
    c.region = kRegion;
    c.service = service;
    c.time = clock_.Now();
    EXPECT_TRUE(sigv4::SignRequest(h, c).ok());
    http::Request r;
    r.method = h.method;
    r.target = h.Target();
    r.headers = h.headers;
    r.body = h.body;
    r.remote_address = "127.0.0.1";
    return r;
  }

  Reply Ecr(const std::string& op, const json& input, const sigv4::Credentials& creds) {
    return EcrRaw("AmazonEC2ContainerRegistry_V20150921." + op, input.dump(), creds);
  }
  Reply EcrRaw(const std::string& target, const std::string& body,
               const sigv4::Credentials& creds) {
    Reply r;
    r.raw = handler_->Handle(Signed(target, body, creds, "ecr", "application/x-amz-json-1.1"));
    r.status = r.raw.status;
    r.body = json::parse(r.raw.body, nullptr, false);
    return r;
  }

  // B's assumer takes A's curated-packages-role, as the spec's receiving account does.
  sigv4::Credentials AssumeCuratedRole(int duration = 3600) {
    http::Response r = handler_->Handle(
        Signed("",
               "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&DurationSeconds=" +
                   std::to_string(duration) +
                   "&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fcurated-packages-role",
               assumer_, "sts", "application/x-www-form-urlencoded; charset=utf-8"));
    EXPECT_EQ(r.status, 200) << r.body;
    return {XmlElement(r.body, "AccessKeyId").value_or(""),
            XmlElement(r.body, "SecretAccessKey").value_or(""),
            XmlElement(r.body, "SessionToken").value_or("")};
  }

  // Uploads `bytes` as a layer through the ECR API (two parts when longer than one byte).
  std::string Upload(const std::string& repo, const std::string& bytes,
                     const sigv4::Credentials& creds, const char* registry_id = nullptr) {
    json base = {{"repositoryName", repo}};
    if (registry_id) base["registryId"] = registry_id;
    Reply init = Ecr("InitiateLayerUpload", base, creds);
    EXPECT_EQ(init.status, 200) << init.body.dump();
    const std::string upload_id = init.body.value("uploadId", "");
    size_t half = bytes.size() / 2;
    std::vector<std::pair<size_t, std::string>> parts;
    if (half > 0) parts.emplace_back(0, bytes.substr(0, half));
    parts.emplace_back(half, bytes.substr(half));
    for (const auto& [first, part] : parts) {
      json in = base;
      in["uploadId"] = upload_id;
      in["partFirstByte"] = first;
      in["partLastByte"] = first + part.size() - 1;
      in["layerPartBlob"] = core::Base64Encode(part);
      Reply r = Ecr("UploadLayerPart", in, creds);
      EXPECT_EQ(r.status, 200) << r.body.dump();
      EXPECT_EQ(r.body.value("lastByteReceived", -1), static_cast<int>(first + part.size() - 1));
    }
    json done = base;
    done["uploadId"] = upload_id;
    done["layerDigests"] = {reg::Sha256DigestOf(bytes)};
    Reply c = Ecr("CompleteLayerUpload", done, creds);
    EXPECT_EQ(c.status, 200) << c.body.dump();
    return reg::Sha256DigestOf(bytes);
  }

  // An OCI image manifest over a config and a layer pushed with Upload.
  std::string PushBlobsFor(const std::string& repo, const std::string& salt,
                           const sigv4::Credentials& creds) {
    std::string config = R"({"os":"linux","salt":")" + salt + "\"}";
    std::string layer = "layer-" + salt;
    std::string cd = Upload(repo, config, creds), ld = Upload(repo, layer, creds);
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
           R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
           cd + R"(","size":)" + std::to_string(config.size()) +
           R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
           ld + R"(","size":)" + std::to_string(layer.size()) + "}]}";
  }

  // The packages account's repository with one image tagged `latest`; returns its digest.
  std::string SeedPackages() {
    Reply c = Ecr("CreateRepository", {{"repositoryName", "eks-anywhere-packages"}}, root_p_);
    EXPECT_EQ(c.status, 200) << c.body.dump();
    std::string manifest = PushBlobsFor("eks-anywhere-packages", "pkg", root_p_);
    Reply put = Ecr("PutImage",
                    {{"repositoryName", "eks-anywhere-packages"},
                     {"imageManifest", manifest},
                     {"imageTag", "latest"}},
                    root_p_);
    EXPECT_EQ(put.status, 200) << put.body.dump();
    return reg::Sha256DigestOf(manifest);
  }

  std::string dir_;
  core::FakeClock clock_{core::TimePoint(seconds(kStart))};
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<reg::Registry> registry_;
  std::unique_ptr<reg::TokenCodec> tokens_;
  std::unique_ptr<ApiHandler> handler_;
  std::mutex mu_;
  std::map<std::string, core::TimePoint> subscribers_;
  sigv4::Credentials root_a_, root_p_, assumer_, puller_, nobody_;
};

TEST_F(EcrServiceTest, ProtocolErrors) {
  Reply r = EcrRaw("AmazonEC2ContainerRegistry_V20150921.NoSuchThing", "{}", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.type(), "UnknownOperationException");
  r = EcrRaw("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "[1,2", root_a_);
  EXPECT_EQ(r.type(), "SerializationException");
  r = Ecr("DeleteRepository", {{"repositoryName", "x1"}, {"force", "yes"}}, root_a_);
  EXPECT_EQ(r.type(), "SerializationException");
  EXPECT_EQ(r.raw.Header("x-amzn-ErrorType").value_or(""), "SerializationException");
  EXPECT_EQ(r.raw.Header("Content-Type").value_or(""), "application/x-amz-json-1.1");
  // An empty body is an empty input.
  r = EcrRaw("AmazonEC2ContainerRegistry_V20150921.DescribeRegistry", "", root_a_);
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["registryId"], kA);
  EXPECT_EQ(r.body["replicationConfiguration"], json({{"rules", json::array()}}));
  EXPECT_EQ(r.raw.service, "ecr");
  EXPECT_EQ(r.raw.operation, "DescribeRegistry");
  EXPECT_EQ(r.raw.outcome, "success");
  EXPECT_TRUE(r.raw.Header("x-amzn-RequestId").has_value());
}

TEST_F(EcrServiceTest, GetAuthorizationToken) {
  Reply r = Ecr("GetAuthorizationToken", json::object(), root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["authorizationData"].size(), 1u);
  const json& data = r.body["authorizationData"][0];
  EXPECT_EQ(data["proxyEndpoint"], "http://111111111111.dkr.ecr.us-west-2.registry.test:4566");
  EXPECT_EQ(data["expiresAt"].get<double>(), static_cast<double>(kStart + 43200));
  auto decoded = core::Base64Decode(data["authorizationToken"].get<std::string>());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->substr(0, 7), "AWS:eyJ");
  const std::string password = decoded->substr(4);
  EXPECT_EQ(password.find(':'), std::string::npos);
  auto claims = tokens_->Verify(password, clock_.Now());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->access_key_id, root_a_.access_key_id);
  EXPECT_EQ(claims->principal_arn, "arn:aws:iam::111111111111:root");
  EXPECT_EQ(claims->expires_at, core::TimePoint(seconds(kStart + 43200)));

  // registryIds: one entry per registry, each with its endpoint.
  r = Ecr("GetAuthorizationToken", {{"registryIds", {kP, "783794618700"}}}, root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["authorizationData"].size(), 2u);
  EXPECT_EQ(r.body["authorizationData"][0]["proxyEndpoint"],
            "http://346438352937.dkr.ecr.us-west-2.registry.test:4566");
  EXPECT_EQ(r.body["authorizationData"][1]["proxyEndpoint"],
            "http://783794618700.dkr.ecr.us-west-2.registry.test:4566");
  r = Ecr("GetAuthorizationToken", {{"registryIds", {"12345"}}}, root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  EXPECT_EQ(r.message(),
            "Invalid parameter at 'registryIds' failed to satisfy constraint: 'must satisfy "
            "regular expression '[0-9]{12}''");

  // A session's token ends with the session.
  sigv4::Credentials session = AssumeCuratedRole(900);
  clock_.Advance(seconds(100));
  r = Ecr("GetAuthorizationToken", json::object(), session);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["authorizationData"][0]["expiresAt"].get<double>(),
            static_cast<double>(kStart + 900));
  claims = tokens_->Verify(
      core::Base64Decode(r.body["authorizationData"][0]["authorizationToken"].get<std::string>())
          ->substr(4),
      clock_.Now());
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->access_key_id, session.access_key_id);
  EXPECT_EQ(claims->principal_arn,
            "arn:aws:sts::111111111111:assumed-role/curated-packages-role/s1");

  r = Ecr("GetAuthorizationToken", json::object(), nobody_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.type(), "AccessDeniedException");
  EXPECT_EQ(r.message().rfind("User: arn:aws:iam::999999999999:user/nobody is not authorized to "
                              "perform: ecr:GetAuthorizationToken on resource: *",
                              0),
            0u)
      << r.message();
}

TEST_F(EcrServiceTest, RepositoryLifecycle) {
  Reply r = Ecr("CreateRepository",
                {{"repositoryName", "team/app"},
                 {"imageTagMutability", "IMMUTABLE"},
                 {"imageScanningConfiguration", {{"scanOnPush", true}}},
                 {"tags", {{{"Key", "team"}, {"Value", "a"}}}}},
                root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const json& repo = r.body["repository"];
  EXPECT_EQ(repo["repositoryArn"], "arn:aws:ecr:us-west-2:111111111111:repository/team/app");
  EXPECT_EQ(repo["registryId"], kA);
  EXPECT_EQ(repo["repositoryName"], "team/app");
  EXPECT_EQ(repo["repositoryUri"], "111111111111.dkr.ecr.us-west-2.registry.test:4566/team/app");
  EXPECT_EQ(repo["createdAt"].get<double>(), static_cast<double>(kStart));
  EXPECT_EQ(repo["imageTagMutability"], "IMMUTABLE");
  EXPECT_EQ(repo["imageScanningConfiguration"]["scanOnPush"], true);
  EXPECT_EQ(repo["encryptionConfiguration"], json({{"encryptionType", "AES256"}}));
  EXPECT_EQ(r.raw.operation, "CreateRepository");

  r = Ecr("CreateRepository", {{"repositoryName", "team/app"}}, root_a_);
  EXPECT_EQ(r.type(), "RepositoryAlreadyExistsException");
  EXPECT_EQ(r.message(),
            "The repository with name 'team/app' already exists in the registry with id "
            "'111111111111'");
  r = Ecr("CreateRepository", {{"repositoryName", "Team/App"}}, root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  EXPECT_EQ(r.message(),
            "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy "
            "regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''");
  r = Ecr("CreateRepository", json::object(), root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  r = Ecr("CreateRepository", {{"repositoryName", "x1"}, {"imageTagMutability", "SOMETIMES"}},
          root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  r = Ecr("CreateRepository",
          {{"repositoryName", "x1"}, {"imageTagMutability", "IMMUTABLE_WITH_EXCLUSION"}}, root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  r = Ecr("CreateRepository",
          {{"repositoryName", "x1"}, {"tags", {{{"Key", "aws:x"}, {"Value", "a"}}}}}, root_a_);
  EXPECT_EQ(r.type(), "InvalidTagParameterException");
  // Another account's registry: no policy there lets A create.
  r = Ecr("CreateRepository", {{"repositoryName", "x1"}, {"registryId", kB}}, root_a_);
  EXPECT_EQ(r.type(), "AccessDeniedException");

  for (const char* name : {"b1", "c1", "a1"}) {
    ASSERT_EQ(Ecr("CreateRepository", {{"repositoryName", name}}, root_a_).status, 200);
  }
  r = Ecr("DescribeRepositories", json::object(), root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["repositories"].size(), 4u);
  EXPECT_EQ(r.body["repositories"][0]["repositoryName"], "a1");
  EXPECT_FALSE(r.body.contains("nextToken"));
  // Paging.
  std::vector<std::string> names;
  json in = {{"maxResults", 3}};
  for (int guard = 0; guard < 5; ++guard) {
    r = Ecr("DescribeRepositories", in, root_a_);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    for (const json& x : r.body["repositories"]) names.push_back(x["repositoryName"]);
    if (!r.body.contains("nextToken")) break;
    in["nextToken"] = r.body["nextToken"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a1", "b1", "c1", "team/app"}));
  r = Ecr("DescribeRepositories", {{"nextToken", "garbage"}}, root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  r = Ecr("DescribeRepositories", {{"maxResults", 0}}, root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  r = Ecr("DescribeRepositories", {{"repositoryNames", {"c1", "a1"}}}, root_a_);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["repositories"].size(), 2u);
  EXPECT_EQ(r.body["repositories"][0]["repositoryName"], "c1");
  r = Ecr("DescribeRepositories", {{"repositoryNames", {"a1", "zz"}}}, root_a_);
  EXPECT_EQ(r.type(), "RepositoryNotFoundException");
  EXPECT_EQ(r.message(),
            "The repository with name 'zz' does not exist in the registry with id '111111111111'");

  r = Ecr("DeleteRepository", {{"repositoryName", "a1"}}, root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["repository"]["repositoryName"], "a1");
  r = Ecr("DeleteRepository", {{"repositoryName", "a1"}}, root_a_);
  EXPECT_EQ(r.type(), "RepositoryNotFoundException");
}

TEST_F(EcrServiceTest, PushAndPullThroughTheApi) {
  ASSERT_EQ(Ecr("CreateRepository", {{"repositoryName", "app"}}, root_a_).status, 200);
  const std::string layer = "some layer bytes";
  const std::string layer_digest = Upload("app", layer, root_a_);

  // A part that does not continue the upload.
  Reply init = Ecr("InitiateLayerUpload", {{"repositoryName", "app"}}, root_a_);
  ASSERT_EQ(init.status, 200);
  EXPECT_EQ(init.body["partSize"], 10485760);
  const std::string upload_id = init.body["uploadId"];
  Reply part = Ecr("UploadLayerPart",
                   {{"repositoryName", "app"},
                    {"uploadId", upload_id},
                    {"partFirstByte", 0},
                    {"partLastByte", 2},
                    {"layerPartBlob", core::Base64Encode("abc")}},
                   root_a_);
  ASSERT_EQ(part.status, 200) << part.body.dump();
  part = Ecr("UploadLayerPart",
             {{"repositoryName", "app"},
              {"uploadId", upload_id},
              {"partFirstByte", 5},
              {"partLastByte", 6},
              {"layerPartBlob", core::Base64Encode("de")}},
             root_a_);
  EXPECT_EQ(part.type(), "InvalidLayerPartException");
  EXPECT_EQ(part.body["lastValidByteReceived"], 2);
  EXPECT_EQ(part.body["uploadId"], upload_id);
  EXPECT_EQ(part.body["repositoryName"], "app");
  part = Ecr("UploadLayerPart",
             {{"repositoryName", "app"},
              {"uploadId", upload_id},
              {"partFirstByte", 3},
              {"partLastByte", 9},
              {"layerPartBlob", core::Base64Encode("de")}},
             root_a_);
  EXPECT_EQ(part.type(), "InvalidLayerPartException");
  Reply complete = Ecr("CompleteLayerUpload",
                       {{"repositoryName", "app"},
                        {"uploadId", upload_id},
                        {"layerDigests", {reg::Sha256DigestOf("abx")}}},
                       root_a_);
  EXPECT_EQ(complete.type(), "InvalidLayerException");
  complete = Ecr("CompleteLayerUpload",
                 {{"repositoryName", "app"},
                  {"uploadId", upload_id},
                  {"layerDigests", {reg::Sha256DigestOf("abc")}}},
                 root_a_);
  EXPECT_EQ(complete.type(), "UploadNotFoundException");  // discarded by the mismatch
  Reply empty_init = Ecr("InitiateLayerUpload", {{"repositoryName", "app"}}, root_a_);
  complete = Ecr("CompleteLayerUpload",
                 {{"repositoryName", "app"},
                  {"uploadId", empty_init.body["uploadId"]},
                  {"layerDigests", {reg::Sha256DigestOf("")}}},
                 root_a_);
  EXPECT_EQ(complete.type(), "EmptyUploadException");
  Reply dup_init = Ecr("InitiateLayerUpload", {{"repositoryName", "app"}}, root_a_);
  ASSERT_EQ(Ecr("UploadLayerPart",
                {{"repositoryName", "app"},
                 {"uploadId", dup_init.body["uploadId"]},
                 {"partFirstByte", 0},
                 {"partLastByte", layer.size() - 1},
                 {"layerPartBlob", core::Base64Encode(layer)}},
                root_a_)
                .status,
            200);
  complete = Ecr("CompleteLayerUpload",
                 {{"repositoryName", "app"},
                  {"uploadId", dup_init.body["uploadId"]},
                  {"layerDigests", {layer_digest}}},
                 root_a_);
  EXPECT_EQ(complete.type(), "LayerAlreadyExistsException");

  Reply check = Ecr("BatchCheckLayerAvailability",
                    {{"repositoryName", "app"},
                     {"layerDigests", {layer_digest, reg::Sha256DigestOf("missing"), "nope"}}},
                    root_a_);
  ASSERT_EQ(check.status, 200) << check.body.dump();
  ASSERT_EQ(check.body["layers"].size(), 1u);
  EXPECT_EQ(check.body["layers"][0]["layerDigest"], layer_digest);
  EXPECT_EQ(check.body["layers"][0]["layerAvailability"], "AVAILABLE");
  EXPECT_EQ(check.body["layers"][0]["layerSize"], layer.size());
  ASSERT_EQ(check.body["failures"].size(), 2u);
  EXPECT_EQ(check.body["failures"][0]["failureCode"], "MissingLayerDigest");
  EXPECT_EQ(check.body["failures"][1]["failureCode"], "InvalidLayerDigest");

  // Not referenced by an image yet.
  Reply url = Ecr("GetDownloadUrlForLayer",
                  {{"repositoryName", "app"}, {"layerDigest", layer_digest}}, root_a_);
  EXPECT_EQ(url.type(), "LayerInaccessibleException");

  std::string manifest = PushBlobsFor("app", "one", root_a_);
  const std::string digest = reg::Sha256DigestOf(manifest);
  Reply put = Ecr("PutImage",
                  {{"repositoryName", "app"},
                   {"imageManifest", manifest},
                   {"imageTag", "v1"},
                   {"imageDigest", reg::Sha256DigestOf("other")}},
                  root_a_);
  EXPECT_EQ(put.type(), "ImageDigestDoesNotMatchException");
  std::string no_media_type = manifest;
  no_media_type.erase(
      no_media_type.find(R"("mediaType":"application/vnd.oci.image.manifest)"),
      std::string(R"("mediaType":"application/vnd.oci.image.manifest.v1+json",)").size());
  put = Ecr("PutImage", {{"repositoryName", "app"}, {"imageManifest", no_media_type}}, root_a_);
  EXPECT_EQ(put.type(), "InvalidParameterException");
  put = Ecr("PutImage", {{"repositoryName", "app"}, {"imageManifest", "{not json"}}, root_a_);
  EXPECT_EQ(put.type(), "InvalidParameterException");
  std::string missing_layer = manifest;
  missing_layer.replace(missing_layer.rfind("sha256:") + 7, 64, std::string(64, 'e'));
  put = Ecr("PutImage", {{"repositoryName", "app"}, {"imageManifest", missing_layer}}, root_a_);
  EXPECT_EQ(put.type(), "LayersNotFoundException");
  put = Ecr("PutImage",
            {{"repositoryName", "app"},
             {"imageManifest", manifest},
             {"imageTag", "v1"},
             {"imageDigest", digest}},
            root_a_);
  ASSERT_EQ(put.status, 200) << put.body.dump();
  EXPECT_EQ(put.body["image"]["imageId"], json({{"imageDigest", digest}, {"imageTag", "v1"}}));
  EXPECT_EQ(put.body["image"]["imageManifest"], manifest);
  EXPECT_EQ(put.body["image"]["imageManifestMediaType"],
            "application/vnd.oci.image.manifest.v1+json");
  put = Ecr("PutImage",
            {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "v1"}}, root_a_);
  EXPECT_EQ(put.type(), "ImageAlreadyExistsException");
  EXPECT_EQ(put.message(), "Image with digest '" + digest +
                               "' and tag 'v1' already exists in the repository with name 'app' "
                               "in registry with id '111111111111'");
  ASSERT_EQ(
      Ecr("PutImage",
          {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "latest"}}, root_a_)
          .status,
      200);

  clock_.Advance(seconds(30));
  Reply got = Ecr("BatchGetImage",
                  {{"repositoryName", "app"},
                   {"imageIds",
                    {{{"imageTag", "latest"}},
                     {{"imageTag", "v9"}},
                     {{"imageDigest", digest}, {"imageTag", "v2"}},
                     {{"imageDigest", "sha256:xyz"}},
                     json::object()}},
                   {"acceptedMediaTypes", {"application/vnd.oci.image.manifest.v1+json"}}},
                  root_a_);
  ASSERT_EQ(got.status, 200) << got.body.dump();
  ASSERT_EQ(got.body["images"].size(), 1u);
  EXPECT_EQ(got.body["images"][0]["imageId"],
            json({{"imageDigest", digest}, {"imageTag", "latest"}}));
  EXPECT_EQ(got.body["images"][0]["imageManifest"], manifest);
  EXPECT_EQ(got.body["images"][0]["registryId"], kA);
  ASSERT_EQ(got.body["failures"].size(), 4u);
  EXPECT_EQ(got.body["failures"][0]["failureCode"], "ImageNotFound");
  EXPECT_EQ(got.body["failures"][0]["failureReason"], "Requested image not found");
  EXPECT_EQ(got.body["failures"][0]["imageId"], json({{"imageTag", "v9"}}));
  EXPECT_EQ(got.body["failures"][1]["failureCode"], "ImageTagDoesNotMatchDigest");
  EXPECT_EQ(got.body["failures"][2]["failureCode"], "InvalidImageDigest");
  EXPECT_EQ(got.body["failures"][3]["failureCode"], "MissingDigestAndTag");

  Reply described = Ecr("DescribeImages", {{"repositoryName", "app"}}, root_a_);
  ASSERT_EQ(described.status, 200) << described.body.dump();
  ASSERT_EQ(described.body["imageDetails"].size(), 1u);
  const json& detail = described.body["imageDetails"][0];
  EXPECT_EQ(detail["imageDigest"], digest);
  EXPECT_EQ(detail["imageTags"], json({"latest", "v1"}));
  EXPECT_EQ(detail["registryId"], kA);
  EXPECT_EQ(detail["repositoryName"], "app");
  EXPECT_EQ(detail["imageManifestMediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(detail["artifactMediaType"], "application/vnd.oci.image.config.v1+json");
  EXPECT_EQ(detail["imagePushedAt"].get<double>(), static_cast<double>(kStart));
  EXPECT_EQ(detail["lastRecordedPullTime"].get<double>(), static_cast<double>(kStart + 30));
  EXPECT_GT(detail["imageSizeInBytes"].get<int64_t>(), 0);
  described = Ecr("DescribeImages",
                  {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "nope"}}}}}, root_a_);
  EXPECT_EQ(described.type(), "ImageNotFoundException");
  EXPECT_EQ(described.message(),
            "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within "
            "the repository with name 'app' in the registry with id '111111111111'");

  Reply listed = Ecr("ListImages", {{"repositoryName", "app"}}, root_a_);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["imageIds"], json({{{"imageDigest", digest}, {"imageTag", "latest"}},
                                           {{"imageDigest", digest}, {"imageTag", "v1"}}}));
  listed = Ecr("ListImages", {{"repositoryName", "app"}, {"maxResults", 1}}, root_a_);
  ASSERT_TRUE(listed.body.contains("nextToken"));
  listed =
      Ecr("ListImages",
          {{"repositoryName", "app"}, {"maxResults", 1}, {"nextToken", listed.body["nextToken"]}},
          root_a_);
  EXPECT_EQ(listed.body["imageIds"], json({{{"imageDigest", digest}, {"imageTag", "v1"}}}));
  EXPECT_FALSE(listed.body.contains("nextToken"));
  listed = Ecr("ListImages", {{"repositoryName", "app"}, {"filter", {{"tagStatus", "UNTAGGED"}}}},
               root_a_);
  EXPECT_EQ(listed.body["imageIds"], json::array());

  url =
      Ecr("GetDownloadUrlForLayer",
          {{"repositoryName", "app"}, {"layerDigest", reg::Sha256DigestOf("layer-one")}}, root_a_);
  ASSERT_EQ(url.status, 200) << url.body.dump();
  EXPECT_EQ(url.body["downloadUrl"],
            "http://111111111111.dkr.ecr.us-west-2.registry.test:4566/v2/app/blobs/" +
                reg::Sha256DigestOf("layer-one"));
  url = Ecr("GetDownloadUrlForLayer",
            {{"repositoryName", "app"}, {"layerDigest", reg::Sha256DigestOf("absent")}}, root_a_);
  EXPECT_EQ(url.type(), "LayersNotFoundException");

  Reply scan = Ecr("DescribeImageScanFindings",
                   {{"repositoryName", "app"}, {"imageId", {{"imageTag", "v1"}}}}, root_a_);
  EXPECT_EQ(scan.type(), "ScanNotFoundException");
  scan = Ecr("DescribeImageScanFindings",
             {{"repositoryName", "app"}, {"imageId", {{"imageTag", "v7"}}}}, root_a_);
  EXPECT_EQ(scan.type(), "ImageNotFoundException");
  Reply replication = Ecr("DescribeImageReplicationStatus",
                          {{"repositoryName", "app"}, {"imageId", {{"imageTag", "v1"}}}}, root_a_);
  ASSERT_EQ(replication.status, 200) << replication.body.dump();
  EXPECT_EQ(replication.body["replicationStatuses"], json::array());
  EXPECT_EQ(replication.body["imageId"], json({{"imageDigest", digest}, {"imageTag", "v1"}}));

  // Deleting by tag removes the tag; the last tag takes the image.
  Reply del = Ecr("BatchDeleteImage",
                  {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "v1"}}}}}, root_a_);
  ASSERT_EQ(del.status, 200) << del.body.dump();
  EXPECT_EQ(del.body["imageIds"], json({{{"imageDigest", digest}, {"imageTag", "v1"}}}));
  del = Ecr("BatchDeleteImage",
            {{"repositoryName", "app"},
             {"imageIds", {{{"imageTag", "latest"}}, {{"imageTag", "latest"}}}}},
            root_a_);
  ASSERT_EQ(del.status, 200) << del.body.dump();
  EXPECT_EQ(del.body["imageIds"], json({{{"imageDigest", digest}, {"imageTag", "latest"}}}));
  EXPECT_EQ(del.body["failures"][0]["failureCode"], "ImageNotFound");
  EXPECT_EQ(Ecr("ListImages", {{"repositoryName", "app"}}, root_a_).body["imageIds"],
            json::array());

  // DeleteRepository needs force while images remain.
  ASSERT_EQ(
      Ecr("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}}, root_a_).status,
      200);
  Reply gone = Ecr("DeleteRepository", {{"repositoryName", "app"}}, root_a_);
  EXPECT_EQ(gone.type(), "RepositoryNotEmptyException");
  gone = Ecr("DeleteRepository", {{"repositoryName", "app"}, {"force", true}}, root_a_);
  EXPECT_EQ(gone.status, 200) << gone.body.dump();
}

TEST_F(EcrServiceTest, RepositoryPolicies) {
  ASSERT_EQ(Ecr("CreateRepository", {{"repositoryName", "shared"}}, root_a_).status, 200);
  std::string manifest = PushBlobsFor("shared", "s", root_a_);
  ASSERT_EQ(
      Ecr("PutImage",
          {{"repositoryName", "shared"}, {"imageManifest", manifest}, {"imageTag", "v1"}}, root_a_)
          .status,
      200);
  json pull = {
      {"repositoryName", "shared"}, {"registryId", kA}, {"imageIds", {{{"imageTag", "v1"}}}}};
  // B's puller may do anything on ECR by its own policy, but A's repository has no policy.
  Reply r = Ecr("BatchGetImage", pull, puller_);
  EXPECT_EQ(r.type(), "AccessDeniedException");
  EXPECT_NE(
      r.message().find("because no resource-based policy allows the ecr:BatchGetImage action"),
      std::string::npos)
      << r.message();
  r = Ecr("GetRepositoryPolicy", {{"repositoryName", "shared"}}, root_a_);
  EXPECT_EQ(r.type(), "RepositoryPolicyNotFoundException");
  EXPECT_EQ(r.message(),
            "Repository policy does not exist for the repository with name 'shared' in the "
            "registry with id '111111111111'");

  r = Ecr("SetRepositoryPolicy", {{"repositoryName", "shared"}, {"policyText", "{\"Version\":1"}},
          root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  EXPECT_EQ(r.message(),
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository "
            "policy provided'");
  const std::string policy =
      R"({"Version":"2008-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow",)"
      R"("Principal":{"AWS":"arn:aws:iam::999999999999:root"},)"
      R"("Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]})";
  r = Ecr("SetRepositoryPolicy", {{"repositoryName", "shared"}, {"policyText", policy}}, root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body,
            json({{"registryId", kA}, {"repositoryName", "shared"}, {"policyText", policy}}));
  r = Ecr("GetRepositoryPolicy", {{"repositoryName", "shared"}}, root_a_);
  EXPECT_EQ(r.body["policyText"], policy);

  r = Ecr("BatchGetImage", pull, puller_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["images"].size(), 1u);
  // The policy grants nothing else, and nothing to users without an identity grant.
  r = Ecr("DescribeImages", {{"repositoryName", "shared"}, {"registryId", kA}}, puller_);
  EXPECT_EQ(r.type(), "AccessDeniedException");
  r = Ecr("BatchGetImage", pull, nobody_);
  EXPECT_EQ(r.type(), "AccessDeniedException");
  // Another account's missing repository: a denial, not RepositoryNotFound.
  r = Ecr("BatchGetImage",
          {{"repositoryName", "absent"}, {"registryId", kA}, {"imageIds", {{{"imageTag", "v1"}}}}},
          puller_);
  EXPECT_EQ(r.type(), "AccessDeniedException");
  r = Ecr("BatchGetImage", {{"repositoryName", "absent"}, {"imageIds", {{{"imageTag", "v1"}}}}},
          root_a_);
  EXPECT_EQ(r.type(), "RepositoryNotFoundException");

  r = Ecr("DeleteRepositoryPolicy", {{"repositoryName", "shared"}}, root_a_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["policyText"], policy);
  r = Ecr("DeleteRepositoryPolicy", {{"repositoryName", "shared"}}, root_a_);
  EXPECT_EQ(r.type(), "RepositoryPolicyNotFoundException");
  EXPECT_EQ(Ecr("BatchGetImage", pull, puller_).type(), "AccessDeniedException");
}

TEST_F(EcrServiceTest, SubscriptionGrantsThePackagesRepositories) {
  const std::string digest = SeedPackages();
  sigv4::Credentials session = AssumeCuratedRole();
  json pull = {{"repositoryName", "eks-anywhere-packages"},
               {"registryId", kP},
               {"imageIds", {{{"imageTag", "latest"}}}}};
  // Before A subscribes: the role's policy alone is not enough across accounts.
  Reply r = Ecr("BatchGetImage", pull, session);
  EXPECT_EQ(r.type(), "AccessDeniedException");
  EXPECT_EQ(r.message(),
            "User: arn:aws:sts::111111111111:assumed-role/curated-packages-role/s1 is not "
            "authorized to perform: ecr:BatchGetImage on resource: "
            "arn:aws:ecr:us-west-2:346438352937:repository/eks-anywhere-packages because no "
            "resource-based policy allows the ecr:BatchGetImage action");

  subscribers_[kA] = clock_.Now() + seconds(7200);
  r = Ecr("BatchGetImage", pull, session);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["images"].size(), 1u);
  EXPECT_EQ(r.body["images"][0]["imageId"]["imageDigest"], digest);
  r = Ecr("DescribeRepositories", {{"registryId", kP}}, session);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["repositories"].size(), 1u);
  EXPECT_EQ(r.body["repositories"][0]["repositoryUri"],
            "346438352937.dkr.ecr.us-west-2.registry.test:4566/eks-anywhere-packages");
  r = Ecr("DescribeImages", {{"repositoryName", "eks-anywhere-packages"}, {"registryId", kP}},
          session);
  EXPECT_EQ(r.status, 200) << r.body.dump();
  r = Ecr("ListTagsForResource",
          {{"resourceArn", "arn:aws:ecr:us-west-2:346438352937:repository/eks-anywhere-packages"}},
          session);
  EXPECT_EQ(r.status, 200) << r.body.dump();
  // Reading is granted, writing is not.
  r = Ecr("PutImage",
          {{"repositoryName", "eks-anywhere-packages"},
           {"registryId", kP},
           {"imageManifest", "{}"},
           {"imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json"}},
          session);
  EXPECT_EQ(r.type(), "InvalidParameterException");  // validated before authorization
  r = Ecr("InitiateLayerUpload", {{"repositoryName", "eks-anywhere-packages"}, {"registryId", kP}},
          session);
  EXPECT_EQ(r.type(), "AccessDeniedException");
  // B itself is not a subscriber.
  r = Ecr("BatchGetImage", pull, puller_);
  EXPECT_EQ(r.type(), "AccessDeniedException");

  // The packages account sees the grant in its effective policy.
  r = Ecr("GetRepositoryPolicy", {{"repositoryName", "eks-anywhere-packages"}}, root_p_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  json doc = json::parse(r.body["policyText"].get<std::string>());
  EXPECT_EQ(doc["Statement"][0]["Sid"], "EksAnywhereSubscriptions");
  EXPECT_EQ(doc["Statement"][0]["Principal"]["AWS"], json({"arn:aws:iam::111111111111:root"}));

  // The subscription ends: access ends with it.
  clock_.Advance(seconds(7200));
  sigv4::Credentials later = AssumeCuratedRole();
  r = Ecr("BatchGetImage", pull, later);
  EXPECT_EQ(r.type(), "AccessDeniedException");
}

TEST_F(EcrServiceTest, RepositoryTags) {
  ASSERT_EQ(Ecr("CreateRepository", {{"repositoryName", "tagged"}}, root_a_).status, 200);
  const std::string arn = "arn:aws:ecr:us-west-2:111111111111:repository/tagged";
  Reply r = Ecr("TagResource",
                {{"resourceArn", arn},
                 {"tags", {{{"Key", "team"}, {"Value", "a"}}, {{"Key", "env"}, {"Value", "dev"}}}}},
                root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body, json::object());
  r = Ecr("ListTagsForResource", {{"resourceArn", arn}}, root_a_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["tags"],
            json({{{"Key", "env"}, {"Value", "dev"}}, {{"Key", "team"}, {"Value", "a"}}}));
  r = Ecr("UntagResource", {{"resourceArn", arn}, {"tagKeys", {"env"}}}, root_a_);
  ASSERT_EQ(r.status, 200);
  r = Ecr("ListTagsForResource", {{"resourceArn", arn}}, root_a_);
  EXPECT_EQ(r.body["tags"], json({{{"Key", "team"}, {"Value", "a"}}}));

  r = Ecr("ListTagsForResource", {{"resourceArn", "arn:aws:s3:::bucket"}}, root_a_);
  EXPECT_EQ(r.type(), "InvalidParameterException");
  EXPECT_EQ(r.message(),
            "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'");
  r = Ecr("ListTagsForResource",
          {{"resourceArn", "arn:aws:ecr:us-west-2:111111111111:repository/absent"}}, root_a_);
  EXPECT_EQ(r.type(), "RepositoryNotFoundException");
  json many = json::array();
  for (int i = 0; i < 50; ++i) many.push_back({{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
  r = Ecr("TagResource", {{"resourceArn", arn}, {"tags", many}}, root_a_);
  EXPECT_EQ(r.type(), "TooManyTagsException");
  r = Ecr("TagResource", {{"resourceArn", arn}, {"tags", {{{"Key", ""}, {"Value", "v"}}}}},
          root_a_);
  EXPECT_EQ(r.type(), "InvalidTagParameterException");
}

TEST_F(EcrServiceTest, PullThroughCacheRules) {
  Reply r = Ecr("DescribePullThroughCacheRules", json::object(), root_a_);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body, json({{"pullThroughCacheRules", json::array()}}));
  r = Ecr("DescribePullThroughCacheRules", {{"ecrRepositoryPrefixes", {"docker-hub"}}}, root_a_);
  EXPECT_EQ(r.type(), "PullThroughCacheRuleNotFoundException");
}

TEST_F(EcrServiceTest, OperationsAndUnsignedRequests) {
  EXPECT_EQ(EcrService::Operations().size(), 24u);
  // Unsigned: the error speaks ECR's protocol.
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"Host", "127.0.0.1:4566"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"}};
  req.body = "{}";
  http::Response r = handler_->Handle(std::move(req));
  EXPECT_EQ(r.status, 403) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["__type"], "MissingAuthenticationTokenException");
  EXPECT_EQ(r.service, "ecr");
  EXPECT_EQ(r.operation, "DescribeRepositories");
}

}  // namespace
}  // namespace cpa::server::api
