// ApplyDockerConfigSecret through the Client and a scripted transport.
#include "kube/apply_secret.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes.h"
#include "kube/client.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;
using Json = nlohmann::json;
using testing::ScriptedTransport;

constexpr char kPath[] = "/api/v1/namespaces/team-a/secrets/ecr-token";
constexpr char kCollection[] = "/api/v1/namespaces/team-a/secrets";
const std::string kPayload = R"({"auths":{"https://r":{"username":"AWS","password":"p"}}})";
const std::string kOld = R"({"auths":{}})";
constexpr char kDcj[] = "kubernetes.io/dockerconfigjson";

class Apply : public ::testing::Test {
 protected:
  void SetUp() override {
    Connection c;
    c.server = "https://k";
    ClientOptions options;
    options.transport = transport_;
    client_ = std::move(*Client::Create(c, options));
  }

  ApiResult<ApplyResult> Run(ApplyOptions options = {}) {
    options.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
    return ApplyDockerConfigSecret(*client_, "team-a", "ecr-token", kPayload, options);
  }

  Json Body(size_t i) { return Json::parse(transport_->requests.at(i).body); }

  std::shared_ptr<ScriptedTransport> transport_ = std::make_shared<ScriptedTransport>();
  std::unique_ptr<Client> client_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(Apply, CreatesWhenAbsent) {
  transport_->Expect("GET", kPath, 404, testing::NotFoundBody("secrets", "ecr-token"));
  transport_->Expect(
      "POST", kCollection, 201,
      testing::SecretJson("team-a", "ecr-token", "8", {{".dockerconfigjson", kPayload}}, kDcj)
          .dump());
  ApplyOptions options;
  options.labels = {{"app.kubernetes.io/managed-by", "cpa"}};
  auto r = Run(options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->action, ApplyAction::kCreated);
  EXPECT_EQ(r->resource_version, "8");
  EXPECT_EQ(r->attempts, 1);
  Json post = Body(1);
  EXPECT_EQ(post["type"], kDcj);
  EXPECT_EQ(post["data"].size(), 1u);
  EXPECT_EQ(post["metadata"]["labels"]["app.kubernetes.io/managed-by"], "cpa");
  EXPECT_TRUE(transport_->done());
}

TEST_F(Apply, UpdatesOnlyThePayloadKey) {
  Json current = testing::SecretJson("team-a", "ecr-token", "20",
                                     {{".dockerconfigjson", kOld}, {"extra", "keep me"}}, kDcj);
  current["metadata"]["labels"] = {{"owner", "someone"}};
  current["metadata"]["annotations"] = {{"note", "n"}};
  current["metadata"]["ownerReferences"] = Json::array({{{"name", "o"}}});
  transport_->Expect("GET", kPath, 200, current.dump());
  transport_->Expect(
      "PUT", kPath, 200,
      testing::SecretJson("team-a", "ecr-token", "21", {{".dockerconfigjson", kPayload}}, kDcj)
          .dump());
  ApplyOptions options;
  options.labels = {{"app.kubernetes.io/managed-by", "cpa"}};  // only for new Secrets
  auto r = Run(options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->action, ApplyAction::kUpdated);
  EXPECT_EQ(r->resource_version, "21");
  Json put = Body(1);
  EXPECT_EQ(put["metadata"]["resourceVersion"], "20");
  EXPECT_EQ(put["metadata"]["labels"], Json({{"owner", "someone"}}));
  EXPECT_EQ(put["metadata"]["annotations"], Json({{"note", "n"}}));
  EXPECT_EQ(put["metadata"]["ownerReferences"][0]["name"], "o");
  EXPECT_EQ(put["data"]["extra"], current["data"]["extra"]);
  EXPECT_EQ(put["type"], kDcj);
  EXPECT_NE(put["data"][".dockerconfigjson"], current["data"][".dockerconfigjson"]);
}

TEST_F(Apply, NoWriteWhenUnchanged) {
  transport_->Expect(
      "GET", kPath, 200,
      testing::SecretJson("team-a", "ecr-token", "20", {{".dockerconfigjson", kPayload}}, kDcj)
          .dump());
  auto r = Run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->action, ApplyAction::kUnchanged);
  EXPECT_EQ(r->resource_version, "20");
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(Apply, RetriesConflicts) {
  for (int rv = 1; rv <= 3; ++rv) {
    transport_->Expect("GET", kPath, 200,
                       testing::SecretJson("team-a", "ecr-token", std::to_string(rv),
                                           {{".dockerconfigjson", kOld}}, kDcj)
                           .dump());
    if (rv < 3) {
      transport_->Expect("PUT", kPath, 409, testing::ConflictBody("secrets", "ecr-token"));
    }
  }
  transport_->Expect(
      "PUT", kPath, 200,
      testing::SecretJson("team-a", "ecr-token", "9", {{".dockerconfigjson", kPayload}}, kDcj)
          .dump());
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->action, ApplyAction::kUpdated);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(Body(5)["metadata"]["resourceVersion"], "3");  // the last PUT used the fresh read
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(10),
                                                             std::chrono::milliseconds(20)}));
}

TEST_F(Apply, GivesUpAfterMaxAttempts) {
  for (int i = 0; i < 2; ++i) {
    transport_->Expect(
        "GET", kPath, 200,
        testing::SecretJson("team-a", "ecr-token", "1", {{".dockerconfigjson", kOld}}, kDcj)
            .dump());
    transport_->Expect("PUT", kPath, 409, testing::ConflictBody("secrets", "ecr-token"));
  }
  ApplyOptions options;
  options.max_attempts = 2;
  auto r = Run(options);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.IsConflict());
  EXPECT_TRUE(r.status().message().starts_with(
      "apply secret team-a/ecr-token: gave up after 2 attempts: replace secret team-a/ecr-token"))
      << r.status().message();
  EXPECT_TRUE(transport_->done());
}

TEST_F(Apply, CreateRaceStartsOver) {
  transport_->Expect("GET", kPath, 404, testing::NotFoundBody("secrets", "ecr-token"));
  transport_->Expect("POST", kCollection, 409, testing::AlreadyExistsBody("secrets", "ecr-token"));
  transport_->Expect(
      "GET", kPath, 200,
      testing::SecretJson("team-a", "ecr-token", "4", {{".dockerconfigjson", kOld}}, kDcj).dump());
  transport_->Expect(
      "PUT", kPath, 200,
      testing::SecretJson("team-a", "ecr-token", "5", {{".dockerconfigjson", kPayload}}, kDcj)
          .dump());
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->action, ApplyAction::kUpdated);
  EXPECT_EQ(r->attempts, 2);
}

TEST_F(Apply, WrongTypeIsRefused) {
  transport_->Expect(
      "GET", kPath, 200,
      testing::SecretJson("team-a", "ecr-token", "1", {{"x", "y"}}, "Opaque").dump());
  auto r = Run();
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "apply secret team-a/ecr-token: the Secret exists with type Opaque, not "
            "kubernetes.io/dockerconfigjson; a Secret's type cannot be changed: delete it and it "
            "is recreated");
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(Apply, ImmutableIsRefused) {
  Json current =
      testing::SecretJson("team-a", "ecr-token", "1", {{".dockerconfigjson", kOld}}, kDcj);
  current["immutable"] = true;
  transport_->Expect("GET", kPath, 200, current.dump());
  EXPECT_EQ(Run().status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(Apply, OtherErrorsAreReturnedAtOnce) {
  transport_->Expect("GET", kPath, 403,
                     testing::StatusBody(403, "Forbidden", "secrets \"ecr-token\" is forbidden"));
  auto r = Run();
  EXPECT_EQ(r.status().code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(r.reason(), "Forbidden");

  transport_->Expect(
      "GET", kPath, 200,
      testing::SecretJson("team-a", "ecr-token", "1", {{".dockerconfigjson", kOld}}, kDcj).dump());
  transport_->Expect("PUT", kPath, 422, testing::StatusBody(422, "Invalid", "bad"));
  EXPECT_EQ(Run().status().code(), ErrorCode::kValidationError);
  EXPECT_TRUE(transport_->done());
}

TEST_F(Apply, PayloadMustBeAJsonObject) {
  auto r = ApplyDockerConfigSecret(*client_, "team-a", "ecr-token", "[]");
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(transport_->requests.empty());
}

TEST(ApplyActionName, Names) {
  EXPECT_EQ(ApplyActionName(ApplyAction::kCreated), "created");
  EXPECT_EQ(ApplyActionName(ApplyAction::kUpdated), "updated");
  EXPECT_EQ(ApplyActionName(ApplyAction::kUnchanged), "unchanged");
}

}  // namespace
}  // namespace cpa::kube
