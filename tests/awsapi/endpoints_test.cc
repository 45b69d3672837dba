// Endpoint resolution: defaults per partition, override precedence, validation.
#include "awsapi/endpoints.h"

#include <gtest/gtest.h>

#include "awsapi/http.h"

namespace cpa::awsapi {
namespace {

struct DefaultCase {
  Service service;
  const char* region;
  const char* url;
  const char* signing_region;
  const char* signing_name;
};

TEST(ResolveEndpoint, Defaults) {
  for (const DefaultCase& c : std::vector<DefaultCase>{
           {Service::kIam, "", "https://iam.amazonaws.com", "us-east-1", "iam"},
           {Service::kIam, "us-west-2", "https://iam.amazonaws.com", "us-east-1", "iam"},
           {Service::kIam, "cn-north-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1",
            "iam"},
           {Service::kIam, "us-gov-west-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1",
            "iam"},
           {Service::kSts, "us-west-2", "https://sts.us-west-2.amazonaws.com", "us-west-2", "sts"},
           {Service::kSts, "us-east-1", "https://sts.us-east-1.amazonaws.com", "us-east-1", "sts"},
           {Service::kSts, "aws-global", "https://sts.amazonaws.com", "us-east-1", "sts"},
           {Service::kSts, "cn-northwest-1", "https://sts.cn-northwest-1.amazonaws.com.cn",
            "cn-northwest-1", "sts"},
           {Service::kSts, "us-gov-east-1", "https://sts.us-gov-east-1.amazonaws.com",
            "us-gov-east-1", "sts"},
           {Service::kEcr, "eu-west-1", "https://api.ecr.eu-west-1.amazonaws.com", "eu-west-1",
            "ecr"},
           {Service::kEcr, "cn-north-1", "https://api.ecr.cn-north-1.amazonaws.com.cn",
            "cn-north-1", "ecr"},
           {Service::kEks, "us-west-2", "https://eks.us-west-2.amazonaws.com", "us-west-2", "eks"},
           {Service::kEks, "ap-southeast-2", "https://eks.ap-southeast-2.amazonaws.com",
            "ap-southeast-2", "eks"},
       }) {
    auto e = ResolveEndpoint(c.service, c.region, {});
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->url, c.url) << c.region;
    EXPECT_EQ(e->signing_region, c.signing_region) << c.region;
    EXPECT_EQ(e->signing_name, c.signing_name) << c.region;
    EXPECT_EQ(e->source, EndpointSource::kDefault);
  }
}

TEST(ResolveEndpoint, RegionIsRequiredExceptForIam) {
  for (Service s : {Service::kSts, Service::kEcr, Service::kEks}) {
    auto e = ResolveEndpoint(s, "", {});
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find("no region configured for " +
                                        std::string(TraitsOf(s).service_id)),
              std::string::npos);
  }
}

TEST(ResolveEndpoint, RejectsBadRegions) {
  for (const char* region : {"US-WEST-2", "us west", "evil.com/x", "-a", "a.b"}) {
    EXPECT_FALSE(ResolveEndpoint(Service::kSts, region, {}).ok()) << region;
  }
}

EndpointOverrides Everything() {
  EndpointOverrides o;
  o.explicit_url = "http://explicit:1";
  o.env_service_urls = {{"STS", "http://env-sts:2"}, {"ECR", "http://env-ecr:2"}};
  o.env_url = "http://env-global:3";
  o.profile_service_urls = {{"sts", "http://profile-sts:4"}, {"eks", "http://profile-eks:4"}};
  o.profile_url = "http://profile-global:5";
  return o;
}

TEST(ResolveEndpoint, OverridePrecedence) {
  EndpointOverrides o = Everything();
  auto e = ResolveEndpoint(Service::kSts, "eu-west-1", o);
  EXPECT_EQ(e->url, "http://explicit:1");
  EXPECT_EQ(e->source, EndpointSource::kExplicit);

  o.explicit_url.clear();
  e = ResolveEndpoint(Service::kSts, "eu-west-1", o);
  EXPECT_EQ(e->url, "http://env-sts:2");
  EXPECT_EQ(e->source, EndpointSource::kEnvironmentService);
  // Services without their own variable fall to AWS_ENDPOINT_URL.
  e = ResolveEndpoint(Service::kEks, "eu-west-1", o);
  EXPECT_EQ(e->url, "http://env-global:3");
  EXPECT_EQ(e->source, EndpointSource::kEnvironmentGlobal);

  o.env_url.clear();
  e = ResolveEndpoint(Service::kEks, "eu-west-1", o);
  EXPECT_EQ(e->url, "http://profile-eks:4");
  EXPECT_EQ(e->source, EndpointSource::kProfileService);
  e = ResolveEndpoint(Service::kIam, "eu-west-1", o);
  EXPECT_EQ(e->url, "http://profile-global:5");
  EXPECT_EQ(e->source, EndpointSource::kProfileGlobal);

  o.profile_url.clear();
  e = ResolveEndpoint(Service::kIam, "eu-west-1", o);
  EXPECT_EQ(e->url, "https://iam.amazonaws.com");
  EXPECT_EQ(e->source, EndpointSource::kDefault);
}

TEST(ResolveEndpoint, OverridesSignForTheClientRegion) {
  EndpointOverrides o;
  o.explicit_url = "http://127.0.0.1:4566";
  auto iam = ResolveEndpoint(Service::kIam, "us-west-2", o);
  ASSERT_TRUE(iam.ok());
  EXPECT_EQ(iam->signing_region, "us-west-2");  // not us-east-1
  EXPECT_EQ(iam->signing_name, "iam");
  auto ecr = ResolveEndpoint(Service::kEcr, "eu-central-1", o);
  EXPECT_EQ(ecr->signing_name, "ecr");
  EXPECT_EQ(ecr->signing_region, "eu-central-1");
  // The CLI refuses an override without a region; so do we.
  auto none = ResolveEndpoint(Service::kIam, "", o);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("a region is needed"), std::string::npos);
}

TEST(ResolveEndpoint, IgnoreConfiguredEndpointUrls) {
  EndpointOverrides o = Everything();
  o.profile_ignore_configured = true;
  auto e = ResolveEndpoint(Service::kSts, "us-west-2", o);
  EXPECT_EQ(e->source, EndpointSource::kExplicit);  // --endpoint-url still wins
  o.explicit_url.clear();
  e = ResolveEndpoint(Service::kSts, "us-west-2", o);
  EXPECT_EQ(e->url, "https://sts.us-west-2.amazonaws.com");
  // The environment setting overrides the profile's.
  o.env_ignore_configured = false;
  e = ResolveEndpoint(Service::kSts, "us-west-2", o);
  EXPECT_EQ(e->url, "http://env-sts:2");
}

TEST(ResolveEndpoint, UrlsKeepPathsAndAreValidated) {
  EndpointOverrides o;
  o.explicit_url = "https://proxy.example.com:8443/aws/";
  auto e = ResolveEndpoint(Service::kSts, "us-west-2", o);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->url, "https://proxy.example.com:8443/aws/");
  for (const char* bad : {"ftp://x", "127.0.0.1:4566", "http://", "http://h:99999", "http://h?x=1",
                          "http://user@h"}) {
    o.explicit_url = bad;
    auto r = ResolveEndpoint(Service::kSts, "us-west-2", o);
    EXPECT_FALSE(r.ok()) << bad;
  }
  o.explicit_url.clear();
  o.env_service_urls["STS"] = "nonsense";
  auto r = ResolveEndpoint(Service::kSts, "us-west-2", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("AWS_ENDPOINT_URL_STS"), std::string::npos);
}

TEST(EndpointOverrides, LoadEnvironment) {
  std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL", "http://g:1"},
                                            {"AWS_ENDPOINT_URL_ECR", "http://e:2"},
                                            {"AWS_ENDPOINT_URL_EKS", ""},
                                            {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"}};
  EndpointOverrides o;
  o.LoadEnvironment([&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
  EXPECT_EQ(o.env_url, "http://g:1");
  EXPECT_EQ(o.env_service_urls.at("ECR"), "http://e:2");
  EXPECT_FALSE(o.env_service_urls.count("EKS"));  // empty means unset
  EXPECT_EQ(o.env_ignore_configured, true);
}

TEST(Url, Parse) {
  auto u = Url::Parse("HTTP://LocalHost:80/a%20b?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->Authority(), "localhost");  // default port dropped
  EXPECT_EQ(u->path, "/a%20b");
  EXPECT_EQ(u->query, "x=1");
  auto v6 = Url::Parse("http://[::1]:4566");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->Authority(), "[::1]:4566");
  EXPECT_EQ(v6->Origin(), "http://[::1]:4566");
  EXPECT_FALSE(Url::Parse("http://a b").ok());
  EXPECT_FALSE(Url::Parse("http://h#frag").ok());
}

}  // namespace
}  // namespace cpa::awsapi
