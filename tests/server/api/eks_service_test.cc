// EksService in process: a Store on a FakeClock, an ApiHandler with the service registered, and
// rest-json requests signed for "eks" with the SigV4 signer (no sockets).
#include "server/api/eks_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/encoding.h"
#include "server/api/api_handler.h"
#include "server/http/message.h"
#include "server/store/store.h"
#include "sigv4/signer.h"

namespace cpa::server::api {
namespace {

namespace st = store;
using nlohmann::json;

constexpr const char* kA = "111111111111";
constexpr const char* kB = "999999999999";
constexpr const char* kRegion = "us-west-2";
// 2024-05-01T12:00:00Z
constexpr int64_t kStart = 1714564800;

class EksServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-eks-XXXXXX";
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
    root_b_ = Key(kB, "");
    // A user of A allowed only to describe subscriptions tagged team=blue, and one with nothing.
    ASSERT_TRUE(store_->users().Create({kA, "blue", "/", ""}).ok());
    ASSERT_TRUE(store_->inline_policies()
                    .Put(st::PrincipalRef::User(kA, "blue"), "blue",
                         R"({"Version":"2012-10-17","Statement":[)"
                         R"({"Effect":"Allow","Action":"eks:DescribeEksAnywhereSubscription",)"
                         R"("Resource":"arn:aws:eks:*:111111111111:eks-anywhere-subscription/*",)"
                         R"("Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},)"
                         R"({"Effect":"Allow","Action":"eks:CreateEksAnywhereSubscription",)"
                         R"("Resource":"*","Condition":{"StringEquals":)"
                         R"({"aws:RequestTag/team":"blue"}}}]})")
                    .ok());
    blue_ = Key(kA, "blue");
    ASSERT_TRUE(store_->users().Create({kA, "nobody", "/", ""}).ok());
    nobody_ = Key(kA, "nobody");

    handler_ = std::make_unique<ApiHandler>(*store_, clock_);
    EksServiceOptions eo;
    eo.registry_domain = "example.test";
    handler_->AddSignedService(std::make_unique<EksService>(*store_, eo));
  }
  void TearDown() override {
    handler_.reset();
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

  // `method target` with `body` (JSON when not empty), signed for eks in `region`.
  http::Response Call(const std::string& method, const std::string& target, const std::string& body,
                      const sigv4::Credentials& creds, const std::string& region = kRegion) {
    sigv4::HttpRequest h;
    h.method = method;
    h.SetTarget(target);
    h.headers = {{"Host", "127.0.0.1:4566"}};
    if (!body.empty()) h.headers.emplace_back("Content-Type", "application/json");
    h.body = body;
    sigv4::SigningConfig c;
    c.credentials = creds;
    c.region = region;
    c.service = "eks";
    c.time = clock_.Now();
    auto signed_ok = sigv4::SignRequest(h, c);
    EXPECT_TRUE(signed_ok.ok()) << signed_ok.status().ToString();
    http::Request r;
    r.method = h.method;
    r.target = h.Target();
    r.headers = h.headers;
    r.body = h.body;
    r.remote_address = "127.0.0.1";
    return handler_->Handle(std::move(r));
  }

  static json Body(const http::Response& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }
  static std::string Code(const http::Response& r) {
    return std::string(r.Header("x-amzn-ErrorType").value_or(""));
  }

  json Create(const json& request, const sigv4::Credentials& creds) {
    http::Response r = Call("POST", "/eks-anywhere-subscriptions", request.dump(), creds);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["subscription"];
  }
  json CreateNamed(const std::string& name) {
    return Create({{"name", name}, {"term", {{"duration", 12}, {"unit", "MONTHS"}}}}, root_a_);
  }

  static std::string TagsTarget(const std::string& arn) { return "/tags/" + core::UriEncode(arn); }

  std::string dir_;
  core::FakeClock clock_{core::TimePoint(std::chrono::seconds(kStart))};
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<ApiHandler> handler_;
  sigv4::Credentials root_a_, root_b_, blue_, nobody_;
};

TEST_F(EksServiceTest, CreateDescribeListUpdateDelete) {
  http::Response r = Call("POST", "/eks-anywhere-subscriptions",
                          R"({"name":"my-subscription","term":{"duration":12,"unit":"MONTHS"},)"
                          R"("licenseQuantity":2,"licenseType":"Cluster","autoRenew":false,)"
                          R"("clientRequestToken":"t-1","tags":{"environment":"prod"}})",
                          root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type").value_or(""), "application/json");
  EXPECT_TRUE(r.Header("x-amzn-RequestId").has_value());
  EXPECT_EQ(r.service, "eks");
  EXPECT_EQ(r.operation, "CreateEksAnywhereSubscription");
  json created = Body(r)["subscription"];
  const std::string id = created["id"];
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(created["arn"], "arn:aws:eks:us-west-2:111111111111:eks-anywhere-subscription/" + id);
  EXPECT_EQ(created["name"], "my-subscription");
  EXPECT_EQ(created["status"], "CREATING");
  EXPECT_EQ(created["licenseArns"], json::array());
  EXPECT_EQ(created["licenses"], json::array());
  EXPECT_EQ(created["licenseType"], "CLUSTER");
  EXPECT_EQ(created["licenseQuantity"], 2);
  EXPECT_EQ(created["term"], json({{"duration", 12}, {"unit", "MONTHS"}}));
  EXPECT_EQ(created["createdAt"], kStart);
  EXPECT_EQ(created["effectiveDate"], kStart);
  EXPECT_EQ(created["expirationDate"], 1746100800);  // 2025-05-01T12:00:00Z
  EXPECT_EQ(created["autoRenew"], false);
  EXPECT_EQ(created["tags"], json({{"environment", "prod"}}));
  EXPECT_EQ(created["packageRegistry"], "346438352937.dkr.ecr.us-west-2.example.test");

  r = Call("GET", "/eks-anywhere-subscriptions/" + id, "", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.operation, "DescribeEksAnywhereSubscription");
  json described = Body(r)["subscription"];
  EXPECT_EQ(described["status"], "ACTIVE");
  EXPECT_EQ(described["packageRegistry"], "346438352937.dkr.ecr.us-west-2.example.test");
  ASSERT_EQ(described["licenseArns"].size(), 2u);
  ASSERT_EQ(described["licenses"].size(), 2u);
  EXPECT_EQ(described["licenseArns"][0], "arn:aws:license-manager::111111111111:license:" +
                                             described["licenses"][0]["id"].get<std::string>());

  // The same token and parameters: the same subscription, as it is now.
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"my-subscription","term":{"duration":12,"unit":"MONTHS"},)"
           R"("licenseQuantity":2,"licenseType":"CLUSTER","autoRenew":false,)"
           R"("clientRequestToken":"t-1","tags":{"environment":"prod"}})",
           root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["subscription"]["id"], id);
  EXPECT_EQ(Body(r)["subscription"]["status"], "ACTIVE");
  // Other parameters with that token.
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"my-subscription","term":{"duration":36,"unit":"MONTHS"},)"
           R"("clientRequestToken":"t-1"})",
           root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidParameterException");
  EXPECT_EQ(Body(r)["__type"], "InvalidParameterException");

  r = Call("GET", "/eks-anywhere-subscriptions", "", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Body(r)["subscriptions"].size(), 1u);
  EXPECT_EQ(Body(r)["subscriptions"][0]["id"], id);
  EXPECT_FALSE(Body(r).contains("nextToken"));

  r = Call("POST", "/eks-anywhere-subscriptions/" + id, R"({"autoRenew":true})", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.operation, "UpdateEksAnywhereSubscription");
  EXPECT_EQ(Body(r)["subscription"]["autoRenew"], true);

  // Active subscriptions cannot be deleted.
  r = Call("DELETE", "/eks-anywhere-subscriptions/" + id, "", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidRequestException");
  EXPECT_EQ(Body(r)["subscriptionId"], id);

  // Renewal off, then past the end of the term: expired, not updatable, deletable.
  r = Call("POST", "/eks-anywhere-subscriptions/" + id, R"({"autoRenew":false})", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  clock_.Advance(std::chrono::hours(24 * 366));
  r = Call("GET", "/eks-anywhere-subscriptions/" + id, "", root_a_);
  EXPECT_EQ(Body(r)["subscription"]["status"], "EXPIRED");
  r = Call("POST", "/eks-anywhere-subscriptions/" + id, R"({"autoRenew":true})", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidRequestException");
  r = Call("DELETE", "/eks-anywhere-subscriptions/" + id, "", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.operation, "DeleteEksAnywhereSubscription");
  EXPECT_EQ(Body(r)["subscription"]["status"], "DELETING");
  EXPECT_EQ(Body(r)["subscription"]["id"], id);

  r = Call("GET", "/eks-anywhere-subscriptions/" + id, "", root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "ResourceNotFoundException");
  EXPECT_EQ(Body(r)["subscriptionId"], id);
  EXPECT_EQ(Body(r)["message"], "No subscription found with id: " + id);
  r = Call("GET", "/eks-anywhere-subscriptions", "", root_a_);
  EXPECT_EQ(Body(r)["subscriptions"], json::array());
}

TEST_F(EksServiceTest, SubscriptionsBelongToTheCallersAccountAndRegion) {
  json s = CreateNamed("mine");
  const std::string id = s["id"];
  http::Response r = Call("GET", "/eks-anywhere-subscriptions/" + id, "", root_b_);
  EXPECT_EQ(r.status, 404);
  r = Call("GET", "/eks-anywhere-subscriptions/" + id, "", root_a_, "us-east-1");
  EXPECT_EQ(r.status, 404);
  r = Call("GET", "/eks-anywhere-subscriptions", "", root_b_);
  EXPECT_EQ(Body(r)["subscriptions"], json::array());
  // The registry follows the region.
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"east","term":{"duration":36,"unit":"MONTHS"}})", root_a_, "ca-central-1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["subscription"]["packageRegistry"],
            "064352486547.dkr.ecr.ca-central-1.example.test");
  // Regions without a curated packages registry have no subscriptions.
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"nowhere","term":{"duration":12,"unit":"MONTHS"}})", root_a_, "xx-east-9");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidParameterException");
}

TEST_F(EksServiceTest, CreateValidation) {
  struct Case {
    const char* body;
    const char* message;  // a part of the message
  };
  const Case cases[] = {
      {R"({"term":{"duration":12,"unit":"MONTHS"}})", "name is required"},
      {R"({"name":"x"})", "term is required"},
      {R"({"name":"x","term":12})", "term must be an object"},
      {R"({"name":"x","term":{"unit":"MONTHS"}})", "term.duration is required"},
      {R"({"name":"x","term":{"duration":12}})", "term.unit is required"},
      {R"({"name":"x","term":{"duration":24,"unit":"MONTHS"}})", "12 or 36"},
      {R"({"name":"x","term":{"duration":12,"unit":"YEARS"}})", "MONTHS"},
      {R"({"name":"x","term":{"duration":"12","unit":"MONTHS"}})", "must be an integer"},
      {R"({"name":"-x","term":{"duration":12,"unit":"MONTHS"}})", "is invalid"},
      {R"({"name":"a b","term":{"duration":12,"unit":"MONTHS"}})", "is invalid"},
      {R"({"name":7,"term":{"duration":12,"unit":"MONTHS"}})", "name must be a string"},
      {R"({"name":"x","term":{"duration":12,"unit":"MONTHS"},"licenseQuantity":0})", "between 1"},
      {R"({"name":"x","term":{"duration":12,"unit":"MONTHS"},"licenseQuantity":101})", "between 1"},
      {R"({"name":"x","term":{"duration":12,"unit":"MONTHS"},"licenseType":"Node"})", "CLUSTER"},
      {R"({"name":"x","term":{"duration":12,"unit":"MONTHS"},"autoRenew":"yes"})",
       "autoRenew must be a boolean"},
      {R"({"name":"x","term":{"duration":12,"unit":"MONTHS"},"tags":{"aws:x":"1"}})", "reserved"},
      {R"({"name":"x","term":{"duration":12,"unit":"MONTHS"},"tags":{"k":1}})", "must be a string"},
      {R"({"name":"x","term":{"duration":12,"unit":"MONTHS"},"tags":[]})", "map"},
      {R"([1,2])", "not a JSON object"},
      {R"({"name":)", "not a JSON object"},
  };
  for (const Case& c : cases) {
    http::Response r = Call("POST", "/eks-anywhere-subscriptions", c.body, root_a_);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(Code(r), "InvalidParameterException") << c.body;
    EXPECT_NE(Body(r)["message"].get<std::string>().find(c.message), std::string::npos)
        << c.body << " -> " << r.body;
  }
  http::Response r = Call("GET", "/eks-anywhere-subscriptions", "", root_a_);
  EXPECT_EQ(Body(r)["subscriptions"], json::array());  // nothing was written

  CreateNamed("dup");
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"dup","term":{"duration":12,"unit":"MONTHS"}})", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidParameterException");
  for (int i = 0; i < 9; ++i) CreateNamed("n" + std::to_string(i));
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"eleventh","term":{"duration":12,"unit":"MONTHS"}})", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "ResourceLimitExceededException");
}

TEST_F(EksServiceTest, ListPagesAndFilters) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(CreateNamed("s" + std::to_string(i))["id"]);
    clock_.Advance(std::chrono::seconds(1));
  }
  std::vector<std::string> seen;
  std::string token;
  do {
    std::string target = "/eks-anywhere-subscriptions?maxResults=2";
    if (!token.empty()) target += "&nextToken=" + core::UriEncode(token);
    http::Response r = Call("GET", target, "", root_a_);
    ASSERT_EQ(r.status, 200) << r.body;
    json b = Body(r);
    EXPECT_LE(b["subscriptions"].size(), 2u);
    for (const auto& s : b["subscriptions"]) seen.push_back(s["id"]);
    token = b.value("nextToken", "");
  } while (!token.empty());
  EXPECT_EQ(seen, ids);

  http::Response r =
      Call("GET", "/eks-anywhere-subscriptions?includeStatus=EXPIRED&includeStatus=DELETING", "",
           root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["subscriptions"], json::array());
  r = Call("GET", "/eks-anywhere-subscriptions?includeStatus=ACTIVE", "", root_a_);
  EXPECT_EQ(Body(r)["subscriptions"].size(), 5u);

  for (const char* bad : {"maxResults=0", "maxResults=101", "maxResults=abc",
                          "includeStatus=active", "nextToken=garbage", "maxResults=%zz"}) {
    r = Call("GET", std::string("/eks-anywhere-subscriptions?") + bad, "", root_a_);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(Code(r), "InvalidParameterException") << bad << " " << r.body;
  }
}

TEST_F(EksServiceTest, TagOperationsOnSubscriptionArns) {
  json s = CreateNamed("tagged");
  const std::string arn = s["arn"];
  // Labels are decoded after the path is split: the ARN's '/' travels as %2F.
  ASSERT_NE(TagsTarget(arn).find("%2F"), std::string::npos);
  http::Response r = Call("POST", TagsTarget(arn), R"({"tags":{"team":"blue","k":"v"}})", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.operation, "TagResource");
  EXPECT_EQ(Body(r), json::object());
  r = Call("GET", TagsTarget(arn), "", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["tags"], json({{"team", "blue"}, {"k", "v"}}));
  r = Call("DELETE", TagsTarget(arn) + "?tagKeys=k&tagKeys=absent", "", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call("GET", TagsTarget(arn), "", root_a_);
  EXPECT_EQ(Body(r)["tags"], json({{"team", "blue"}}));
  // An unencoded ARN works too.
  r = Call("GET", "/tags/" + arn, "", root_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["tags"], json({{"team", "blue"}}));

  r = Call("POST", TagsTarget(arn), R"({"tags":{}})", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "BadRequestException");
  r = Call("DELETE", TagsTarget(arn), "", root_a_);
  EXPECT_EQ(Code(r), "BadRequestException");
  r = Call("GET", TagsTarget("not-an-arn"), "", root_a_);
  EXPECT_EQ(Code(r), "BadRequestException");
  const std::string missing =
      "arn:aws:eks:us-west-2:111111111111:eks-anywhere-subscription/"
      "e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964";
  r = Call("GET", TagsTarget(missing), "", root_a_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "NotFoundException");
  r = Call("GET", TagsTarget("arn:aws:eks:us-west-2:111111111111:cluster/c"), "", root_a_);
  EXPECT_EQ(r.status, 404);
}

TEST_F(EksServiceTest, IamDecidesWithTheSubscriptionArnAndTags) {
  json plain = CreateNamed("plain");
  json blue = Create({{"name", "blue"},
                      {"term", {{"duration", 12}, {"unit", "MONTHS"}}},
                      {"tags", {{"team", "blue"}}}},
                     root_a_);

  http::Response r =
      Call("GET", "/eks-anywhere-subscriptions/" + blue["id"].get<std::string>(), "", blue_);
  EXPECT_EQ(r.status, 200) << r.body;
  r = Call("GET", "/eks-anywhere-subscriptions/" + plain["id"].get<std::string>(), "", blue_);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Code(r), "AccessDeniedException");
  EXPECT_NE(
      Body(r)["message"].get<std::string>().find(
          "eks:DescribeEksAnywhereSubscription on resource: " + plain["arn"].get<std::string>()),
      std::string::npos)
      << r.body;
  // A missing subscription is denied the same way (no existence leak) ...
  r = Call("GET", "/eks-anywhere-subscriptions/e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964", "", blue_);
  EXPECT_EQ(r.status, 403);
  // ... and only an allowed caller learns it is missing.
  r = Call("GET", "/eks-anywhere-subscriptions/e29fd0d2-d8a8-4ed4-be54-c6c0dd0f7964", "", root_a_);
  EXPECT_EQ(r.status, 404);

  r = Call("GET", "/eks-anywhere-subscriptions", "", blue_);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(Body(r)["message"].get<std::string>().find("eks:ListEksAnywhereSubscriptions"),
            std::string::npos);
  r = Call("GET", "/eks-anywhere-subscriptions/" + blue["id"].get<std::string>(), "", nobody_);
  EXPECT_EQ(r.status, 403);

  // Create needs the request tag; with tags it also needs eks:TagResource on the new ARN.
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"untagged","term":{"duration":12,"unit":"MONTHS"}})", blue_);
  EXPECT_EQ(r.status, 403);
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"t","term":{"duration":12,"unit":"MONTHS"},"tags":{"team":"blue"}})", blue_);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(Body(r)["message"].get<std::string>().find("eks:TagResource"), std::string::npos)
      << r.body;
  ASSERT_TRUE(store_->inline_policies()
                  .Put(st::PrincipalRef::User(kA, "blue"), "tagging",
                       R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                       R"("Action":"eks:TagResource","Resource":"*"}})")
                  .ok());
  r = Call("POST", "/eks-anywhere-subscriptions",
           R"({"name":"t","term":{"duration":12,"unit":"MONTHS"},"tags":{"team":"blue"}})", blue_);
  EXPECT_EQ(r.status, 200) << r.body;

  // Another account's root cannot tag A's subscription.
  r = Call("POST", TagsTarget(blue["arn"]), R"({"tags":{"x":"y"}})", root_b_);
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST_F(EksServiceTest, UnknownRoutesAndMalformedLabels) {
  http::Response r = Call("PUT", "/eks-anywhere-subscriptions", "", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "UnknownOperationException");
  r = Call("GET", "/eks-anywhere-subscriptions/a/b", "", root_a_);
  EXPECT_EQ(Code(r), "UnknownOperationException");
  r = Call("GET", "/clusters", "", root_a_);
  EXPECT_EQ(Code(r), "UnknownOperationException");
  r = Call("GET", "/eks-anywhere-subscriptions/%zz", "", root_a_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidParameterException");
  r = Call("POST", "/eks-anywhere-subscriptions/x", R"({})", root_a_);
  EXPECT_EQ(Code(r), "InvalidParameterException");
  EXPECT_EQ(Body(r)["message"], "autoRenew is required.");
}

TEST_F(EksServiceTest, ActiveAccountsFollowSubscriptions) {
  CreateNamed("grant");
  auto active = store_->subscriptions().ActiveAccounts(kRegion, clock_.Now());
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, std::vector<std::string>{kA});
  clock_.Advance(std::chrono::hours(24 * 366));
  active = store_->subscriptions().ActiveAccounts(kRegion, clock_.Now());
  ASSERT_TRUE(active.ok());
  EXPECT_TRUE(active->empty());
}

}  // namespace
}  // namespace cpa::server::api
