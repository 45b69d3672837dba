// ConsoleHandler in process: a Store on a FakeClock, the real ApiHandler (IAM, STS, EKS) as the
// dispatch target, and browser-shaped requests (cookie, Origin, CSRF header). No sockets.
#include "server/console/console_handler.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "policy/document.h"
#include "server/api/api_handler.h"
#include "server/api/eks_service.h"
#include "server/store/store.h"

namespace cpa::server::console {
namespace {

namespace st = store;
using nlohmann::json;

constexpr const char* kA = "111111111111";
constexpr const char* kB = "999999999999";
constexpr int64_t kStart = 1714564800;  // 2024-05-01T12:00:00Z
constexpr const char* kHost = "127.0.0.1:4566";

class ConsoleHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-console-XXXXXX";
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
    root_a_ = Key(kA, "");
    ASSERT_TRUE(store_->users().Create({kB, "nobody", "/", ""}).ok());
    nobody_ = Key(kB, "nobody");

    api_ = std::make_unique<api::ApiHandler>(*store_, clock_);
    api_->AddSignedService(std::make_unique<api::EksService>(*store_));
    std::filesystem::create_directories(dir_ + "/console");
    std::ofstream(dir_ + "/console/index.html") << "<!doctype html><title>x</title>";
    std::ofstream(dir_ + "/console/console.js") << "void 0;";
    console_ = Make(dir_ + "/console");
  }
  void TearDown() override {
    console_.reset();
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<ConsoleHandler> Make(const std::string& assets) {
    ConsoleOptions co;
    co.asset_dir = assets;
    co.dispatch = [this](http::Request&& r) { return api_->Handle(std::move(r)); };
    co.clock = &clock_;
    co.random = &random_;
    return std::make_unique<ConsoleHandler>(co);
  }

  sigv4::Credentials Key(const char* account, const char* user) {
    st::NewAccessKey k;
    k.account_id = account;
    k.user_name = user;
    auto key = store_->access_keys().Create(k);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->access_key_id, key->secret_access_key, ""};
  }

  http::Response Get(const std::string& target, const std::string& cookie = "") {
    http::Request r;
    r.method = "GET";
    r.target = target;
    r.headers = {{"Host", kHost}};
    if (!cookie.empty()) r.headers.emplace_back("Cookie", "cpa_console=" + cookie);
    r.remote_address = "127.0.0.1";
    return console_->Handle(std::move(r));
  }

  // A POST as the console's page sends it: JSON, same origin, cookie and CSRF token when given.
  http::Response Post(const std::string& path, const json& body, const std::string& cookie = "",
                      const std::string& csrf = "", http::HeaderList extra = {},
                      std::string content_type = "application/json") {
    http::Request r;
    r.method = "POST";
    r.target = "/console/api/" + path;
    r.headers = {{"Host", kHost},
                 {"Content-Type", content_type},
                 {"Origin", std::string("http://") + kHost},
                 {"Sec-Fetch-Site", "same-origin"}};
    if (!cookie.empty()) r.headers.emplace_back("Cookie", "cpa_console=" + cookie);
    if (!csrf.empty()) r.headers.emplace_back("X-CSRF-Token", csrf);
    for (auto& [k, v] : extra) {
      bool replaced = false;
      for (auto& [hk, hv] : r.headers) {
        if (hk == k) {
          hv = v;
          replaced = true;
        }
      }
      if (!replaced) r.headers.emplace_back(k, v);
    }
    r.body = body.dump();
    r.body_size = r.body.size();
    r.remote_address = "127.0.0.1";
    return console_->Handle(std::move(r));
  }

  struct SignedIn {
    std::string cookie;
    std::string csrf;
    json session;
  };
  SignedIn SignIn(const sigv4::Credentials& c) {
    http::Response r = Post(
        "sign-in", {{"accessKeyId", c.access_key_id}, {"secretAccessKey", c.secret_access_key}});
    EXPECT_EQ(r.status, 200) << r.body;
    SignedIn s;
    std::string set_cookie(r.Header("Set-Cookie").value_or(""));
    size_t eq = set_cookie.find('='), semi = set_cookie.find(';');
    if (eq != std::string::npos && semi != std::string::npos) {
      s.cookie = set_cookie.substr(eq + 1, semi - eq - 1);
    }
    s.session = json::parse(r.body);
    s.csrf = s.session.value("csrfToken", "");
    return s;
  }

  static json Body(const http::Response& r) { return json::parse(r.body, nullptr, false); }
  static std::string Code(const http::Response& r) {
    json b = Body(r);
    return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
  }

  std::string dir_;
  core::FakeClock clock_{core::TimePoint(std::chrono::seconds(kStart))};
  core::SeededRandom random_{42};
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<api::ApiHandler> api_;
  std::unique_ptr<ConsoleHandler> console_;
  sigv4::Credentials root_a_, nobody_;
};

TEST_F(ConsoleHandlerTest, PageAndAssets) {
  http::Response r = Get("/console");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.Header("Location").value_or(""), "/console/");
  r = Get("/console/");
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.file.has_value());
  EXPECT_EQ(r.file->path, dir_ + "/console/index.html");
  EXPECT_NE(r.Header("Content-Security-Policy").value_or("").find("script-src 'self'"),
            std::string::npos);
  EXPECT_EQ(r.Header("X-Frame-Options").value_or(""), "DENY");
  EXPECT_EQ(r.Header("X-Content-Type-Options").value_or(""), "nosniff");
  EXPECT_EQ(Get("/console/assets/console.js").status, 200);
  EXPECT_EQ(Get("/console/assets/missing.js").status, 404);
  EXPECT_EQ(Get("/console/assets/../console/index.html").status, 404);
  EXPECT_EQ(Get("/console/elsewhere").status, 404);
  EXPECT_EQ(Get("/consolex").status, 404);
  http::Request post;
  post.method = "POST";
  post.target = "/console/";
  EXPECT_EQ(console_->Handle(std::move(post)).status, 405);

  auto unbuilt = Make(dir_ + "/nothing-here");
  EXPECT_FALSE(unbuilt->assets_available());
  http::Request g;
  g.method = "GET";
  g.target = "/console/";
  http::Response u = unbuilt->Handle(std::move(g));
  EXPECT_EQ(u.status, 503);
  EXPECT_NE(u.body.find("make build"), std::string::npos);
}

TEST_F(ConsoleHandlerTest, SignInChecksTheKeyThroughTheApi) {
  http::Response r = Post("sign-in", {{"accessKeyId", root_a_.access_key_id},
                                      {"secretAccessKey", std::string(40, 'x')}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "SignatureDoesNotMatch");
  EXPECT_FALSE(r.Header("Set-Cookie").has_value());
  r = Post("sign-in", {{"accessKeyId", "AKIAAAAAAAAAAAAAAAAA"}, {"secretAccessKey", "x"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "InvalidClientTokenId");
  EXPECT_EQ(Code(Post("sign-in", {{"accessKeyId", root_a_.access_key_id}})), "MissingParameter");
  EXPECT_EQ(Code(Post("sign-in", json::array())), "InvalidRequest");
  EXPECT_EQ(console_->sessions().size(), 0u);

  r = Post("sign-in", {{"accessKeyId", " " + root_a_.access_key_id + " "},
                       {"secretAccessKey", root_a_.secret_access_key}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Cache-Control").value_or(""), "no-store");
  std::string cookie(r.Header("Set-Cookie").value_or(""));
  EXPECT_EQ(cookie.rfind("cpa_console=", 0), 0u);
  EXPECT_NE(cookie.find("; Path=/console; Max-Age=43200; HttpOnly; SameSite=Strict"),
            std::string::npos)
      << cookie;
  json b = Body(r);
  EXPECT_EQ(b["arn"], "arn:aws:iam::111111111111:root");
  EXPECT_EQ(b["account"], kA);
  EXPECT_EQ(b["csrfToken"].get<std::string>().size(), 64u);
  // The key pair never comes back.
  EXPECT_EQ(r.body.find(root_a_.secret_access_key), std::string::npos);
  EXPECT_EQ(r.body.find(root_a_.access_key_id), std::string::npos);

  SignedIn s = SignIn(root_a_);
  json session = Body(Get("/console/api/session", s.cookie));
  EXPECT_EQ(session["signedIn"], true);
  EXPECT_EQ(session["csrfToken"], s.csrf);
  EXPECT_EQ(Body(Get("/console/api/session"))["signedIn"], false);
  EXPECT_EQ(Body(Get("/console/api/session", std::string(64, 'a')))["signedIn"], false);
}

TEST_F(ConsoleHandlerTest, StateChangesNeedTheTokenTheOriginAndJson) {
  SignedIn s = SignIn(root_a_);
  const json user = {{"UserName", "u1"}};
  EXPECT_EQ(Code(Post("iam/CreateUser", user, s.cookie)), "InvalidCsrfToken");
  EXPECT_EQ(Post("iam/CreateUser", user, s.cookie).status, 403);
  EXPECT_EQ(Code(Post("iam/CreateUser", user, s.cookie, std::string(64, '0'))), "InvalidCsrfToken");
  EXPECT_EQ(
      Code(Post("iam/CreateUser", user, s.cookie, s.csrf, {{"Origin", "http://evil.example"}})),
      "InvalidOrigin");
  EXPECT_EQ(
      Code(Post("iam/CreateUser", user, s.cookie, s.csrf, {{"Sec-Fetch-Site", "cross-site"}})),
      "InvalidOrigin");
  EXPECT_EQ(Post("iam/CreateUser", user, s.cookie, s.csrf, {}, "text/plain").status, 415);
  EXPECT_EQ(Code(Post("iam/CreateUser", user, "", s.csrf)), "NotSignedIn");
  EXPECT_FALSE(store_->users().Get(kA, "u1").ok()) << "nothing was created";
  // A session's token does not work with another session's cookie.
  SignedIn other = SignIn(root_a_);
  EXPECT_EQ(Code(Post("iam/CreateUser", user, other.cookie, s.csrf)), "InvalidCsrfToken");

  http::Response ok = Post("iam/CreateUser", user, s.cookie, s.csrf);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Body(ok)["result"]["User"]["Arn"], "arn:aws:iam::111111111111:user/u1");
  EXPECT_TRUE(store_->users().Get(kA, "u1").ok());
  EXPECT_EQ(ok.service, "console");
}

TEST_F(ConsoleHandlerTest, IamIsEnforcedAsForApiCalls) {
  SignedIn root = SignIn(root_a_);
  const std::string doc =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",)"
      R"("Resource":"*"}})";
  http::Response r = Post("iam/CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", doc}},
                          root.cookie, root.csrf);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["result"]["Policy"]["Arn"], "arn:aws:iam::111111111111:policy/p");
  r = Post("iam/ListPolicies", {{"Scope", "Local"}}, root.cookie, root.csrf);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["result"]["Policies"].size(), 1u);
  // Errors keep AWS's code, message and status.
  r = Post("iam/CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", doc}}, root.cookie,
           root.csrf);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), "EntityAlreadyExists");
  r = Post("iam/CreatePolicy", {{"PolicyName", "q"}, {"PolicyDocument", "{"}}, root.cookie,
           root.csrf);
  EXPECT_EQ(Code(r), "MalformedPolicyDocument");

  SignedIn nobody = SignIn(nobody_);
  EXPECT_EQ(nobody.session["arn"], "arn:aws:iam::999999999999:user/nobody");
  r = Post("iam/CreateRole",
           {{"RoleName", "r"},
            {"AssumeRolePolicyDocument",
             R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
             R"({"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]})"}},
           nobody.cookie, nobody.csrf);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "AccessDenied");
  EXPECT_EQ(Body(r)["error"]["message"].get<std::string>().rfind(
                "User: arn:aws:iam::999999999999:user/nobody is not authorized to perform: "
                "iam:CreateRole on resource: arn:aws:iam::999999999999:role/r",
                0),
            0u)
      << r.body;
  EXPECT_FALSE(store_->roles().Get(kB, "r").ok());
  // A root session reaches only its own account.
  r = Post("iam/GetUser", {{"UserName", "nobody"}}, root.cookie, root.csrf);
  EXPECT_EQ(Code(r), "NoSuchEntity");

  // Operations outside the console's list never reach the API.
  r = Post("iam/PutUserPolicy", {{"UserName", "x"}}, root.cookie, root.csrf);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "UnknownOperation");
  EXPECT_EQ(Code(Post("sts/AssumeRole", json::object(), root.cookie, root.csrf)),
            "UnknownOperation");
  r = Post("sts/GetCallerIdentity", json::object(), nobody.cookie, nobody.csrf);
  EXPECT_EQ(Body(r)["result"]["Arn"], "arn:aws:iam::999999999999:user/nobody");
  EXPECT_EQ(Code(Post("iam/ListUsers", {{"Action", "DeleteUser"}}, root.cookie, root.csrf)),
            "InvalidRequest");
}

TEST_F(ConsoleHandlerTest, ValidationIsCpaPolicyChecks) {
  SignedIn s = SignIn(root_a_);
  for (const std::string& doc : std::vector<std::string>{
           std::string("{"),
           std::string(
               R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]})"),
           std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"a:b",)"
                       R"("Resource":"*"}]})"),
           std::string(R"({"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"}]})"),
       }) {
    http::Response r =
        Post("policy/validate", {{"document", doc}, {"kind", "identity"}, {"limit", "managed"}},
             s.cookie, s.csrf);
    ASSERT_EQ(r.status, 200);
    json b = Body(r);
    policy::ParseOptions o;
    o.kind = policy::PolicyKind::kIdentity;
    o.quota = policy::SizeQuota::kManagedPolicy;
    o.verbose = true;
    auto parsed = policy::ParsePolicy(doc, o);
    ASSERT_FALSE(parsed.ok()) << doc;
    EXPECT_EQ(b["valid"], false) << doc;
    EXPECT_EQ(b["error"]["code"], "MalformedPolicyDocument") << doc;
    EXPECT_EQ(b["error"]["message"], parsed.status().message()) << doc;
  }
  json ok = Body(Post("policy/validate",
                      {{"document", R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                                    R"("Principal":{"AWS":"arn:aws:iam::999999999999:root"},)"
                                    R"("Action":"sts:AssumeRole"}})"},
                       {"kind", "trust"}},
                      s.cookie, s.csrf));
  EXPECT_EQ(ok["valid"], true);
  EXPECT_EQ(ok["kind"], "trust");
  EXPECT_EQ(ok["statements"], 1);
  EXPECT_EQ(ok["quota"], 2048);
  // A trust policy without a principal is not a valid trust policy.
  json bad = Body(Post("policy/validate",
                       {{"document", R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                                     R"("Action":"sts:AssumeRole"}})"},
                        {"kind", "trust"}},
                       s.cookie, s.csrf));
  EXPECT_EQ(bad["valid"], false);
  EXPECT_EQ(Code(Post("policy/validate", {{"document", 5}}, s.cookie, s.csrf)), "InvalidRequest");
}

TEST_F(ConsoleHandlerTest, EksAnywhereSubscriptions) {
  SignedIn s = SignIn(root_a_);
  http::Response r = Post("eks/CreateEksAnywhereSubscription",
                          {{"region", "us-west-2"},
                           {"name", "packages"},
                           {"term", {{"duration", 12}, {"unit", "MONTHS"}}},
                           {"licenseQuantity", 1},
                           {"licenseType", "Cluster"}},
                          s.cookie, s.csrf);
  ASSERT_EQ(r.status, 200) << r.body;
  json sub = Body(r)["result"]["subscription"];
  EXPECT_EQ(sub["packageRegistry"], "346438352937.dkr.ecr.us-west-2.localhost");
  const std::string id = sub["id"];
  r = Post("eks/DescribeEksAnywhereSubscription", {{"region", "us-west-2"}, {"id", id}}, s.cookie,
           s.csrf);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["result"]["subscription"]["status"], "ACTIVE");
  r = Post("eks/ListEksAnywhereSubscriptions", {{"region", "us-west-2"}}, s.cookie, s.csrf);
  EXPECT_EQ(Body(r)["result"]["subscriptions"].size(), 1u);
  r = Post("eks/ListEksAnywhereSubscriptions", {{"region", "us-east-2"}}, s.cookie, s.csrf);
  EXPECT_EQ(Body(r)["result"]["subscriptions"].size(), 0u);
  r = Post("eks/DescribeEksAnywhereSubscription", {{"region", "us-west-2"}, {"id", "nope/../x"}},
           s.cookie, s.csrf);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "ResourceNotFoundException");
  EXPECT_EQ(
      Code(Post("eks/ListEksAnywhereSubscriptions", {{"region", "US WEST"}}, s.cookie, s.csrf)),
      "InvalidRequest");
  EXPECT_EQ(
      Code(Post("eks/UpdateEksAnywhereSubscription", {{"region", "us-west-2"}}, s.cookie, s.csrf)),
      "UnknownOperation");
  SignedIn nobody = SignIn(nobody_);
  r = Post("eks/ListEksAnywhereSubscriptions", {{"region", "us-west-2"}}, nobody.cookie,
           nobody.csrf);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "AccessDeniedException");
}

TEST_F(ConsoleHandlerTest, SignOutAndExpiry) {
  SignedIn s = SignIn(root_a_);
  http::Response out = Post("sign-out", json::object(), s.cookie, s.csrf);
  ASSERT_EQ(out.status, 200);
  EXPECT_NE(out.Header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Code(Post("iam/ListUsers", json::object(), s.cookie, s.csrf)), "NotSignedIn");

  SignedIn t = SignIn(root_a_);
  clock_.Advance(std::chrono::minutes(59));
  EXPECT_EQ(Post("iam/ListUsers", json::object(), t.cookie, t.csrf).status, 200);
  clock_.Advance(std::chrono::minutes(61));  // idle for over an hour
  http::Response r = Post("iam/ListUsers", json::object(), t.cookie, t.csrf);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "NotSignedIn");
  EXPECT_NE(r.Header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Body(Get("/console/api/regions"))["regions"].size(), 32u);
}

}  // namespace
}  // namespace cpa::server::console

namespace cpa::server::console {
namespace {

// The spec's documents (step 2 for us-west-2's packages account, the trust of step 3, step 4).
constexpr const char* kEcrPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"ECRRead","Effect":"Allow","Action":[)"
    R"("ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","ecr:DescribeRepositories"],)"
    R"("Resource":"arn:aws:ecr:*:346438352937:repository/*"},{"Sid":"ECRLogin",)"
    R"("Effect":"Allow","Action":["ecr:GetAuthorizationToken"],"Resource":"*"}]})";
constexpr const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
    R"({"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kAssume =
    R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",)"
    R"("Resource":"arn:aws:iam::111111111111:role/curated-packages-role"}})";
constexpr const char* kRoleArn = "arn:aws:iam::111111111111:role/curated-packages-role";

class AccessChainTest : public ConsoleHandlerTest {
 protected:
  void Share() {
    src_ = SignIn(root_a_);
    Ok(Post("iam/CreatePolicy",
            {{"PolicyName", "curated-packages-policy"}, {"PolicyDocument", kEcrPolicy}},
            src_.cookie, src_.csrf));
    Ok(Post("iam/CreateRole",
            {{"RoleName", "curated-packages-role"}, {"AssumeRolePolicyDocument", kTrust}},
            src_.cookie, src_.csrf));
    Ok(Post("iam/AttachRolePolicy",
            {{"RoleName", "curated-packages-role"},
             {"PolicyArn", "arn:aws:iam::111111111111:policy/curated-packages-policy"}},
            src_.cookie, src_.csrf));
    dst_ = SignIn(Key(kB, ""));
    Ok(Post("iam/CreatePolicy", {{"PolicyName", "assume"}, {"PolicyDocument", kAssume}},
            dst_.cookie, dst_.csrf));
    Ok(Post("iam/CreateUser", {{"UserName", "curated-packages-user"}}, dst_.cookie, dst_.csrf));
    Ok(Post("iam/AttachUserPolicy",
            {{"UserName", "curated-packages-user"},
             {"PolicyArn", "arn:aws:iam::999999999999:policy/assume"}},
            dst_.cookie, dst_.csrf));
    json key = Ok(Post("iam/CreateAccessKey", {{"UserName", "curated-packages-user"}}, dst_.cookie,
                       dst_.csrf))["result"]["AccessKey"];
    config_ = "[default]\nsource_profile=curated-packages-user\nrole_arn=" + std::string(kRoleArn) +
              "\nregion=us-west-2\n\n[profile curated-packages-user]\naws_access_key_id=" +
              key["AccessKeyId"].get<std::string>() +
              "\naws_secret_access_key=" + key["SecretAccessKey"].get<std::string>() + "\n";
  }
  json Ok(const http::Response& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }
  static const json* EdgeTo(const json& chain, const std::string& from, const std::string& to) {
    for (const json& e : chain["edges"]) {
      if (e["from"] == from && e["to"] == to) return &e;
    }
    return nullptr;
  }
  SignedIn src_, dst_;
  std::string config_;
};

TEST_F(AccessChainTest, WhoMayAssumeTheRoleAndWhatItMayPull) {
  Share();
  json chain =
      Ok(Post("chain/role", {{"roleName", "curated-packages-role"}}, src_.cookie, src_.csrf));
  EXPECT_EQ(chain["role"]["arn"], kRoleArn);
  const json* trust = EdgeTo(chain, "arn:aws:iam::999999999999:root", kRoleArn);
  ASSERT_NE(trust, nullptr) << chain.dump(2);
  EXPECT_EQ((*trust)["status"], "unknown");  // 999999999999's grants are not visible from here
  EXPECT_EQ((*trust)["explanation"][0]["statement"], "#1");
  EXPECT_EQ((*trust)["explanation"][0]["message"],
            "Trust policy statement #1 allows arn:aws:iam::999999999999:root sts:AssumeRole.");
  // Without a subscription no registry grants the role's account anything.
  EXPECT_EQ(chain["edges"].size(), 1u);
  EXPECT_NE(chain["notes"].dump().find("no active EKS Anywhere subscription"), std::string::npos);

  Ok(Post("eks/CreateEksAnywhereSubscription",
          {{"region", "us-west-2"},
           {"name", "packages"},
           {"term", {{"duration", 12}, {"unit", "MONTHS"}}},
           {"licenseType", "Cluster"}},
          src_.cookie, src_.csrf));
  chain = Ok(Post("chain/role", {{"roleName", "curated-packages-role"}}, src_.cookie, src_.csrf));
  const json* pull = EdgeTo(chain, kRoleArn, "346438352937.dkr.ecr.us-west-2.localhost");
  ASSERT_NE(pull, nullptr) << chain.dump(2);
  EXPECT_EQ((*pull)["status"], "allowed");
  std::string why = (*pull)["explanation"].dump();
  EXPECT_NE(why.find("\"statement\":\"ECRLogin\""), std::string::npos) << why;
  EXPECT_NE(why.find("\"statement\":\"ECRRead\""), std::string::npos) << why;
  EXPECT_NE(why.find("subscription 'packages'"), std::string::npos) << why;

  // Without the read statement the pull edge is denied, and says what is missing.
  Ok(Post("iam/DetachRolePolicy",
          {{"RoleName", "curated-packages-role"},
           {"PolicyArn", "arn:aws:iam::111111111111:policy/curated-packages-policy"}},
          src_.cookie, src_.csrf));
  chain = Ok(Post("chain/role", {{"roleName", "curated-packages-role"}}, src_.cookie, src_.csrf));
  pull = EdgeTo(chain, kRoleArn, "346438352937.dkr.ecr.us-west-2.localhost");
  ASSERT_NE(pull, nullptr);
  EXPECT_EQ((*pull)["status"], "denied");
  EXPECT_NE((*pull)["explanation"].dump().find("No identity policy of the role allows "
                                               "ecr:BatchGetImage"),
            std::string::npos);

  // From the receiving account: the user whose policy allows it, the trust policy not visible.
  chain = Ok(Post("chain/role", {{"roleArn", kRoleArn}}, dst_.cookie, dst_.csrf));
  const json* user =
      EdgeTo(chain, "arn:aws:iam::999999999999:user/curated-packages-user", kRoleArn);
  ASSERT_NE(user, nullptr) << chain.dump(2);
  EXPECT_EQ((*user)["status"], "unknown");
  EXPECT_EQ((*user)["explanation"][0]["policy"], "assume");
  EXPECT_EQ(chain["edges"].size(), 1u);  // the root of 999999999999 is not drawn; no pulls seen

  // What the principal may not read is an error or a note, never a guess.
  SignedIn nobody = SignIn(nobody_);
  http::Response r = Post("chain/role", {{"roleArn", kRoleArn}}, nobody.cookie, nobody.csrf);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("The users of account 999999999999 are not visible: AccessDenied"),
            std::string::npos)
      << r.body;
  r = Post("chain/role", {{"roleName", "curated-packages-role"}}, nobody.cookie, nobody.csrf);
  EXPECT_EQ(Code(r), "AccessDenied");
  EXPECT_EQ(Code(Post("chain/role", json::object(), src_.cookie, src_.csrf)), "InvalidRequest");
}

TEST_F(AccessChainTest, ConfigCheckLinks) {
  Share();
  // This API pipeline has no ECR service: the links up to the role hold, the token link fails.
  json out = Ok(Post("chain/check", {{"config", config_}}, src_.cookie, src_.csrf));
  std::vector<std::pair<std::string, std::string>> got;
  for (const json& l : out["links"]) got.emplace_back(l["link"], l["status"]);
  std::vector<std::pair<std::string, std::string>> want = {
      {"file", "ok"},        {"region", "ok"},      {"key", "ok"},
      {"assume-role", "ok"}, {"ecr-token", "fail"}, {"registry", "skipped"}};
  EXPECT_EQ(got, want) << out.dump(2);
  EXPECT_EQ(out["ok"], false);
  EXPECT_NE(out["links"][3]["detail"].get<std::string>().find(
                "arn:aws:sts::111111111111:assumed-role/curated-packages-role/cpa-console-check"),
            std::string::npos);

  auto link = [&](const std::string& config, size_t i) {
    json o = Ok(Post("chain/check", {{"config", config}}, src_.cookie, src_.csrf));
    return o["links"][i];
  };
  EXPECT_EQ(link("[default]\nregion=us-west-2\n", 0)["status"], "fail");
  std::string wrong_region = config_;
  wrong_region.replace(wrong_region.find("us-west-2"), 9, "xx-none-1");
  EXPECT_EQ(link(wrong_region, 1)["status"], "fail");
  std::string wrong_secret = config_;
  wrong_secret.replace(wrong_secret.rfind('=') + 1, 40, std::string(40, 'x'));
  json key = link(wrong_secret, 2);
  EXPECT_EQ(key["status"], "fail");
  EXPECT_NE(key["cause"].get<std::string>().find("the secret access key is wrong"),
            std::string::npos);
  // The trust policy no longer names 999999999999: the user's policy allows, so the trust is
  // what is missing.
  Ok(Post("iam/UpdateAssumeRolePolicy",
          {{"RoleName", "curated-packages-role"},
           {"PolicyDocument",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
            R"({"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]})"}},
          src_.cookie, src_.csrf));
  json assume = link(config_, 3);
  EXPECT_EQ(assume["status"], "fail");
  // Signed in to 111111111111, neither the user nor this root may simulate the user's policies.
  EXPECT_NE(assume["cause"].get<std::string>().find("sign in to the user's account to tell which"),
            std::string::npos)
      << assume.dump();
  // Signed in to the user's account, the simulator tells.
  json as_dst = Ok(Post("chain/check", {{"config", config_}}, dst_.cookie, dst_.csrf))["links"][3];
  EXPECT_NE(as_dst["cause"].get<std::string>().find("the user's identity policy allows it, so the "
                                                    "trust policy"),
            std::string::npos)
      << as_dst.dump();
  // And with the assume-role policy detached, the identity policy is what is missing.
  Ok(Post("iam/DetachUserPolicy",
          {{"UserName", "curated-packages-user"},
           {"PolicyArn", "arn:aws:iam::999999999999:policy/assume"}},
          dst_.cookie, dst_.csrf));
  as_dst = Ok(Post("chain/check", {{"config", config_}}, dst_.cookie, dst_.csrf))["links"][3];
  EXPECT_NE(as_dst["cause"].get<std::string>().find(
                "the user's identity policy does not allow sts:AssumeRole"),
            std::string::npos)
      << as_dst.dump();
}

}  // namespace
}  // namespace cpa::server::console
