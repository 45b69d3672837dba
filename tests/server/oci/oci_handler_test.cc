// The `/v2` endpoint in process: a real Store and Registry in a temporary directory on a fake
// clock, tokens minted with TokenCodec, requests passed to OciHandler::Handle (no sockets).
#include "server/oci/oci_handler.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../http/test_client.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "server/api/authorizer.h"
#include "server/http/server.h"
#include "server/registry/auth_token.h"
#include "server/registry/registry.h"
#include "server/store/store.h"

namespace cpa::server::oci {
namespace {

namespace st = store;
namespace reg = registry;

constexpr const char* kA = "111111111111";
constexpr const char* kB = "222222222222";
constexpr const char* kHostA = "111111111111.dkr.ecr.us-east-1.localhost:5000";
constexpr const char* kHostB = "222222222222.dkr.ecr.us-east-1.localhost:5000";
// 2024-05-01T12:00:00Z
constexpr int64_t kStart = 1714564800;

constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerManifestType =
    "application/vnd.docker.distribution.manifest.v2+json";

std::string Digest(std::string_view bytes) { return "sha256:" + core::Sha256Hex(bytes); }

std::string ReadSlice(const http::FileBody& f) {
  std::ifstream in(f.path, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  std::string s = all.str();
  if (f.offset > s.size()) return "";
  return s.substr(f.offset, f.length);
}

// The bytes a response carries (its body, or its file slice).
std::string Bytes(const http::Response& r) { return r.file ? ReadSlice(*r.file) : r.body; }

std::string ImageManifest(std::string_view type, std::string_view config_type,
                          std::string_view config, std::string_view layer_type,
                          std::string_view layer) {
  nlohmann::json m = {
      {"schemaVersion", 2},
      {"mediaType", type},
      {"config", {{"mediaType", config_type}, {"digest", Digest(config)}, {"size", config.size()}}},
      {"layers",
       nlohmann::json::array(
           {{{"mediaType", layer_type}, {"digest", Digest(layer)}, {"size", layer.size()}}})}};
  return m.dump();
}

std::string OciImage(std::string_view config, std::string_view layer) {
  return ImageManifest(kOciManifestType, "application/vnd.oci.image.config.v1+json", config,
                       "application/vnd.oci.image.layer.v1.tar+gzip", layer);
}

std::string DockerImage(std::string_view config, std::string_view layer) {
  return ImageManifest(kDockerManifestType, "application/vnd.docker.container.image.v1+json",
                       config, "application/vnd.docker.image.rootfs.diff.tar.gzip", layer);
}

class OciHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-oci-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    st::StoreOptions so;
    so.data_dir = dir_ + "/state";
    so.clock = &clock_;
    auto s = st::Store::Open(so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    for (const char* id : {kA, kB}) {
      st::Account a;
      a.id = id;
      a.name = std::string("account-") + id;
      ASSERT_TRUE(store_->accounts().Create(a).ok());
    }
    reg::RegistryOptions ro;
    ro.store = store_.get();
    auto r = reg::Registry::Open(ro);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = std::move(*r);
    std::array<uint8_t, 32> key{};
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    codec_ = std::make_unique<reg::TokenCodec>(key);
    authorizer_ = std::make_unique<api::Authorizer>(*store_);

    OciHandlerOptions o;
    o.registry = registry_.get();
    o.store = store_.get();
    o.tokens = codec_.get();
    o.authorizer = authorizer_.get();
    o.clock = &clock_;
    o.random = &random_;
    handler_ = std::make_unique<OciHandler>(o);

    root_a_ = Token(kA, "");
    root_b_ = Token(kB, "");
    // B's users: "puller" may use ECR (its identity policy); "nobody" has no policy.
    ASSERT_TRUE(store_->users().Create({kB, "puller", "/", ""}).ok());
    ASSERT_TRUE(store_->inline_policies()
                    .Put(st::PrincipalRef::User(kB, "puller"), "ecr",
                         R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                         R"("Action":"ecr:*","Resource":"*"}})")
                    .ok());
    puller_ = Token(kB, "puller");
    ASSERT_TRUE(store_->users().Create({kB, "nobody", "/", ""}).ok());
    nobody_ = Token(kB, "nobody");

    CreateRepo(kA, "app");
  }
  void TearDown() override {
    handler_.reset();
    registry_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // An Authorization header for a new key of `user` (root when empty), valid 12 hours.
  std::string Token(const char* account, const char* user) {
    st::NewAccessKey k;
    k.account_id = account;
    k.user_name = user;
    auto key = store_->access_keys().Create(k);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    reg::TokenClaims c;
    c.access_key_id = key->access_key_id;
    c.account_id = account;
    c.principal_arn = std::string("arn:aws:iam::") + account +
                      (*user ? std::string(":user/") + user : std::string(":root"));
    c.issued_at = clock_.Now();
    c.expires_at = clock_.Now() + std::chrono::hours(12);
    return "Basic " + reg::TokenCodec::AuthorizationToken(codec_->Issue(c, random_));
  }

  void CreateRepo(const char* account, const char* name) {
    reg::NewRepository n;
    n.id = {account, "us-east-1", name};
    auto r = registry_->CreateRepository(n);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  http::Response Send(std::string method, std::string target, const std::string& auth,
                      std::string body = "", http::HeaderList headers = {},
                      std::string host = kHostA) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers = {{"Host", host}};
    if (!auth.empty()) r.headers.emplace_back("Authorization", auth);
    for (auto& h : headers) r.headers.push_back(std::move(h));
    r.body_size = body.size();
    r.body = std::move(body);
    r.remote_address = "127.0.0.1";
    http::Response resp = handler_->Handle(std::move(r));
    EXPECT_EQ(resp.Header("Docker-Distribution-Api-Version").value_or(""), "registry/2.0");
    EXPECT_EQ(resp.service, "registry");
    return resp;
  }

  static std::string ErrorCode(const http::Response& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("errors") || j["errors"].empty()) return "<no error body>";
    return j["errors"][0].value("code", "");
  }
  static std::string ErrorMessage(const http::Response& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("errors") || j["errors"].empty()) return "";
    return j["errors"][0].value("message", "");
  }
  static std::string H(const http::Response& r, std::string_view name) {
    return std::string(r.Header(name).value_or(""));
  }

  // Monolithic blob push (single POST with ?digest=).
  void PushBlob(const std::string& repo, const std::string& bytes, const std::string& auth = "",
                const char* host = kHostA) {
    http::Response r = Send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + Digest(bytes),
                            auth.empty() ? root_a_ : auth, bytes, {}, host);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // Pushes the blobs of an OCI image and the manifest under `tag`; returns the manifest digest.
  std::string PushImage(const std::string& repo, const std::string& tag, const std::string& config,
                        const std::string& layer, bool docker = false) {
    PushBlob(repo, config);
    PushBlob(repo, layer);
    std::string manifest = docker ? DockerImage(config, layer) : OciImage(config, layer);
    http::Response r =
        Send("PUT", "/v2/" + repo + "/manifests/" + tag, root_a_, manifest,
             {{"Content-Type", std::string(docker ? kDockerManifestType : kOciManifestType)}});
    EXPECT_EQ(r.status, 201) << r.body;
    return Digest(manifest);
  }

  std::string dir_;
  core::FakeClock clock_{core::TimePoint(std::chrono::seconds(kStart))};
  core::SeededRandom random_{42};
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<reg::Registry> registry_;
  std::unique_ptr<reg::TokenCodec> codec_;
  std::unique_ptr<api::Authorizer> authorizer_;
  std::unique_ptr<OciHandler> handler_;
  std::string root_a_, root_b_, puller_, nobody_;
};

// ---- authentication ----

TEST_F(OciHandlerTest, ChallengeWithoutCredentials) {
  for (const char* target : {"/v2/", "/v2/app/manifests/latest", "/v2/app/blobs/uploads/",
                             "/v2/_catalog", "/v2/nothing/here"}) {
    SCOPED_TRACE(target);
    http::Response r = Send("GET", target, "");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(H(r, "Www-Authenticate"),
              "Basic realm=\"https://111111111111.dkr.ecr.us-east-1.localhost:5000/\","
              "service=\"ecr.amazonaws.com\"");
    EXPECT_EQ(r.body, "Not Authorized");
  }
  // A Bearer credential is no Basic credential: the same challenge.
  EXPECT_EQ(Send("GET", "/v2/", "Bearer abc").status, 401);
}

TEST_F(OciHandlerTest, ApiVersionCheck) {
  http::Response r = Send("GET", "/v2/", root_a_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.operation, "ApiVersionCheck");
  EXPECT_EQ(r.outcome, "success");
  // A token works for any account's registry (IAM decides per repository).
  EXPECT_EQ(Send("GET", "/v2/", nobody_).status, 200);
  EXPECT_EQ(Send("POST", "/v2/", root_a_).status, 405);
}

TEST_F(OciHandlerTest, BadTokens) {
  for (const std::string& auth :
       {std::string("Basic !!!"), std::string("Basic ") + "Zm9vOmJhcg==" /* foo:bar */,
        "Basic " + reg::TokenCodec::AuthorizationToken("eyJub3QiOiJhIHRva2VuIn0=")}) {
    SCOPED_TRACE(auth);
    http::Response r = Send("GET", "/v2/app/manifests/latest", auth);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(ErrorCode(r), "UNAUTHORIZED");
    EXPECT_FALSE(H(r, "Www-Authenticate").empty());
  }
}

TEST_F(OciHandlerTest, ExpiredTokenIsDeniedAsEcrDoes) {
  clock_.Advance(std::chrono::hours(12) + std::chrono::seconds(1));
  http::Response r = Send("GET", "/v2/app/manifests/latest", root_a_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorCode(r), "DENIED");
  EXPECT_EQ(ErrorMessage(r), "Your authorization token has expired. Reauthenticate and try again.");
}

TEST_F(OciHandlerTest, DeletedKeyStopsItsToken) {
  auto keys = store_->access_keys().List(kB, "nobody");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->items.size(), 1u);
  ASSERT_TRUE(store_->access_keys().Delete(kB, "nobody", keys->items[0].access_key_id).ok());
  http::Response r = Send("GET", "/v2/", nobody_);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorCode(r), "UNAUTHORIZED");
}

TEST_F(OciHandlerTest, NonRegistryHost) {
  http::Response r = Send("GET", "/v2/", root_a_, "", {}, "127.0.0.1:5000");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "NAME_UNKNOWN");

  OciHandlerOptions o;
  o.registry = registry_.get();
  o.store = store_.get();
  o.tokens = codec_.get();
  o.authorizer = authorizer_.get();
  o.clock = &clock_;
  o.not_registry = [](http::Request&&) { return http::TextResponse(418, "elsewhere"); };
  OciHandler h(o);
  http::Request req;
  req.method = "GET";
  req.target = "/v2/";
  req.headers = {{"Host", "public.ecr.aws"}};
  EXPECT_EQ(h.Handle(std::move(req)).status, 418);
}

// ---- push and pull ----

TEST_F(OciHandlerTest, MonolithicPushAndPull) {
  const std::string layer = "layer bytes: 0123456789";
  http::Response r = Send("POST", "/v2/app/blobs/uploads/?digest=" + Digest(layer), root_a_, layer);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(H(r, "Location"), "/v2/app/blobs/" + Digest(layer));
  EXPECT_EQ(H(r, "Docker-Content-Digest"), Digest(layer));
  EXPECT_EQ(r.operation, "UploadBlob");

  r = Send("HEAD", "/v2/app/blobs/" + Digest(layer), root_a_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "Docker-Content-Digest"), Digest(layer));
  ASSERT_TRUE(r.file);
  EXPECT_EQ(r.file->length, layer.size());

  r = Send("GET", "/v2/app/blobs/" + Digest(layer), root_a_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(Bytes(r), layer);

  // A wrong digest is refused and nothing is stored.
  r = Send("POST", "/v2/app/blobs/uploads/?digest=" + Digest("other"), root_a_, "mismatch");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "DIGEST_INVALID");
  EXPECT_EQ(Send("HEAD", "/v2/app/blobs/" + Digest("mismatch"), root_a_).status, 404);
  r = Send("POST", "/v2/app/blobs/uploads/?digest=sha256:abc", root_a_, "x");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "DIGEST_INVALID");
}

TEST_F(OciHandlerTest, BlobRanges) {
  const std::string layer = "abcdefghijklmnopqrstuvwxyz";
  PushBlob("app", layer);
  const std::string path = "/v2/app/blobs/" + Digest(layer);
  http::Response r = Send("GET", path, root_a_, "", {{"Range", "bytes=2-5"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(H(r, "Content-Range"), "bytes 2-5/26");
  EXPECT_EQ(Bytes(r), "cdef");
  r = Send("GET", path, root_a_, "", {{"Range", "bytes=20-"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(Bytes(r), "uvwxyz");
  r = Send("GET", path, root_a_, "", {{"Range", "bytes=-3"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(H(r, "Content-Range"), "bytes 23-25/26");
  EXPECT_EQ(Bytes(r), "xyz");
  r = Send("GET", path, root_a_, "", {{"Range", "bytes=24-100"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(Bytes(r), "yz");
  r = Send("GET", path, root_a_, "", {{"Range", "bytes=26-"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(H(r, "Content-Range"), "bytes */26");
  // Malformed or multiple ranges are ignored: the whole blob.
  for (const char* range : {"bytes=5-2", "items=0-1", "bytes=0-1,3-4", "bytes=x-"}) {
    r = Send("GET", path, root_a_, "", {{"Range", range}});
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(Bytes(r), layer) << range;
  }
}

TEST_F(OciHandlerTest, ChunkedPush) {
  const std::string blob = "0123456789abcdefghij";
  http::Response r = Send("POST", "/v2/app/blobs/uploads/", root_a_);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string location = H(r, "Location");
  const std::string uuid = H(r, "Docker-Upload-UUID");
  EXPECT_EQ(location, "/v2/app/blobs/uploads/" + uuid);
  EXPECT_EQ(H(r, "Range"), "0-0");
  EXPECT_EQ(r.operation, "StartUpload");

  r = Send("PATCH", location, root_a_, blob.substr(0, 5), {{"Content-Range", "0-4"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(H(r, "Range"), "0-4");
  EXPECT_EQ(H(r, "Location"), location);

  // Out of order: 416, and the upload stands where it was.
  r = Send("PATCH", location, root_a_, blob.substr(10, 3), {{"Content-Range", "10-12"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(H(r, "Range"), "0-4");
  // A Content-Range that does not match the body.
  r = Send("PATCH", location, root_a_, "abc", {{"Content-Range", "5-9"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "SIZE_INVALID");

  r = Send("GET", location, root_a_);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(H(r, "Range"), "0-4");

  // A streamed chunk (no Content-Range), then the last chunk with the closing PUT.
  r = Send("PATCH", location, root_a_, blob.substr(5, 10));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(H(r, "Range"), "0-14");
  r = Send("PUT", location + "?digest=" + Digest(blob), root_a_, blob.substr(15),
           {{"Content-Range", "15-19"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(H(r, "Location"), "/v2/app/blobs/" + Digest(blob));
  EXPECT_EQ(H(r, "Docker-Content-Digest"), Digest(blob));
  EXPECT_EQ(Bytes(Send("GET", "/v2/app/blobs/" + Digest(blob), root_a_)), blob);

  // The upload is gone once complete.
  r = Send("GET", location, root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(OciHandlerTest, UploadFromSpooledFileAndWrongDigest) {
  http::Response r = Send("POST", "/v2/app/blobs/uploads/", root_a_);
  ASSERT_EQ(r.status, 202);
  const std::string location = H(r, "Location");
  // The server hands large bodies over as files.
  const std::string spooled = dir_ + "/spool-1";
  const std::string bytes(200000, 'z');
  {
    std::ofstream out(spooled, std::ios::binary);
    out << bytes;
  }
  http::Request req;
  req.method = "PATCH";
  req.target = location;
  req.headers = {{"Host", kHostA}, {"Authorization", root_a_}};
  req.body_file = spooled;
  req.body_size = bytes.size();
  req.remote_address = "127.0.0.1";
  r = handler_->Handle(std::move(req));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(H(r, "Range"), "0-199999");

  r = Send("PUT", location + "?digest=" + Digest("not these bytes"), root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "DIGEST_INVALID");
  r = Send("PUT", location, root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "DIGEST_INVALID");
}

TEST_F(OciHandlerTest, CancelUpload) {
  http::Response r = Send("POST", "/v2/app/blobs/uploads/", root_a_);
  ASSERT_EQ(r.status, 202);
  const std::string location = H(r, "Location");
  r = Send("DELETE", location, root_a_);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.operation, "CancelUpload");
  r = Send("PATCH", location, root_a_, "x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "BLOB_UPLOAD_UNKNOWN");
  r = Send("GET", "/v2/app/blobs/uploads/00000000-0000-4000-8000-000000000000", root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(OciHandlerTest, CrossRepositoryMount) {
  CreateRepo(kA, "other");
  const std::string layer = "shared layer";
  PushBlob("app", layer);
  http::Response r =
      Send("POST", "/v2/other/blobs/uploads/?mount=" + Digest(layer) + "&from=app", root_a_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.operation, "MountBlob");
  EXPECT_EQ(H(r, "Location"), "/v2/other/blobs/" + Digest(layer));
  EXPECT_EQ(Bytes(Send("GET", "/v2/other/blobs/" + Digest(layer), root_a_)), layer);

  // A blob the source does not have: an upload session instead.
  r = Send("POST", "/v2/other/blobs/uploads/?mount=" + Digest("absent") + "&from=app", root_a_);
  EXPECT_EQ(r.status, 202);
  EXPECT_FALSE(H(r, "Docker-Upload-UUID").empty());
  // Without `from`, too.
  r = Send("POST", "/v2/other/blobs/uploads/?mount=" + Digest(layer), root_a_);
  EXPECT_EQ(r.status, 202);
}

TEST_F(OciHandlerTest, MountNeedsDownloadPermissionOnTheSource) {
  // B's puller may push into B's repository but may not download from A's: a source in another
  // registry is never mounted (mounting stays within the host's registry), and within B's
  // registry a source the caller cannot read is not mounted either.
  CreateRepo(kB, "mine");
  CreateRepo(kB, "secret");
  const std::string layer = "b's layer";
  PushBlob("secret", layer, root_b_, kHostB);
  ASSERT_TRUE(store_->inline_policies()
                  .Put(st::PrincipalRef::User(kB, "puller"), "deny-secret",
                       R"({"Version":"2012-10-17","Statement":{"Effect":"Deny",)"
                       R"("Action":"ecr:GetDownloadUrlForLayer",)"
                       R"("Resource":"arn:aws:ecr:us-east-1:222222222222:repository/secret"}})")
                  .ok());
  http::Response r = Send("POST", "/v2/mine/blobs/uploads/?mount=" + Digest(layer) + "&from=secret",
                          puller_, "", {}, kHostB);
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Send("HEAD", "/v2/mine/blobs/" + Digest(layer), root_b_, "", {}, kHostB).status, 404);
}

TEST_F(OciHandlerTest, ManifestPushPullAndHead) {
  const std::string config = R"({"architecture":"amd64","os":"linux"})";
  const std::string layer = "layer-1";
  PushBlob("app", config);
  PushBlob("app", layer);
  const std::string manifest = OciImage(config, layer);
  http::Response r = Send("PUT", "/v2/app/manifests/v1", root_a_, manifest,
                          {{"Content-Type", std::string(kOciManifestType)}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(H(r, "Docker-Content-Digest"), Digest(manifest));
  EXPECT_EQ(H(r, "Location"), "/v2/app/manifests/" + Digest(manifest));

  for (const std::string& ref : {std::string("v1"), Digest(manifest)}) {
    SCOPED_TRACE(ref);
    r = Send("GET", "/v2/app/manifests/" + ref, root_a_);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, manifest);
    EXPECT_EQ(H(r, "Content-Type"), kOciManifestType);
    EXPECT_EQ(H(r, "Docker-Content-Digest"), Digest(manifest));
    r = Send("HEAD", "/v2/app/manifests/" + ref, root_a_);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(H(r, "Content-Length"), std::to_string(manifest.size()));
    EXPECT_EQ(H(r, "Docker-Content-Digest"), Digest(manifest));
  }
  // The pull is recorded.
  auto image = registry_->GetImage({kA, "us-east-1", "app"}, {Digest(manifest), ""});
  ASSERT_TRUE(image.ok());
  EXPECT_TRUE(image->last_pull.has_value());

  // Push by digest; pushing the same manifest again is fine.
  r = Send("PUT", "/v2/app/manifests/" + Digest(manifest), root_a_, manifest,
           {{"Content-Type", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 201) << r.body;
  r = Send("PUT", "/v2/app/manifests/v1", root_a_, manifest,
           {{"Content-Type", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 201) << r.body;
  // By a digest that is not the manifest's.
  r = Send("PUT", "/v2/app/manifests/" + Digest("x"), root_a_, manifest,
           {{"Content-Type", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "DIGEST_INVALID");

  r = Send("GET", "/v2/app/manifests/nope", root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "MANIFEST_UNKNOWN");
  EXPECT_EQ(ErrorMessage(r), "Requested image not found");
  r = Send("GET", "/v2/app/manifests/bad%20tag!", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "TAG_INVALID");
}

TEST_F(OciHandlerTest, ManifestValidation) {
  http::Response r = Send("PUT", "/v2/app/manifests/v1", root_a_, "{not json",
                          {{"Content-Type", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "MANIFEST_INVALID");
  // References a layer the repository does not have.
  const std::string config = "{}";
  PushBlob("app", config);
  r = Send("PUT", "/v2/app/manifests/v1", root_a_, OciImage(config, "missing layer"),
           {{"Content-Type", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "MANIFEST_BLOB_UNKNOWN");
  r = Send("PUT", "/v2/app/manifests/v1", root_a_, "",
           {{"Content-Type", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "MANIFEST_INVALID");
}

TEST_F(OciHandlerTest, ContentNegotiation) {
  const std::string oci = PushImage("app", "oci", "{\"c\":1}", "layer-oci");
  const std::string docker = PushImage("app", "docker", "{\"c\":2}", "layer-docker", true);
  const std::string docker_only = std::string(kDockerManifestType);
  const std::string all = std::string(kOciManifestType) + ", " + docker_only;

  // No Accept, a wildcard, the stored type, or the type among several header fields: served.
  EXPECT_EQ(Send("GET", "/v2/app/manifests/oci", root_a_).status, 200);
  EXPECT_EQ(Send("GET", "/v2/app/manifests/oci", root_a_, "", {{"Accept", "*/*"}}).status, 200);
  EXPECT_EQ(Send("GET", "/v2/app/manifests/oci", root_a_, "", {{"Accept", all}}).status, 200);
  http::Response r = Send("GET", "/v2/app/manifests/oci", root_a_, "",
                          {{"Accept", docker_only}, {"Accept", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "Docker-Content-Digest"), oci);

  // An OCI manifest for a Docker-only client: distribution's refusal.
  r = Send("GET", "/v2/app/manifests/oci", root_a_, "", {{"Accept", docker_only}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "MANIFEST_UNKNOWN");
  EXPECT_EQ(ErrorMessage(r),
            "OCI manifest found, but accept header does not support OCI manifests");
  // q=0 excludes a type.
  r = Send("GET", "/v2/app/manifests/oci", root_a_, "",
           {{"Accept", std::string(kOciManifestType) + ";q=0, " + docker_only}});
  EXPECT_EQ(r.status, 404);
  r = Send("GET", "/v2/app/manifests/docker", root_a_, "", {{"Accept", docker_only}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "Content-Type"), kDockerManifestType);
  EXPECT_EQ(H(r, "Docker-Content-Digest"), docker);

  // An index of a linux/amd64 Docker image and an arm64 OCI image.
  nlohmann::json index = {{"schemaVersion", 2},
                          {"mediaType", kOciIndexType},
                          {"manifests",
                           {{{"mediaType", kOciManifestType},
                             {"digest", oci},
                             {"size", 100},
                             {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}},
                            {{"mediaType", kDockerManifestType},
                             {"digest", docker},
                             {"size", 100},
                             {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
  r = Send("PUT", "/v2/app/manifests/multi", root_a_, index.dump(),
           {{"Content-Type", std::string(kOciIndexType)}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string index_digest = H(r, "Docker-Content-Digest");
  r = Send("GET", "/v2/app/manifests/multi", root_a_, "",
           {{"Accept", std::string(kOciIndexType) + "," + all}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "Content-Type"), kOciIndexType);
  // By tag, a client without index support gets the linux/amd64 image it can read.
  r = Send("GET", "/v2/app/manifests/multi", root_a_, "", {{"Accept", docker_only}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(H(r, "Docker-Content-Digest"), docker);
  // By digest there is no substitute.
  r = Send("GET", "/v2/app/manifests/" + index_digest, root_a_, "", {{"Accept", docker_only}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorMessage(r), "OCI index found, but accept header does not support OCI indexes");
  // Nor when the child's type is not accepted either.
  r = Send("GET", "/v2/app/manifests/multi", root_a_, "",
           {{"Accept", "application/vnd.oci.artifact.manifest.v1+json"}});
  EXPECT_EQ(r.status, 404);
}

TEST_F(OciHandlerTest, TagsPagination) {
  const std::string config = "{}", layer = "l";
  PushImage("app", "b", config, layer);
  for (const char* tag : {"a", "c", "d"}) {
    http::Response r =
        Send("PUT", std::string("/v2/app/manifests/") + tag, root_a_, OciImage(config, layer),
             {{"Content-Type", std::string(kOciManifestType)}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  http::Response r = Send("GET", "/v2/app/tags/list", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json({{"name", "app"}, {"tags", {"a", "b", "c", "d"}}}));
  EXPECT_FALSE(r.Header("Link"));

  r = Send("GET", "/v2/app/tags/list?n=2", root_a_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["tags"], nlohmann::json({"a", "b"}));
  EXPECT_EQ(H(r, "Link"), "</v2/app/tags/list?n=2&last=b>; rel=\"next\"");
  r = Send("GET", "/v2/app/tags/list?n=2&last=b", root_a_);
  EXPECT_EQ(nlohmann::json::parse(r.body)["tags"], nlohmann::json({"c", "d"}));
  EXPECT_FALSE(r.Header("Link"));
  r = Send("GET", "/v2/app/tags/list?last=c", root_a_);
  EXPECT_EQ(nlohmann::json::parse(r.body)["tags"], nlohmann::json({"d"}));

  r = Send("GET", "/v2/app/tags/list?n=0", root_a_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["tags"], nlohmann::json::array());
  EXPECT_FALSE(r.Header("Link"));

  r = Send("GET", "/v2/app/tags/list?n=1001", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "UNSUPPORTED");
  EXPECT_EQ(ErrorMessage(r),
            "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have "
            "value less than or equal to 1000'");
  EXPECT_EQ(Send("GET", "/v2/app/tags/list?n=x", root_a_).status, 400);

  r = Send("GET", "/v2/ghost/tags/list", root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "NAME_UNKNOWN");
}

TEST_F(OciHandlerTest, CatalogPaginationAndVisibility) {
  CreateRepo(kA, "team/api");
  CreateRepo(kA, "team/web");
  CreateRepo(kB, "b-only");
  http::Response r = Send("GET", "/v2/_catalog", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json({{"repositories", {"app", "team/api", "team/web"}}}));

  r = Send("GET", "/v2/_catalog?n=2", root_a_);
  EXPECT_EQ(nlohmann::json::parse(r.body)["repositories"], nlohmann::json({"app", "team/api"}));
  EXPECT_EQ(H(r, "Link"), "</v2/_catalog?n=2&last=team%2Fapi>; rel=\"next\"");
  r = Send("GET", "/v2/_catalog?n=2&last=team%2Fapi", root_a_);
  EXPECT_EQ(nlohmann::json::parse(r.body)["repositories"], nlohmann::json({"team/web"}));
  EXPECT_FALSE(r.Header("Link"));

  // Another account sees only the repositories whose policy lets it describe them.
  r = Send("GET", "/v2/_catalog", puller_);
  EXPECT_EQ(nlohmann::json::parse(r.body)["repositories"], nlohmann::json::array());
  ASSERT_TRUE(registry_
                  ->SetRepositoryPolicy({kA, "us-east-1", "team/web"},
                                        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                                        R"("Principal":{"AWS":"arn:aws:iam::222222222222:root"},)"
                                        R"("Action":["ecr:DescribeRepositories"]}]})")
                  .ok());
  r = Send("GET", "/v2/_catalog?n=1", puller_);
  EXPECT_EQ(nlohmann::json::parse(r.body)["repositories"], nlohmann::json({"team/web"}));
  // Its own registry is another host.
  r = Send("GET", "/v2/_catalog", root_b_, "", {}, kHostB);
  EXPECT_EQ(nlohmann::json::parse(r.body)["repositories"], nlohmann::json({"b-only"}));
}

TEST_F(OciHandlerTest, DeleteManifestAndBlob) {
  const std::string digest = PushImage("app", "one", "{}", "l");
  ASSERT_EQ(Send("PUT", "/v2/app/manifests/two", root_a_, OciImage("{}", "l"),
                 {{"Content-Type", std::string(kOciManifestType)}})
                .status,
            201);
  // A tag goes; the image stays while another tag points at it.
  http::Response r = Send("DELETE", "/v2/app/manifests/one", root_a_);
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Send("GET", "/v2/app/manifests/one", root_a_).status, 404);
  EXPECT_EQ(Send("GET", "/v2/app/manifests/" + digest, root_a_).status, 200);
  // Its last tag takes the image with it (BatchDeleteImage).
  EXPECT_EQ(Send("DELETE", "/v2/app/manifests/two", root_a_).status, 202);
  EXPECT_EQ(Send("GET", "/v2/app/manifests/" + digest, root_a_).status, 404);
  r = Send("DELETE", "/v2/app/manifests/" + digest, root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "MANIFEST_UNKNOWN");

  const std::string d2 = PushImage("app", "three", "{}", "m");
  EXPECT_EQ(Send("DELETE", "/v2/app/manifests/" + d2, root_a_).status, 202);
  EXPECT_EQ(Send("GET", "/v2/app/manifests/three", root_a_).status, 404);

  // Blobs cannot be deleted (ECR has no such operation).
  r = Send("DELETE", "/v2/app/blobs/" + Digest("m"), root_a_);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(ErrorCode(r), "UNSUPPORTED");
}

// ---- authorization ----

TEST_F(OciHandlerTest, CrossAccountNeedsTheRepositoryPolicy) {
  const std::string digest = PushImage("app", "v1", "{\"x\":1}", "pull me");
  // B's puller: its identity policy allows ECR, but A's repository has no policy yet.
  http::Response r = Send("GET", "/v2/app/manifests/v1", puller_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorCode(r), "DENIED");
  EXPECT_EQ(ErrorMessage(r).rfind(
                "User: arn:aws:iam::222222222222:user/puller is not authorized to perform: "
                "ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:111111111111:repository/app",
                0),
            0u)
      << ErrorMessage(r);

  ASSERT_TRUE(registry_
                  ->SetRepositoryPolicy(
                      {kA, "us-east-1", "app"},
                      R"({"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow",)"
                      R"("Principal":{"AWS":"arn:aws:iam::222222222222:root"},)"
                      R"("Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer",)"
                      R"("ecr:BatchCheckLayerAvailability","ecr:ListImages"]}]})")
                  .ok());
  r = Send("GET", "/v2/app/manifests/v1", puller_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(H(r, "Docker-Content-Digest"), digest);
  EXPECT_EQ(Send("HEAD", "/v2/app/blobs/" + Digest("pull me"), puller_).status, 200);
  EXPECT_EQ(Bytes(Send("GET", "/v2/app/blobs/" + Digest("pull me"), puller_)), "pull me");
  EXPECT_EQ(Send("GET", "/v2/app/tags/list", puller_).status, 200);

  // Pushing needs the repository policy too.
  r = Send("POST", "/v2/app/blobs/uploads/", puller_);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(ErrorMessage(r).find("ecr:InitiateLayerUpload"), std::string::npos);
  r = Send("PUT", "/v2/app/manifests/v2", puller_, OciImage("{\"x\":1}", "pull me"),
           {{"Content-Type", std::string(kOciManifestType)}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(ErrorMessage(r).find("ecr:PutImage"), std::string::npos);

  // The policy names B's account; B's users still need their own identity policy.
  r = Send("GET", "/v2/app/manifests/v1", nobody_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorCode(r), "DENIED");
}

TEST_F(OciHandlerTest, MissingRepositoryAfterAuthorizationOnly) {
  // The owner learns the repository does not exist...
  http::Response r = Send("GET", "/v2/ghost/manifests/latest", root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "NAME_UNKNOWN");
  r = Send("POST", "/v2/ghost/blobs/uploads/", root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "NAME_UNKNOWN");
  // ...another account is denied, exactly as for a repository that exists without a policy.
  r = Send("GET", "/v2/ghost/manifests/latest", puller_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorCode(r), "DENIED");
  http::Response existing = Send("GET", "/v2/app/manifests/latest", puller_);
  EXPECT_EQ(existing.status, 403);
  // Same message shape apart from the repository name.
  std::string a = ErrorMessage(r), b = ErrorMessage(existing);
  EXPECT_EQ(a.substr(0, a.find("repository/")), b.substr(0, b.find("repository/")));
}

TEST_F(OciHandlerTest, RoutesAndNames) {
  http::Response r = Send("GET", "/v2/UPPER/manifests/latest", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "NAME_INVALID");
  r = Send("GET", "/v2/app/referrers/" + Digest("x"), root_a_);
  EXPECT_EQ(r.status, 404);
  r = Send("POST", "/v2/app/manifests/latest", root_a_);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(ErrorCode(r), "UNSUPPORTED");
  r = Send("GET", "/v2/app/blobs/sha256:short", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "DIGEST_INVALID");
  r = Send("GET", "/v2/app/blobs/" + Digest("never pushed"), root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "BLOB_UNKNOWN");

  // Multi-component names, and a percent-encoded digest.
  CreateRepo(kA, "eks-anywhere/curated-packages");
  PushBlob("eks-anywhere/curated-packages", "nested");
  std::string encoded = Digest("nested");
  encoded.replace(encoded.find(':'), 1, "%3A");
  r = Send("GET", "/v2/eks-anywhere/curated-packages/blobs/" + encoded, root_a_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Bytes(r), "nested");
}

// ---- over a real listener ----

// The handler behind http::Server on 127.0.0.1:0: spooled (chunked) uploads renamed into the
// registry, sendfile downloads with ranges, HEAD lengths.
TEST_F(OciHandlerTest, OverHttp) {
  const std::string spool = dir_ + "/spool";
  std::filesystem::create_directories(spool);
  http::ServerOptions so;
  so.port = 0;
  so.threads = 2;
  http::Server server(so, nullptr);
  server.AddRoute(
      std::string(kRoutePrefix), [&](http::Request&& r) { return handler_->Handle(std::move(r)); },
      RouteOptionsFor(spool, 64 * 1024 * 1024));
  ASSERT_TRUE(server.Start().ok());
  http::testing::TestClient client(server.port());
  ASSERT_TRUE(client.connected());
  auto request = [&](const std::string& method, const std::string& target,
                     const std::string& headers, const std::string& body = "") {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: " + kHostA +
                      "\r\nAuthorization: " + root_a_ + "\r\n" + headers;
    if (headers.find("Transfer-Encoding") == std::string::npos) {
      raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    raw += "\r\n" + body;
    EXPECT_TRUE(client.Send(raw));
    auto r = client.Read(method == "HEAD");
    EXPECT_TRUE(r.has_value());
    return r.value_or(http::testing::ClientResponse{});
  };

  auto r = request("POST", "/v2/app/blobs/uploads/", "");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string location = r.Field("Location");
  EXPECT_EQ(r.Field("Docker-Distribution-Api-Version"), "registry/2.0");

  // A 300 000-byte chunked PATCH (past the spool threshold: it arrives as a file).
  std::string blob;
  for (int i = 0; i < 300000; ++i) blob += static_cast<char>('a' + i % 26);
  std::ostringstream chunked;
  for (size_t off = 0; off < blob.size(); off += 100000) {
    chunked << std::hex << 100000 << "\r\n" << blob.substr(off, 100000) << "\r\n";
  }
  chunked << "0\r\n\r\n";
  r = request("PATCH", location, "Transfer-Encoding: chunked\r\n", chunked.str());
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Field("Range"), "0-299999");
  r = request("PUT", location + "?digest=" + Digest(blob), "");
  ASSERT_EQ(r.status, 201) << r.body;
  // Nothing is left in the spool directory.
  EXPECT_TRUE(std::filesystem::is_empty(spool));

  r = request("HEAD", "/v2/app/blobs/" + Digest(blob), "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Field("Content-Length"), "300000");
  r = request("GET", "/v2/app/blobs/" + Digest(blob), "Range: bytes=299990-\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, blob.substr(299990));
  r = request("GET", "/v2/app/blobs/" + Digest(blob), "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, blob);

  const std::string config = "{}";
  PushBlob("app", config);
  // Past the spool threshold too (annotations), so that it arrives as a file.
  nlohmann::json big = nlohmann::json::parse(
      ImageManifest(kOciManifestType, "application/vnd.oci.image.config.v1+json", config,
                    "application/vnd.oci.image.layer.v1.tar", blob));
  big["annotations"] = {{"pad", std::string(70000, 'p')}};
  const std::string manifest = big.dump();
  r = request("PUT", "/v2/app/manifests/big",
              "Content-Type: " + std::string(kOciManifestType) + "\r\n", manifest);
  ASSERT_EQ(r.status, 201) << r.body;
  r = request("HEAD", "/v2/app/manifests/big", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Field("Content-Length"), std::to_string(manifest.size()));
  EXPECT_EQ(r.Field("Docker-Content-Digest"), Digest(manifest));

  // The challenge over the wire.
  EXPECT_TRUE(client.Send(std::string("GET /v2/ HTTP/1.1\r\nHost: ") + kHostA + "\r\n\r\n"));
  auto challenge = client.Read();
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->status, 401);
  EXPECT_EQ(challenge->Field("Www-Authenticate"),
            "Basic realm=\"https://111111111111.dkr.ecr.us-east-1.localhost:5000/\","
            "service=\"ecr.amazonaws.com\"");
  server.Stop();
}

}  // namespace
}  // namespace cpa::server::oci
