// Registry hostnames: the Amazon ECR credential helper's table (ecr-registry-hostnames, 29 cases)
// and cpa's own forms (configured domain, ports, case).
#include "core/registry_host.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace cpa::core {
namespace {

constexpr size_t kSuiteCases = 29;

nlohmann::json LoadHostnames() {
  const std::string path =
      std::string(CPA_TESTDATA_DIR) + "/ecr-registry-hostnames/extract-registry-tests.json";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "conformance data missing: " << path;
    return nullptr;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) ADD_FAILURE() << "unparsable: " << path;
  return j;
}

TEST(RegistryHostSuite, CredentialHelperCases) {
  nlohmann::json suite = LoadHostnames();
  ASSERT_TRUE(suite.is_object());
  const nlohmann::json& cases = suite["cases"];
  ASSERT_TRUE(cases.is_array());
  ASSERT_GE(cases.size(), kSuiteCases) << "fewer cases than the folder's README lists";
  size_t valid = 0, rejected = 0;
  for (const auto& c : cases) {
    const std::string url = c["serverURL"];
    SCOPED_TRACE(url);
    auto host = ParseRegistryServerUrl(url);
    if (c["hasError"].get<bool>()) {
      EXPECT_FALSE(host.has_value());
      ++rejected;
      continue;
    }
    ASSERT_TRUE(host.has_value());
    ++valid;
    const nlohmann::json& want = c["registry"];
    if (want.value("Service", "") == "ecr-public") {
      EXPECT_EQ(host->kind, RegistryKind::kPublic);
      EXPECT_EQ(host->name, want.value("Name", ""));
      continue;
    }
    EXPECT_EQ(host->kind, RegistryKind::kPrivate);
    EXPECT_EQ(host->account_id, want.value("ID", ""));
    EXPECT_EQ(host->region, want.value("Region", ""));
    EXPECT_EQ(host->fips, want.value("FIPS", false));
  }
  EXPECT_EQ(valid + rejected, cases.size());
  EXPECT_EQ(valid, 20u);
  EXPECT_EQ(rejected, 9u);
}

TEST(RegistryHost, ConfiguredDomainAndPort) {
  auto h = ParseRegistryHost("111111111111.dkr.ecr.us-east-1.localhost:4566");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->kind, RegistryKind::kPrivate);
  EXPECT_EQ(h->account_id, "111111111111");
  EXPECT_EQ(h->region, "us-east-1");
  EXPECT_EQ(h->domain, "localhost");
  EXPECT_FALSE(h->fips);

  h = ParseRegistryHost("222222222222.dkr.ecr-fips.us-gov-west-1.registry.test", "registry.test");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->fips);
  EXPECT_EQ(h->region, "us-gov-west-1");
  // The configured domain replaces "localhost"; AWS's suffixes always work.
  EXPECT_FALSE(ParseRegistryHost("111111111111.dkr.ecr.us-east-1.localhost", "registry.test"));
  EXPECT_TRUE(ParseRegistryHost("111111111111.dkr.ecr.us-east-1.amazonaws.com", "registry.test"));
  EXPECT_FALSE(ParseRegistryHost("111111111111.dkr.ecr.us-east-1.localhost", ""));
}

TEST(RegistryHost, CaseTrailingDotAndDualStack) {
  auto h = ParseRegistryHost("111111111111.DKR.ECR.US-WEST-2.AmazonAWS.com.");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->region, "us-west-2");
  EXPECT_EQ(h->domain, "amazonaws.com");
  h = ParseRegistryHost("111111111111.dkr-ecr.eu-west-1.on.aws:443");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->dual_stack);
  EXPECT_EQ(h->region, "eu-west-1");
}

TEST(RegistryHost, NotRegistries) {
  for (const char* host :
       {"", "127.0.0.1:4566", "[::1]:4566", "localhost", "localhost:4566",
        "11111111111.dkr.ecr.us-east-1.localhost",    // 11 digits
        "1111111111111.dkr.ecr.us-east-1.localhost",  // 13 digits
        "111111111111.dkr.ecr.localhost",             // no region
        "111111111111.dkr.ecr..localhost",            // empty region
        "111111111111.dkr.ecr.-us.localhost",         // region starts with '-'
        "111111111111.ecr.us-east-1.localhost", "111111111111.dkr.ecr.us-east-1.localhost:abc",
        "111111111111.dkr.ecr.us-east-1.localhost:", "api.ecr.us-east-1.amazonaws.com",
        "111111111111.dkr.ecr.us-east-1.localhost.evil.example"}) {
    SCOPED_TRACE(host);
    EXPECT_FALSE(ParseRegistryHost(host).has_value());
  }
}

TEST(RegistryHost, PublicRegistries) {
  auto h = ParseRegistryHost("public.ecr.aws");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->kind, RegistryKind::kPublic);
  EXPECT_EQ(h->name, "public.ecr.aws");
  EXPECT_FALSE(ParseRegistryHost("public.ecr.aws.example"));
}

TEST(RegistryHost, ServerUrlForms) {
  auto h = ParseRegistryServerUrl("https://AWS@111111111111.dkr.ecr.us-east-1.localhost:5000/v2/x");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->account_id, "111111111111");
  EXPECT_FALSE(
      ParseRegistryServerUrl("https://example.com/111111111111.dkr.ecr.us-east-1.localhost"));
}

}  // namespace
}  // namespace cpa::core
