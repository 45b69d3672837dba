// eksa_packages.h, names.h.
#include <gtest/gtest.h>

#include "fakes.h"
#include "kube/client.h"
#include "kube/eksa_packages.h"
#include "kube/names.h"

namespace cpa::kube {
namespace {

using core::ErrorCode;

TEST(Names, Namespace) {
  EXPECT_TRUE(ValidateNamespaceName("eksa-packages").ok());
  EXPECT_TRUE(ValidateNamespaceName("a").ok());
  EXPECT_TRUE(ValidateNamespaceName(std::string(63, 'a')).ok());
  EXPECT_FALSE(ValidateNamespaceName(std::string(64, 'a')).ok());
  EXPECT_FALSE(ValidateNamespaceName("").ok());
  EXPECT_FALSE(ValidateNamespaceName("-a").ok());
  EXPECT_FALSE(ValidateNamespaceName("a-").ok());
  EXPECT_FALSE(ValidateNamespaceName("A").ok());
  EXPECT_FALSE(ValidateNamespaceName("a.b").ok());
  EXPECT_FALSE(ValidateNamespaceName("..").ok());
  EXPECT_EQ(ValidateNamespaceName("a\nb").message().find('\n'), std::string::npos);
}

TEST(Names, Object) {
  EXPECT_TRUE(ValidateObjectName("ecr-token").ok());
  EXPECT_TRUE(ValidateObjectName("a.b-c.d").ok());
  EXPECT_FALSE(ValidateObjectName("a..b").ok());
  EXPECT_FALSE(ValidateObjectName(".a").ok());
  EXPECT_FALSE(ValidateObjectName("a.").ok());
  EXPECT_FALSE(ValidateObjectName("a/b").ok());
  EXPECT_FALSE(ValidateObjectName("").ok());
  EXPECT_FALSE(ValidateObjectName(std::string(254, 'a')).ok());
  EXPECT_TRUE(ValidateObjectName(std::string(253, 'a')).ok());  // the API limits only the total
}

TEST(EksaPackages, ClusterNamespace) {
  EXPECT_EQ(*ClusterNamespace("mgmt"), "eksa-packages-mgmt");
  EXPECT_EQ(ClusterNamespace("").status().code(), ErrorCode::kMissingParameter);
  EXPECT_EQ(ClusterNamespace("Prod").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ClusterNamespace(std::string(50, 'a')).status().code(), ErrorCode::kInvalidArgument);
}

TEST(EksaPackages, TargetNamespacesAreTheKeys) {
  ConfigMap map;
  map.data = {{"eksa-packages-mgmt", "eksa-package-controller"},
              {"emissary-system", "eksa-package-placeholder"},
              {"team-a", "harbor,prometheus"},
              {"Bad_Key", "x"}};
  map.binary_data = {{"ignored", "x"}};
  TargetNamespaces t = TargetNamespacesOf(map);
  EXPECT_EQ(t.namespaces,
            (std::vector<std::string>{"eksa-packages-mgmt", "emissary-system", "team-a"}));
  EXPECT_EQ(t.invalid, std::vector<std::string>{"Bad_Key"});
}

TEST(EksaPackages, ReadTargetNamespaces) {
  auto transport = std::make_shared<testing::ScriptedTransport>();
  Connection c;
  c.server = "https://k";
  ClientOptions options;
  options.transport = transport;
  auto client = std::move(*Client::Create(c, options));
  transport->Expect("GET", "/api/v1/namespaces/eksa-packages-mgmt/configmaps/ns-secret-map", 200,
                    R"({"kind":"ConfigMap","metadata":{"name":"ns-secret-map"},
                        "data":{"emissary-system":"eksa-package-placeholder"}})");
  auto t = ReadTargetNamespaces(*client, "mgmt");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->namespaces, std::vector<std::string>{"emissary-system"});

  transport->Expect("GET", "/api/v1/namespaces/eksa-packages-mgmt/configmaps/ns-secret-map", 404,
                    testing::NotFoundBody("configmaps", "ns-secret-map"));
  auto missing = ReadTargetNamespaces(*client, "mgmt");
  EXPECT_TRUE(missing.IsNotFound());
  EXPECT_EQ(ReadTargetNamespaces(*client, "").status().code(), ErrorCode::kMissingParameter);
}

}  // namespace
}  // namespace cpa::kube
