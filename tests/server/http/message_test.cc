#include "server/http/message.h"

#include <gtest/gtest.h>

#include "server/http/router.h"
#include "server/http/server.h"

namespace cpa::server::http {
namespace {

TEST(Request, PathQueryAndHeaders) {
  Request r;
  r.target = "/a/b%2Fc?x=1&y=";
  r.headers = {{"Host", "h"}, {"X-Amz-Date", "d1"}, {"x-amz-date", "d2"}};
  EXPECT_EQ(r.Path(), "/a/b%2Fc");
  EXPECT_EQ(r.Query(), "x=1&y=");
  EXPECT_EQ(r.Header("X-AMZ-DATE"), "d1");
  EXPECT_FALSE(r.Header("missing"));
  r.target = "";
  EXPECT_EQ(r.Path(), "/");
  EXPECT_EQ(r.Query(), "");
  r.target = "?q";
  EXPECT_EQ(r.Path(), "/");
  EXPECT_EQ(r.Query(), "q");
}

TEST(Response, HeadersAndHelpers) {
  Response r = JsonResponse(400, "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  r.SetHeader("content-TYPE", "text/xml");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "content-TYPE");
  EXPECT_EQ(TextResponse(200, "x").Header("Content-Type"), "text/plain; charset=utf-8");
}

TEST(Request, ToSigV4Request) {
  Request r;
  r.method = "POST";
  r.target = "/tags/arn%3Aaws?b=2&a=1";
  r.headers = {{"Host", "127.0.0.1:1"}, {"X-Amz-Date", "20240101T000000Z"}};
  r.body = "Action=GetCallerIdentity";
  sigv4::HttpRequest s = ToSigV4Request(r);
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.path, "/tags/arn%3Aaws");
  EXPECT_EQ(s.query, "b=2&a=1");
  EXPECT_EQ(s.headers, r.headers);
  EXPECT_EQ(s.body, r.body);
  EXPECT_FALSE(s.body_sha256);

  sigv4::HttpRequest m = ToSigV4Request(std::move(r));
  EXPECT_EQ(m.path, "/tags/arn%3Aaws");
  EXPECT_EQ(m.body, "Action=GetCallerIdentity");
  EXPECT_EQ(m.Header("host"), "127.0.0.1:1");

  Request root;
  root.method = "GET";
  root.target = "/";
  EXPECT_EQ(ToSigV4Request(root).path, "/");
  EXPECT_EQ(ToSigV4Request(root).query, "");
}

TEST(Router, ExactPrefixDefault) {
  Router router;
  auto tag = [](std::string t) { return [t](Request&&) { return TextResponse(200, t); }; };
  EXPECT_EQ(router.Find("/x"), nullptr);
  router.SetDefault(tag("default"));
  router.AddExact("/_cpa/health", tag("health"));
  router.AddPrefix("/v2/", tag("v2"), {.max_body_bytes = 100});
  router.AddPrefix("/v2/special/", tag("special"));
  auto body = [&](std::string_view path) {
    const Route* r = router.Find(path);
    return r ? r->handler(Request{}).body : std::string("none");
  };
  EXPECT_EQ(body("/_cpa/health"), "health");
  EXPECT_EQ(body("/_cpa/healthz"), "default");
  EXPECT_EQ(body("/v2/"), "v2");
  EXPECT_EQ(body("/v2/repo/manifests/x"), "v2");
  EXPECT_EQ(body("/v2/special/x"), "special");
  EXPECT_EQ(body("/v2"), "default");
  EXPECT_EQ(body("/"), "default");
  EXPECT_EQ(router.Find("/v2/a")->options.max_body_bytes, 100u);
  EXPECT_FALSE(router.Find("/")->options.max_body_bytes);
  // Re-adding replaces.
  router.AddPrefix("/v2/", tag("v2b"));
  EXPECT_EQ(body("/v2/a"), "v2b");
}

TEST(ListenAddress, Parse) {
  auto a = ParseListenAddress("127.0.0.1:4566");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 4566);
  auto b = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  auto c = ParseListenAddress(":8080");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "127.0.0.1");
  auto d = ParseListenAddress("localhost:65535");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 65535);
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:8x",
                          "::1:80", "[::1]", "[::1]80", "1.2.3.4:-1"}) {
    auto r = ParseListenAddress(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), core::ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace cpa::server::http
