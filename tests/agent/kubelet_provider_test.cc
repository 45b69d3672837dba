// The kubelet exec credential-provider protocol: request parsing and its errors, the image's
// registry, cacheDuration (half the remaining life, Go syntax), the response shape per
// apiVersion, and non-ECR images refused before any AWS call.
#include "agent/kubelet_provider.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes.h"

namespace cpa::agent {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::seconds;
using testing::ScriptedTokenSource;

const core::TimePoint kT0{seconds(1714564800)};

std::string Request(std::string image, std::string version = "v1",
                    std::string kind = "CredentialProviderRequest") {
  return json{{"apiVersion", "credentialprovider.kubelet.k8s.io/" + version},
              {"kind", kind},
              {"image", image}}
      .dump();
}

TEST(ParseCredentialProviderRequest, AcceptsTheThreeVersions) {
  for (const char* v : {"v1", "v1beta1", "v1alpha1"}) {
    auto r = ParseCredentialProviderRequest(Request("h/r:t", v));
    ASSERT_TRUE(r.ok()) << v;
    EXPECT_EQ(r->api_version, std::string("credentialprovider.kubelet.k8s.io/") + v);
    EXPECT_EQ(r->image, "h/r:t");
  }
  // Extra fields (service-account token mode) are ignored.
  auto r = ParseCredentialProviderRequest(
      R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest",)"
      R"("image":"h/r","serviceAccountToken":"eyJsecret","serviceAccountAnnotations":{}})");
  ASSERT_TRUE(r.ok());
}

TEST(ParseCredentialProviderRequest, Errors) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"{not json", "the CredentialProviderRequest on stdin is not valid JSON"},
      {"[1]", "the CredentialProviderRequest is not a JSON object"},
      {Request("h/r", "v2"),
       "group version `credentialprovider.kubelet.k8s.io/v2` is not supported "
       "(credentialprovider.kubelet.k8s.io/v1, v1beta1 or v1alpha1)"},
      {R"({"kind":"CredentialProviderRequest","image":"h/r"})",
       "group version `` is not supported (credentialprovider.kubelet.k8s.io/v1, v1beta1 or "
       "v1alpha1)"},
      {Request("h/r", "v1", "CredentialProviderResponse"),
       "kind was `CredentialProviderResponse`, expected CredentialProviderRequest"},
      {Request(""), "image in plugin request was empty"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto r = ParseCredentialProviderRequest(c.text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(ImageRegistry, HostAndPort) {
  EXPECT_EQ(*ImageRegistry("346438352937.dkr.ecr.us-west-2.amazonaws.com/eks-anywhere/x:v1"),
            "346438352937.dkr.ecr.us-west-2.amazonaws.com");
  EXPECT_EQ(*ImageRegistry("346438352937.dkr.ecr.us-west-2.localhost:4566/r@sha256:ab"),
            "346438352937.dkr.ecr.us-west-2.localhost:4566");
  EXPECT_EQ(*ImageRegistry("https://h.example/r"), "h.example");
  EXPECT_FALSE(ImageRegistry("nginx:latest").ok());
  EXPECT_FALSE(ImageRegistry("/x").ok());
}

TEST(CacheDurationFor, HalfTheRemainingLife) {
  EXPECT_EQ(CacheDurationFor(kT0, kT0 + hours(12)), hours(6));
  EXPECT_EQ(CacheDurationFor(kT0, kT0 + seconds(43199)), seconds(21599));
  EXPECT_EQ(CacheDurationFor(kT0, kT0 + seconds(1)), seconds(0));
  EXPECT_EQ(CacheDurationFor(kT0, kT0 - seconds(5)), seconds(0));
}

TEST(RenderCredentialProviderResponse, Shape) {
  EXPECT_EQ(RenderCredentialProviderResponse("credentialprovider.kubelet.k8s.io/v1",
                                             "346438352937.dkr.ecr.us-west-2.amazonaws.com", "AWS",
                                             "pw", hours(6)),
            R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1",)"
            R"("kind":"CredentialProviderResponse","cacheKeyType":"Registry",)"
            R"("cacheDuration":"6h0m0s","auth":{"346438352937.dkr.ecr.us-west-2.amazonaws.com":)"
            R"({"username":"AWS","password":"pw"}}})"
            "\n");
}

TEST(AnswerCredentialProviderRequest, FetchesForTheImagesRegistry) {
  ScriptedTokenSource source;
  core::FakeClock clock(kT0);
  source.PushToken("pw", kT0 + hours(12));
  auto out = AnswerCredentialProviderRequest(
      Request("346438352937.dkr.ecr.us-west-2.localhost:4566/eks-anywhere-packages:v1", "v1alpha1"),
      source, clock, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(source.requests.size(), 1u);
  EXPECT_FALSE(source.requests[0].profile.has_value());  // the default chain
  EXPECT_EQ(source.requests[0].region, "us-west-2");
  EXPECT_EQ(source.requests[0].registry_ids, std::vector<std::string>{"346438352937"});
  json doc = json::parse(*out);
  EXPECT_EQ(doc["apiVersion"], "credentialprovider.kubelet.k8s.io/v1alpha1");
  EXPECT_EQ(doc["cacheDuration"], "6h0m0s");
  EXPECT_EQ(doc["auth"]["346438352937.dkr.ecr.us-west-2.localhost:4566"]["password"], "pw");
}

TEST(AnswerCredentialProviderRequest, RefusesNonEcrImagesWithoutCallingAws) {
  ScriptedTokenSource source;
  core::FakeClock clock(kT0);
  for (const char* image : {"docker.io/library/nginx:1", "public.ecr.aws/eks/x:1",
                            "111111111111.dkr.ecr.us-west-2.example.com/x:1", "nginx"}) {
    SCOPED_TRACE(image);
    auto out = AnswerCredentialProviderRequest(Request(image), source, clock, {});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), core::ErrorCode::kInvalidArgument);
  }
  auto out =
      AnswerCredentialProviderRequest(Request("docker.io/library/nginx:1"), source, clock, {});
  EXPECT_EQ(out.status().message(),
            "docker.io is not a valid ECR repository URL (expected "
            "<account>.dkr.ecr.<region>.amazonaws.com)");
  EXPECT_TRUE(source.requests.empty());
  // The configured domain replaces "localhost".
  auto other =
      AnswerCredentialProviderRequest(Request("111111111111.dkr.ecr.us-west-2.localhost/x:1"),
                                      source, clock, {.registry_domain = "registry.test"});
  EXPECT_FALSE(other.ok());
}

TEST(AnswerCredentialProviderRequest, FetchFailureNamesTheCause) {
  ScriptedTokenSource source;
  core::FakeClock clock(kT0);
  source.PushFailure(FailureCause::kAccessDenied, core::ErrorCode::kAccessDenied,
                     "ecr:GetAuthorizationToken: AccessDeniedException: no");
  auto out = AnswerCredentialProviderRequest(
      Request("346438352937.dkr.ecr.us-west-2.amazonaws.com/x:1"), source, clock, {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), core::ErrorCode::kAccessDenied);
  EXPECT_EQ(out.status().message(),
            "cannot get a token for 346438352937.dkr.ecr.us-west-2.amazonaws.com "
            "[access_denied]: ecr:GetAuthorizationToken: AccessDeniedException: no");
}

}  // namespace
}  // namespace cpa::agent
