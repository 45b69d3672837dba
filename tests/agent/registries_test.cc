// Registry planning: the region's packages registry, --registry-domain (with a port), extra
// registries with profiles, rejection of non-ECR hosts, grouping by (profile, region), and the
// server name a login is stored under.
#include "agent/registries.h"

#include <gtest/gtest.h>

namespace cpa::agent {
namespace {

RegistryFlag Flag(std::string server, std::optional<std::string> profile = std::nullopt) {
  return RegistryFlag{std::move(server), std::move(profile)};
}

TEST(ParseRegistryFlag, HostAndProfile) {
  auto f = ParseRegistryFlag("111111111111.dkr.ecr.us-east-1.amazonaws.com=ci-reader");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->server, "111111111111.dkr.ecr.us-east-1.amazonaws.com");
  EXPECT_EQ(f->profile, "ci-reader");
  f = ParseRegistryFlag("111111111111.dkr.ecr.us-east-1.localhost:4566");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->profile.has_value());
  EXPECT_FALSE(ParseRegistryFlag("host=").ok());
  EXPECT_FALSE(ParseRegistryFlag("host=bad profile").ok());
  EXPECT_FALSE(ParseRegistryFlag("=p").ok());
}

TEST(PlanRegistries, PackagesRegistryOfTheRegion) {
  auto r = PlanRegistries({.region = "us-west-2"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  const RegistryTarget& t = (*r)[0];
  EXPECT_EQ(t.host, "346438352937.dkr.ecr.us-west-2.amazonaws.com");
  EXPECT_FALSE(t.port.has_value());
  EXPECT_EQ(t.account_id, "346438352937");
  EXPECT_EQ(t.region, "us-west-2");
  EXPECT_EQ(t.profile, "default");
  EXPECT_EQ(t.origin, "curated packages registry of us-west-2");

  // A leading zero is kept (ca-central-1).
  r = PlanRegistries({.region = "ca-central-1"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].host, "064352486547.dkr.ecr.ca-central-1.amazonaws.com");

  auto unknown = PlanRegistries({.region = "mars-north-1"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("has no EKS Anywhere curated packages registry"),
            std::string::npos);
}

TEST(PlanRegistries, RegistryDomainForCpaServe) {
  auto r = PlanRegistries({.region = "us-west-2", .registry_domain = "localhost"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].host, "346438352937.dkr.ecr.us-west-2.localhost");
  EXPECT_EQ((*r)[0].domain, "localhost");

  r = PlanRegistries({.region = "us-west-2", .registry_domain = "registry.test:5000"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].host, "346438352937.dkr.ecr.us-west-2.registry.test");
  EXPECT_EQ((*r)[0].port, 5000);

  EXPECT_FALSE(PlanRegistries({.region = "us-west-2", .registry_domain = "localhost:x"}).ok());
  EXPECT_FALSE(PlanRegistries({.region = "us-west-2", .registry_domain = "localhost:0"}).ok());
}

TEST(PlanRegistries, ExtraRegistriesWithProfiles) {
  RegistryPlanOptions o;
  o.region = "us-west-2";
  o.registry_domain = "localhost";
  o.registries = {Flag("https://111111111111.dkr.ecr.us-east-1.localhost:4566/v2/", "ci"),
                  Flag("222222222222.DKR.ECR.eu-west-1.amazonaws.com"),
                  Flag("346438352937.dkr.ecr.us-west-2.localhost")};  // same as the default
  auto r = PlanRegistries(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1].host, "111111111111.dkr.ecr.us-east-1.localhost");
  EXPECT_EQ((*r)[1].port, 4566);
  EXPECT_EQ((*r)[1].profile, "ci");
  EXPECT_EQ((*r)[1].region, "us-east-1");
  EXPECT_EQ((*r)[2].host, "222222222222.dkr.ecr.eu-west-1.amazonaws.com");
  EXPECT_EQ((*r)[2].profile, "default");

  o.registries.push_back(Flag("346438352937.dkr.ecr.us-west-2.localhost", "other"));
  auto twice = PlanRegistries(o);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("two profiles, `default` and `other`"),
            std::string::npos);
}

TEST(PlanRegistries, RejectsWhatIsNotAnEcrPrivateRegistry) {
  for (const char* bad :
       {"docker.io", "public.ecr.aws", "quay.io/x", "111111111111.dkr.ecr.us-east-1.example.com",
        "111111111111.dkr.ecr.us-east-1.localhost:99999"}) {
    SCOPED_TRACE(bad);
    RegistryPlanOptions o{.region = "us-west-2", .registries = {Flag(bad)}};
    auto r = PlanRegistries(o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("is not an ECR private registry host"), std::string::npos);
  }
  auto none = PlanRegistries({.region = "us-west-2", .packages_registry = false});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no registries"), std::string::npos);
}

TEST(GroupByToken, OneCallPerProfileAndRegion) {
  RegistryPlanOptions o;
  o.region = "us-west-2";
  o.registries = {Flag("111111111111.dkr.ecr.us-west-2.amazonaws.com"),
                  Flag("222222222222.dkr.ecr.us-west-2.amazonaws.com", "ci"),
                  Flag("333333333333.dkr.ecr.eu-west-1.amazonaws.com"),
                  Flag("111111111111.dkr.ecr-fips.us-west-2.amazonaws.com")};
  auto r = PlanRegistries(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto groups = GroupByToken(*r);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].profile, "default");
  EXPECT_EQ(groups[0].region, "us-west-2");
  EXPECT_EQ(groups[0].registries.size(), 3u);
  EXPECT_EQ(groups[0].RegistryIds(), (std::vector<std::string>{"346438352937", "111111111111"}));
  EXPECT_EQ(groups[1].profile, "ci");
  EXPECT_EQ(groups[2].region, "eu-west-1");
}

TEST(ServerFor, PortFromTheProxyEndpointOfTheSameDomain) {
  auto r = PlanRegistries({.region = "us-west-2", .registry_domain = "localhost"});
  ASSERT_TRUE(r.ok());
  const RegistryTarget& t = (*r)[0];
  // cpa serve's proxy endpoint names the caller's registry on its port.
  EXPECT_EQ(ServerFor(t, "https://111111111111.dkr.ecr.us-west-2.localhost:40123"),
            "346438352937.dkr.ecr.us-west-2.localhost:40123");
  EXPECT_EQ(ServerFor(t, "http://111111111111.dkr.ecr.us-west-2.localhost:443"),
            "346438352937.dkr.ecr.us-west-2.localhost");
  EXPECT_EQ(ServerFor(t, "https://111111111111.dkr.ecr.us-west-2.amazonaws.com:40123"),
            "346438352937.dkr.ecr.us-west-2.localhost");
  EXPECT_EQ(ServerFor(t, ""), "346438352937.dkr.ecr.us-west-2.localhost");

  auto aws = PlanRegistries({.region = "us-west-2"});
  EXPECT_EQ(ServerFor((*aws)[0], "https://111111111111.dkr.ecr.us-west-2.amazonaws.com"),
            "346438352937.dkr.ecr.us-west-2.amazonaws.com");

  // An explicit port wins.
  auto fixed = PlanRegistries({.region = "us-west-2", .registry_domain = "localhost:5000"});
  EXPECT_EQ(ServerFor((*fixed)[0], "https://111111111111.dkr.ecr.us-west-2.localhost:40123"),
            "346438352937.dkr.ecr.us-west-2.localhost:5000");
}

}  // namespace
}  // namespace cpa::agent
