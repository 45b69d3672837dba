// Secret ecr-token in every target namespace (a fake kube::Api): the union of ns-secret-map's
// keys and the extra namespaces; the refresher's payload bytes; created, updated (other keys
// kept) or unchanged; conflicts retried; per-namespace failures with their causes while the
// other namespaces are written; no target at all; no password in the log.
#include "agent/ecr_token_output.h"

#include <gtest/gtest.h>

#include "fake_kube_api.h"

namespace cpa::agent {
namespace {

using testing::FakeKubeApi;

const std::vector<RegistryAuth> kAuths = {
    {"346438352937.dkr.ecr.us-west-2.localhost:4566", "AWS", "secret-password-1"}};

struct Fixture {
  FakeKubeApi api;
  std::vector<std::string> log;
  EcrTokenOutputOptions options;

  Fixture() {
    kube::ConfigMap map;
    map.metadata.namespace_name = "eksa-packages-c1";
    map.metadata.name = "ns-secret-map";
    map.data = {{"eksa-packages-c1", "eksa-package-controller"},
                {"emissary-system", "eksa-package-placeholder"},
                {"Not_A_Namespace", "x"}};
    api.AddConfigMap(map);
    api.namespaces.insert({"emissary-system", "extra"});
    options.cluster = "c1";
    options.namespaces = {"extra", "emissary-system"};
  }
  EcrTokenSecretOutput Make() {
    return EcrTokenSecretOutput(&api, options,
                                [this](std::string_view line) { log.emplace_back(line); });
  }
  std::string Log() const {
    std::string all;
    for (const auto& l : log) all += l + "\n";
    return all;
  }
  std::string Payload(const std::string& ns) const {
    const kube::Secret* s = api.FindSecret(ns, "ecr-token");
    return s == nullptr ? "" : s->data.at(".dockerconfigjson");
  }
};

TEST(EcrTokenSecretOutput, CreatesInEveryTargetNamespace) {
  Fixture f;
  EcrTokenSecretOutput out = f.Make();
  EXPECT_EQ(out.Describe(),
            "Secret ecr-token in the namespaces of ConfigMap eksa-packages-c1/ns-secret-map, "
            "extra, emissary-system");
  WriteResult w = out.Write(kAuths);
  ASSERT_TRUE(w.ok()) << w.failures[0].message;
  EXPECT_TRUE(w.stored);
  for (const char* ns : {"eksa-packages-c1", "emissary-system", "extra"}) {
    SCOPED_TRACE(ns);
    const kube::Secret* s = f.api.FindSecret(ns, "ecr-token");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->type, "kubernetes.io/dockerconfigjson");
    EXPECT_EQ(s->data.size(), 1u);
    EXPECT_EQ(f.Payload(ns), RenderDockerConfigJson(kAuths));
  }
  EXPECT_EQ(out.Describe(),
            "Secret ecr-token in namespace(s) eksa-packages-c1, emissary-system, extra");
  const std::string log = f.Log();
  EXPECT_NE(log.find("key `Not_A_Namespace` is not a namespace name (skipped)"), std::string::npos);
  EXPECT_NE(log.find("Secret emissary-system/ecr-token: created (resourceVersion "),
            std::string::npos);
  EXPECT_EQ(log.find("secret-password-1"), std::string::npos);
  // Each namespace once, in order, after the map.
  EXPECT_EQ(f.api.calls[0], "GET configmap eksa-packages-c1/ns-secret-map");
  EXPECT_EQ(f.api.calls.size(), 1u + 3 * 2);
}

TEST(EcrTokenSecretOutput, UpdatesKeepingOtherKeysThenLeavesTheSamePayloadAlone) {
  Fixture f;
  EcrTokenSecretOutput out = f.Make();
  ASSERT_TRUE(out.Write(kAuths).ok());
  kube::Secret extra = *f.api.FindSecret("extra", "ecr-token");
  extra.data["note"] = "kept";
  f.api.secrets[{"extra", "ecr-token"}] = extra;

  const std::vector<RegistryAuth> next = {
      {"346438352937.dkr.ecr.us-west-2.localhost:4566", "AWS", "secret-password-2"}};
  ASSERT_TRUE(out.Write(next).ok());
  const kube::Secret* updated = f.api.FindSecret("extra", "ecr-token");
  EXPECT_NE(updated->metadata.resource_version, extra.metadata.resource_version);
  EXPECT_EQ(updated->data.at("note"), "kept");
  EXPECT_EQ(f.Payload("extra"), RenderDockerConfigJson(next));
  EXPECT_NE(f.Log().find("Secret extra/ecr-token: updated"), std::string::npos);

  const std::string version = updated->metadata.resource_version;
  f.log.clear();
  ASSERT_TRUE(out.Write(next).ok());
  EXPECT_EQ(f.api.FindSecret("extra", "ecr-token")->metadata.resource_version, version);
  EXPECT_NE(f.Log().find("Secret extra/ecr-token: unchanged"), std::string::npos);
}

TEST(EcrTokenSecretOutput, ConflictsAreRetried) {
  Fixture f;
  f.options.cluster.clear();
  f.options.namespaces = {"extra"};
  EcrTokenSecretOutput out = f.Make();
  ASSERT_TRUE(out.Write(kAuths).ok());
  // Two concurrent writes between our GET and PUT: two 409 Conflicts, then it goes through.
  f.api.faults.push_back({.call = "PUT secret", .count = 2, .touch = true});
  const std::vector<RegistryAuth> next = {{"a.example", "AWS", "pw-2"}};
  WriteResult w = out.Write(next);
  ASSERT_TRUE(w.ok()) << w.failures[0].message;
  EXPECT_EQ(f.Payload("extra"), RenderDockerConfigJson(next));
  EXPECT_NE(f.Log().find("Secret extra/ecr-token: updated (resourceVersion "), std::string::npos);
  EXPECT_NE(f.Log().find(", after 3 tries)"), std::string::npos);

  // Conflicts that never stop: given up on, a `service` failure, nothing stored.
  f.api.faults.push_back({.call = "PUT secret", .count = -1, .code = 409, .reason = "Conflict"});
  w = out.Write(kAuths);
  ASSERT_EQ(w.failures.size(), 1u);
  EXPECT_FALSE(w.stored);
  EXPECT_EQ(w.failures[0].cause, FailureCause::kService);
  EXPECT_NE(w.failures[0].message.find("gave up after 5 attempts"), std::string::npos);
  EXPECT_EQ(f.Payload("extra"), RenderDockerConfigJson(next));
}

TEST(EcrTokenSecretOutput, ANamespaceThatFailsDoesNotStopTheOthers) {
  Fixture f;
  EcrTokenSecretOutput out = f.Make();
  // No RoleBinding in `extra`: create is forbidden there.
  f.api.faults.push_back({.call = "POST secret",
                          .namespace_name = "extra",
                          .count = -1,
                          .code = 403,
                          .reason = "Forbidden"});
  WriteResult w = out.Write(kAuths);
  ASSERT_EQ(w.failures.size(), 1u);
  EXPECT_TRUE(w.stored);
  EXPECT_EQ(w.failures[0].cause, FailureCause::kAccessDenied);
  EXPECT_EQ(w.failures[0].message.rfind("Secret extra/ecr-token: ", 0), 0u)
      << w.failures[0].message;
  EXPECT_EQ(f.api.FindSecret("extra", "ecr-token"), nullptr);
  EXPECT_EQ(f.Payload("emissary-system"), RenderDockerConfigJson(kAuths));
  EXPECT_EQ(out.Describe(), "Secret ecr-token in namespace(s) eksa-packages-c1, emissary-system");
}

TEST(EcrTokenSecretOutput, CausesOfWriteFailures) {
  struct Case {
    FakeKubeApi::Fault fault;
    FailureCause cause;
  };
  const Case cases[] = {
      {{.call = "GET secret", .count = -1, .code = 0}, FailureCause::kNetwork},
      {{.call = "POST secret", .count = -1, .code = 0}, FailureCause::kNetwork},
      {{.call = "GET secret", .count = -1, .code = 401}, FailureCause::kInvalidCredentials},
      {{.call = "POST secret", .count = -1, .code = 422, .reason = "Invalid"},
       FailureCause::kOutput},
      {{.call = "POST secret", .count = -1, .code = 500}, FailureCause::kService},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fault.call + " " + std::to_string(c.fault.code));
    Fixture f;
    f.options.cluster.clear();
    f.options.namespaces = {"extra"};
    f.api.faults.push_back(c.fault);
    EcrTokenSecretOutput out = f.Make();
    WriteResult w = out.Write(kAuths);
    ASSERT_EQ(w.failures.size(), 1u);
    EXPECT_FALSE(w.stored);
    EXPECT_EQ(w.failures[0].cause, c.cause) << w.failures[0].message;
  }
  // A namespace that does not exist: 404 on create.
  Fixture f;
  f.options.cluster.clear();
  f.options.namespaces = {"missing"};
  EcrTokenSecretOutput out = f.Make();
  WriteResult w = out.Write(kAuths);
  ASSERT_EQ(w.failures.size(), 1u);
  EXPECT_EQ(w.failures[0].cause, FailureCause::kOutput);
}

TEST(EcrTokenSecretOutput, ASecretInTheWayIsRefusedUntouched) {
  Fixture f;
  f.options.cluster.clear();
  f.options.namespaces = {"extra"};
  kube::Secret other;
  other.metadata.namespace_name = "extra";
  other.metadata.name = "ecr-token";
  other.type = "Opaque";
  other.data = {{"token", "x"}};
  f.api.AddSecret(other);
  EcrTokenSecretOutput out = f.Make();
  WriteResult w = out.Write(kAuths);
  ASSERT_EQ(w.failures.size(), 1u);
  EXPECT_EQ(w.failures[0].cause, FailureCause::kOutput);
  EXPECT_NE(w.failures[0].message.find("type Opaque"), std::string::npos);
  EXPECT_EQ(f.api.FindSecret("extra", "ecr-token")->data, other.data);
}

TEST(EcrTokenSecretOutput, TheNamespaceMap) {
  {
    // Missing: logged and skipped; the extra namespaces are still written.
    Fixture f;
    f.api.config_maps.clear();
    EcrTokenSecretOutput out = f.Make();
    WriteResult w = out.Write(kAuths);
    EXPECT_TRUE(w.ok());
    EXPECT_NE(f.Log().find("ConfigMap eksa-packages-c1/ns-secret-map not found"),
              std::string::npos);
    EXPECT_EQ(out.Describe(), "Secret ecr-token in namespace(s) emissary-system, extra");
  }
  {
    // Missing and nothing else: a `config` failure, nothing written.
    Fixture f;
    f.api.config_maps.clear();
    f.options.namespaces.clear();
    EcrTokenSecretOutput out = f.Make();
    WriteResult w = out.Write(kAuths);
    ASSERT_EQ(w.failures.size(), 1u);
    EXPECT_FALSE(w.stored);
    EXPECT_EQ(w.failures[0].cause, FailureCause::kConfig);
    EXPECT_NE(w.failures[0].message.find("no target namespace"), std::string::npos);
    EXPECT_TRUE(f.api.secrets.empty());
  }
  {
    // Forbidden: access_denied; the extra namespaces are written (in part).
    Fixture f;
    f.api.faults.push_back({.call = "GET configmap", .code = 403, .reason = "Forbidden"});
    EcrTokenSecretOutput out = f.Make();
    WriteResult w = out.Write(kAuths);
    ASSERT_EQ(w.failures.size(), 1u);
    EXPECT_TRUE(w.stored);
    EXPECT_EQ(w.failures[0].cause, FailureCause::kAccessDenied);
    EXPECT_NE(w.failures[0].message.find("ConfigMap eksa-packages-c1/ns-secret-map: "),
              std::string::npos);
    EXPECT_EQ(f.api.FindSecret("eksa-packages-c1", "ecr-token"), nullptr);
    EXPECT_NE(f.api.FindSecret("extra", "ecr-token"), nullptr);
  }
}

TEST(EcrTokenSecretOutput, Validate) {
  EXPECT_TRUE(EcrTokenSecretOutput::Validate({.cluster = "c1"}).ok());
  EXPECT_TRUE(EcrTokenSecretOutput::Validate({.namespaces = {"a", "b-1"}}).ok());
  core::Status none = EcrTokenSecretOutput::Validate({});
  EXPECT_NE(none.message().find("give --cluster NAME"), std::string::npos);
  core::Status cluster = EcrTokenSecretOutput::Validate({.cluster = "Bad_Name"});
  EXPECT_EQ(cluster.message().rfind("--cluster: ", 0), 0u) << cluster.message();
  core::Status ns = EcrTokenSecretOutput::Validate({.namespaces = {"ok", "not/ok"}});
  EXPECT_EQ(ns.message().rfind("--namespace: ", 0), 0u) << ns.message();
}

}  // namespace
}  // namespace cpa::agent
