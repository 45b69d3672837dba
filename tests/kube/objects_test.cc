#include "kube/objects.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes.h"

namespace cpa::kube {
namespace {

using Json = nlohmann::json;

TEST(Secret, DecodeAndReplaceKeepUnknownFields) {
  Json j = testing::SecretJson("ns", "s", "42", {{"a", "x"}, {"b", std::string("\0\1", 2)}});
  j["metadata"]["labels"] = {{"app", "cpa"}};
  j["metadata"]["ownerReferences"] = Json::array({{{"name", "owner"}}});
  j["metadata"]["managedFields"] = Json::array({{{"manager", "kubectl"}}});
  j["immutable"] = false;
  auto s = DecodeSecret(j.dump());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->metadata.name, "s");
  EXPECT_EQ(s->metadata.namespace_name, "ns");
  EXPECT_EQ(s->metadata.resource_version, "42");
  EXPECT_EQ(s->metadata.uid, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(s->metadata.creation_timestamp, "2026-01-02T03:04:05Z");
  EXPECT_EQ(s->metadata.labels.at("app"), "cpa");
  EXPECT_EQ(s->data.at("b"), std::string("\0\1", 2));
  EXPECT_EQ(s->type, "Opaque");

  s->data["a"] = "changed";
  s->metadata.labels["extra"] = "1";
  Json put = Json::parse(EncodeSecretForReplace(*s));
  EXPECT_EQ(put["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(put["metadata"]["ownerReferences"][0]["name"], "owner");
  EXPECT_EQ(put["metadata"]["managedFields"][0]["manager"], "kubectl");
  EXPECT_EQ(put["metadata"]["labels"]["extra"], "1");
  EXPECT_EQ(put["data"]["a"], "Y2hhbmdlZA==");
  EXPECT_EQ(put["data"]["b"], "AAE=");
  EXPECT_EQ(put["immutable"], false);
  EXPECT_EQ(put["kind"], "Secret");
}

TEST(Secret, ReplaceWithoutResourceVersionIsUnconditional) {
  Secret s;
  s.metadata.name = "s";
  s.metadata.namespace_name = "ns";
  Json put = Json::parse(EncodeSecretForReplace(s));
  EXPECT_FALSE(put["metadata"].contains("resourceVersion"));
  EXPECT_FALSE(put.contains("data"));
}

TEST(Secret, ReplaceDropsStringData) {
  Json j = testing::SecretJson("ns", "s", "1", {});
  j["stringData"] = {{"x", "y"}};
  auto s = DecodeSecret(j.dump());
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(Json::parse(EncodeSecretForReplace(*s)).contains("stringData"));
}

TEST(Secret, CreateSendsOnlyClientFields) {
  auto s = DecodeSecret(testing::SecretJson("ns", "s", "9", {{"k", "v"}}).dump());
  ASSERT_TRUE(s.ok());
  s->metadata.annotations["a"] = "b";
  Json post = Json::parse(EncodeSecretForCreate(*s));
  EXPECT_EQ(post, Json::parse(R"({"apiVersion":"v1","kind":"Secret",
      "metadata":{"name":"s","namespace":"ns","annotations":{"a":"b"}},
      "type":"Opaque","data":{"k":"dg=="}})"));
}

TEST(Secret, DecodeErrors) {
  EXPECT_FALSE(DecodeSecret("[]").ok());
  EXPECT_FALSE(DecodeSecret("{").ok());
  EXPECT_FALSE(DecodeSecret(R"({"kind":"ConfigMap","metadata":{}})").ok());
  EXPECT_FALSE(DecodeSecret(R"({"kind":"Secret"})").ok());
  auto bad = DecodeSecret(R"({"kind":"Secret","metadata":{"name":"s"},"data":{"k":"c2VjcmV0!"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "unexpected Secret from the API server: data[k] is not valid base64");
  EXPECT_FALSE(DecodeSecret(R"({"kind":"Secret","metadata":{"name":1}})").ok());
  EXPECT_FALSE(DecodeSecret(R"({"kind":"Secret","metadata":{"labels":[]}})").ok());
  EXPECT_FALSE(DecodeSecret(R"({"kind":"Secret","metadata":{},"immutable":"yes"})").ok());
  // Null fields are absent fields.
  EXPECT_TRUE(DecodeSecret(R"({"kind":"Secret","metadata":{"labels":null},"data":null})").ok());
}

TEST(ConfigMap, RoundTrip) {
  auto c = DecodeConfigMap(R"({"kind":"ConfigMap","apiVersion":"v1",
      "metadata":{"name":"ns-secret-map","namespace":"eksa-packages-mgmt","resourceVersion":"5"},
      "data":{"emissary-system":"eksa-package-placeholder"},"binaryData":{"b":"AAE="}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data.at("emissary-system"), "eksa-package-placeholder");
  EXPECT_EQ(c->binary_data.at("b"), std::string("\0\1", 2));
  c->data["team-a"] = "pkg";
  Json put = Json::parse(EncodeConfigMapForReplace(*c));
  EXPECT_EQ(put["data"]["team-a"], "pkg");
  EXPECT_EQ(put["binaryData"]["b"], "AAE=");
  EXPECT_EQ(put["metadata"]["resourceVersion"], "5");
  Json post = Json::parse(EncodeConfigMapForCreate(*c));
  EXPECT_FALSE(post["metadata"].contains("resourceVersion"));
  EXPECT_EQ(post["kind"], "ConfigMap");
}

}  // namespace
}  // namespace cpa::kube
