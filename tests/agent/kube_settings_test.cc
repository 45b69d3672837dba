// aws-secret through the Kubernetes API (a fake kube::Api): both Secret forms, a malformed
// `config` reported by its key, and the failure cause of each kind of API failure.
#include "agent/kube_settings.h"

#include <gtest/gtest.h>

#include "fake_kube_api.h"

namespace cpa::agent {
namespace {

using testing::FakeKubeApi;

kube::Secret AwsSecret(std::map<std::string, std::string> data) {
  kube::Secret s;
  s.metadata.namespace_name = "eksa-packages";
  s.metadata.name = "aws-secret";
  s.data = std::move(data);
  return s;
}

TEST(KubeFailureCause, FromTheServersAnswer) {
  EXPECT_EQ(KubeFailureCause(nullptr, FailureCause::kConfig), FailureCause::kNetwork);
  auto cause = [](int code) {
    kube::ApiError e;
    e.code = code;
    return KubeFailureCause(&e, FailureCause::kOutput);
  };
  EXPECT_EQ(cause(401), FailureCause::kInvalidCredentials);
  EXPECT_EQ(cause(403), FailureCause::kAccessDenied);
  EXPECT_EQ(cause(409), FailureCause::kService);
  EXPECT_EQ(cause(429), FailureCause::kService);
  EXPECT_EQ(cause(500), FailureCause::kService);
  EXPECT_EQ(cause(503), FailureCause::kService);
  EXPECT_EQ(cause(404), FailureCause::kOutput);
  EXPECT_EQ(cause(422), FailureCause::kOutput);
  EXPECT_EQ(cause(400), FailureCause::kOutput);
}

TEST(LoadAwsSecret, TheConfigFormOverridesTheKeys) {
  FakeKubeApi api;
  api.AddSecret(AwsSecret({{"AWS_ACCESS_KEY_ID", "AKIAOLD"},
                           {"AWS_SECRET_ACCESS_KEY", "old-secret"},
                           {"REGION", "'us-east-1'"},
                           {"config", "[default]\nregion = us-west-2\n"}}));
  LoadedSettings loaded = LoadAwsSecret(api);
  ASSERT_TRUE(loaded.settings.ok()) << loaded.settings.status().ToString();
  EXPECT_EQ(loaded.settings->form, SettingsForm::kConfig);
  EXPECT_EQ(loaded.settings->origin, "Secret eksa-packages/aws-secret");
  EXPECT_EQ(loaded.settings->config_text, "[default]\nregion = us-west-2\n");
  EXPECT_EQ(loaded.settings->secret_region, "us-east-1");
  ASSERT_EQ(loaded.settings->notes.size(), 1u);
  EXPECT_NE(loaded.settings->notes[0].find("overrides"), std::string::npos);
  EXPECT_EQ(api.calls, (std::vector<std::string>{"GET secret eksa-packages/aws-secret"}));
}

TEST(LoadAwsSecret, TheKeysForm) {
  FakeKubeApi api;
  api.AddSecret(AwsSecret({{"AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"},
                           {"AWS_SECRET_ACCESS_KEY", "wJalr"},
                           {"REGION", "us-west-2"}}));
  LoadedSettings loaded = LoadAwsSecret(api);
  ASSERT_TRUE(loaded.settings.ok()) << loaded.settings.status().ToString();
  EXPECT_EQ(loaded.settings->form, SettingsForm::kKeys);
  EXPECT_EQ(loaded.settings->secret_region, "us-west-2");
}

TEST(LoadAwsSecret, AMalformedConfigIsNamedByItsKeyNotItsText) {
  FakeKubeApi api;
  api.AddSecret(AwsSecret({{"config",
                            "[default]\nregion = us-west-2\n[profile user\n"
                            "aws_secret_access_key = very-secret\n"}}));
  LoadedSettings loaded = LoadAwsSecret(api);
  ASSERT_FALSE(loaded.settings.ok());
  EXPECT_EQ(loaded.cause, FailureCause::kConfig);
  const std::string& message = loaded.settings.status().message();
  EXPECT_NE(message.find("malformed AWS config: Secret eksa-packages/aws-secret key `config` "
                         "line 3"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("very-secret"), std::string::npos);
}

TEST(LoadAwsSecret, APIFailuresHaveTheirCauses) {
  {
    FakeKubeApi api;  // no aws-secret
    LoadedSettings loaded = LoadAwsSecret(api);
    ASSERT_FALSE(loaded.settings.ok());
    EXPECT_EQ(loaded.cause, FailureCause::kConfig);
    EXPECT_NE(loaded.settings.status().message().find("aws-secret.yaml"), std::string::npos);
  }
  const std::pair<int, FailureCause> cases[] = {{403, FailureCause::kAccessDenied},
                                                {401, FailureCause::kInvalidCredentials},
                                                {500, FailureCause::kService},
                                                {0, FailureCause::kNetwork}};
  for (const auto& [code, cause] : cases) {
    SCOPED_TRACE(code);
    FakeKubeApi api;
    api.AddSecret(AwsSecret({{"config", "[default]\n"}}));
    api.faults.push_back({.call = "GET secret", .code = code});
    LoadedSettings loaded = LoadAwsSecret(api);
    ASSERT_FALSE(loaded.settings.ok());
    EXPECT_EQ(loaded.cause, cause);
  }
}

}  // namespace
}  // namespace cpa::agent
