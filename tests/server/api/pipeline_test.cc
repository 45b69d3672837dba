// The API pipeline in process: a Store on a FakeClock, an ApiHandler, requests signed with the
// SigV4 signer and passed to ApiHandler::Handle (no sockets).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "server/api/api_handler.h"
#include "server/http/message.h"
#include "server/http/metrics.h"
#include "server/http/server.h"
#include "server/store/store.h"
#include "sigv4/signer.h"

namespace cpa::server::api {
namespace {

namespace st = store;

constexpr const char* kA = "111111111111";
constexpr const char* kB = "999999999999";
// 2024-05-01T12:00:00Z
constexpr int64_t kStart = 1714564800;

// The text of the first <tag>...</tag> in `xml`, or nullopt.
std::optional<std::string> Element(const std::string& xml, const std::string& tag) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t b = xml.find(open);
  if (b == std::string::npos) return std::nullopt;
  b += open.size();
  size_t e = xml.find(close, b);
  if (e == std::string::npos) return std::nullopt;
  return xml.substr(b, e - b);
}

std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "cpa-pipeline-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    st::StoreOptions o;
    o.data_dir = dir_ + "/state";
    o.clock = &clock_;
    auto s = st::Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    for (const char* id : {kA, kB}) {
      st::Account a;
      a.id = id;
      a.name = std::string("account-") + id;
      ASSERT_TRUE(store_->accounts().Create(a).ok());
    }
    root_a_ = Key(kA, "");
    // A user of B allowed to assume roles (the trust policies decide), and one with no policy.
    ASSERT_TRUE(store_->users().Create({kB, "assumer", "/", ""}).ok());
    ASSERT_TRUE(store_->inline_policies()
                    .Put(st::PrincipalRef::User(kB, "assumer"), "assume",
                         R"({"Version":"2012-10-17","Statement":{"Effect":"Allow",)"
                         R"("Action":"sts:AssumeRole","Resource":"*"}})")
                    .ok());
    assumer_ = Key(kB, "assumer");
    ASSERT_TRUE(store_->users().Create({kB, "nobody", "/", ""}).ok());
    nobody_ = Key(kB, "nobody");
    st::NewRole role;
    role.account_id = kA;
    role.name = "reader";
    role.trust_policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
        R"("Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]})";
    ASSERT_TRUE(store_->roles().Create(role).ok());

    ApiOptions ao;
    ao.metrics = &metrics_;
    handler_ = std::make_unique<ApiHandler>(*store_, clock_, ao);
  }
  void TearDown() override {
    handler_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  sigv4::Credentials Key(const char* account, const char* user) {
    st::NewAccessKey k;
    k.account_id = account;
    k.user_name = user;
    auto key = store_->access_keys().Create(k);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->access_key_id, key->secret_access_key, ""};
  }

  // A POST of `form` signed for `service` at `time` (default: the clock's now).
  http::Request Signed(const std::string& form, const sigv4::Credentials& creds,
                       const std::string& service,
                       std::optional<core::TimePoint> time = std::nullopt) {
    sigv4::HttpRequest h;
    h.method = "POST";
    h.path = "/";
    h.headers = {{"Host", "127.0.0.1:4566"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    h.body = form;
    sigv4::SigningConfig c;
    c.credentials = creds;
    c.region = "us-east-1";
    c.service = service;
    c.time = time.value_or(clock_.Now());
    auto signed_ok = sigv4::SignRequest(h, c);
    EXPECT_TRUE(signed_ok.ok()) << signed_ok.status().ToString();
    http::Request r;
    r.method = h.method;
    r.target = h.Target();
    r.headers = h.headers;
    r.body = h.body;
    r.remote_address = "127.0.0.1";
    return r;
  }

  http::Response Call(const std::string& form, const sigv4::Credentials& creds,
                      const std::string& service,
                      std::optional<core::TimePoint> time = std::nullopt) {
    return handler_->Handle(Signed(form, creds, service, time));
  }

  static std::string Code(const http::Response& r) { return Element(r.body, "Code").value_or(""); }
  static std::string Message(const http::Response& r) {
    return Element(r.body, "Message").value_or("");
  }

  // AssumeRole of `reader` by `assumer` for `seconds`; the session's credentials.
  sigv4::Credentials Assume(int seconds) {
    http::Response r =
        Call("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&DurationSeconds=" +
                 std::to_string(seconds) +
                 "&RoleArn=" + FormEncode("arn:aws:iam::111111111111:role/reader"),
             assumer_, "sts");
    EXPECT_EQ(r.status, 200) << r.body;
    return {Element(r.body, "AccessKeyId").value_or(""),
            Element(r.body, "SecretAccessKey").value_or(""),
            Element(r.body, "SessionToken").value_or("")};
  }

  std::string dir_;
  core::FakeClock clock_{core::TimePoint(std::chrono::seconds(kStart))};
  std::unique_ptr<st::Store> store_;
  http::MetricsRegistry registry_;
  http::ServerMetrics metrics_{registry_};
  std::unique_ptr<ApiHandler> handler_;
  sigv4::Credentials root_a_, assumer_, nobody_;
};

TEST_F(PipelineTest, SuccessEnvelope) {
  http::Response r = Call("Action=GetCallerIdentity&Version=2011-06-15", root_a_, "sts");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type").value_or(""), "text/xml");
  EXPECT_EQ(r.body.rfind(
                R"(<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)"
                "<GetCallerIdentityResult>",
                0),
            0u)
      << r.body;
  EXPECT_EQ(Element(r.body, "Arn"), "arn:aws:iam::111111111111:root");
  EXPECT_EQ(Element(r.body, "UserId"), kA);
  EXPECT_EQ(Element(r.body, "Account"), kA);
  auto request_id = r.Header("x-amzn-RequestId");
  ASSERT_TRUE(request_id.has_value());
  EXPECT_EQ(request_id->size(), 36u);
  EXPECT_EQ(Element(r.body, "RequestId"), std::string(*request_id));
  EXPECT_NE(r.body.find("</GetCallerIdentityResult><ResponseMetadata><RequestId>"),
            std::string::npos);
  EXPECT_EQ(r.service, "sts");
  EXPECT_EQ(r.operation, "GetCallerIdentity");
  EXPECT_EQ(r.outcome, "success");

  // The same through IAM's namespace; every request gets its own id.
  http::Response u = Call("Action=GetUser&Version=2010-05-08", assumer_, "iam");
  EXPECT_EQ(u.status, 403) << u.body;
  http::Response l = Call("Action=ListRoles&Version=2010-05-08", root_a_, "iam");
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(
      l.body.rfind(R"(<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">)", 0),
      0u);
  EXPECT_EQ(Element(l.body, "RoleName"), "reader");
  EXPECT_NE(l.Header("x-amzn-RequestId"), r.Header("x-amzn-RequestId"));
}

TEST_F(PipelineTest, InvalidAndMissingAction) {
  http::Response r = Call("Action=NoSuchThing&Version=2010-05-08", root_a_, "iam");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidAction");
  EXPECT_EQ(Message(r), "Could not find operation NoSuchThing for version 2010-05-08");
  EXPECT_EQ(Element(r.body, "Type"), "Sender");
  EXPECT_EQ(r.body.rfind(R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">)", 0),
            0u);
  EXPECT_EQ(Element(r.body, "RequestId"), std::string(r.Header("x-amzn-RequestId").value_or("")));
  // Labels stay within fixed sets: an unknown operation is "other".
  EXPECT_EQ(r.service, "iam");
  EXPECT_EQ(r.operation, "other");
  EXPECT_EQ(r.outcome, "InvalidAction");

  http::Response m = Call("Version=2011-06-15", root_a_, "sts");
  EXPECT_EQ(m.status, 400);
  EXPECT_EQ(Code(m), "MissingAction");
  EXPECT_EQ(m.body.rfind(R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)", 0),
            0u);
  EXPECT_EQ(m.service, "sts");
  EXPECT_EQ(m.operation, "other");
  EXPECT_EQ(m.outcome, "MissingAction");
}

TEST_F(PipelineTest, SignatureDoesNotMatch) {
  sigv4::Credentials wrong = root_a_;
  wrong.secret_access_key[0] = wrong.secret_access_key[0] == 'x' ? 'y' : 'x';
  http::Response r = Call("Action=GetCallerIdentity&Version=2011-06-15", wrong, "sts");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "SignatureDoesNotMatch");
  EXPECT_EQ(r.operation, "GetCallerIdentity");
  EXPECT_EQ(r.outcome, "SignatureDoesNotMatch");

  // A body changed after signing.
  http::Request tampered = Signed("Action=GetCallerIdentity&Version=2011-06-15", root_a_, "sts");
  tampered.body = "Action=GetCallerIdentity&Version=2011-06-15&X=1";
  EXPECT_EQ(Code(handler_->Handle(std::move(tampered))), "SignatureDoesNotMatch");
}

TEST_F(PipelineTest, UnknownKeyIsInvalidClientTokenId) {
  sigv4::Credentials unknown{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             ""};
  http::Response r = Call("Action=GetCallerIdentity&Version=2011-06-15", unknown, "sts");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "InvalidClientTokenId");
  EXPECT_EQ(Message(r), "The security token included in the request is invalid.");
  EXPECT_EQ(r.body.rfind(R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)", 0),
            0u);

  // An inactive key answers the same, at once.
  auto keys = store_->access_keys().List(kB, "nobody");
  ASSERT_TRUE(keys.ok());
  ASSERT_TRUE(store_->access_keys()
                  .UpdateStatus(kB, "nobody", keys->items.at(0).access_key_id,
                                st::AccessKeyStatus::kInactive)
                  .ok());
  EXPECT_EQ(Code(Call("Action=GetCallerIdentity&Version=2011-06-15", nobody_, "sts")),
            "InvalidClientTokenId");
}

TEST_F(PipelineTest, RequestExpiredOutsideTheSkew) {
  const std::string form = "Action=GetCallerIdentity&Version=2011-06-15";
  // Within 15 minutes either way: accepted.
  EXPECT_EQ(Call(form, root_a_, "sts", clock_.Now() - std::chrono::minutes(14)).status, 200);
  EXPECT_EQ(Call(form, root_a_, "sts", clock_.Now() + std::chrono::minutes(14)).status, 200);
  for (auto skew : {-std::chrono::minutes(16), std::chrono::minutes(16)}) {
    http::Response r = Call(form, root_a_, "sts", clock_.Now() + skew);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(Code(r), "RequestExpired");
    EXPECT_EQ(r.outcome, "RequestExpired");
  }
  // The server's clock is what counts: moving it makes a fresh signature stale.
  http::Request later = Signed(form, root_a_, "sts");
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_EQ(Code(handler_->Handle(std::move(later))), "RequestExpired");
}

TEST_F(PipelineTest, ExpiredTokenAfterTheSessionEnds) {
  sigv4::Credentials session = Assume(900);
  ASSERT_EQ(session.access_key_id.substr(0, 4), "ASIA");
  const std::string form = "Action=GetCallerIdentity&Version=2011-06-15";
  http::Response ok = Call(form, session, "sts");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Element(ok.body, "Arn"), "arn:aws:sts::111111111111:assumed-role/reader/s1");

  clock_.Advance(std::chrono::seconds(899));
  EXPECT_EQ(Call(form, session, "sts").status, 200);
  clock_.Advance(std::chrono::seconds(1));
  http::Response r = Call(form, session, "sts");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "ExpiredToken");
  EXPECT_EQ(Message(r), "The security token included in the request is expired");

  // A wrong token is not "expired": it is invalid.
  sigv4::Credentials bad = session;
  bad.session_token += "x";
  EXPECT_EQ(Code(Call(form, bad, "sts")), "InvalidClientTokenId");

  // Once purged, the session is unknown.
  clock_.Advance(std::chrono::hours(2));
  auto purged = store_->sessions().PurgeExpired(std::chrono::hours(1));
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(Code(Call(form, session, "sts")), "InvalidClientTokenId");
}

TEST_F(PipelineTest, AccessDeniedMessageAndDecisionMetrics) {
  auto& allow = metrics_.decisions.WithLabels({"allow"});
  auto& implicit = metrics_.decisions.WithLabels({"implicit_deny"});
  auto& explicit_deny = metrics_.decisions.WithLabels({"explicit_deny"});

  http::Response r = Call("Action=ListUsers&Version=2010-05-08", nobody_, "iam");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "AccessDenied");
  EXPECT_EQ(Message(r),
            "User: arn:aws:iam::999999999999:user/nobody is not authorized to perform: "
            "iam:ListUsers on resource: arn:aws:iam::999999999999:user/ because no "
            "identity-based policy allows the iam:ListUsers action");
  EXPECT_EQ(r.service, "iam");
  EXPECT_EQ(r.operation, "ListUsers");
  EXPECT_EQ(r.outcome, "AccessDenied");
  EXPECT_EQ(implicit.Value(), 1u);
  EXPECT_EQ(allow.Value(), 0u);

  // An account's root may not assume roles at all, whatever the trust policy says.
  http::Response t = Call("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn=" +
                              FormEncode("arn:aws:iam::111111111111:role/reader"),
                          Key(kA, ""), "sts");
  EXPECT_EQ(Code(t), "AccessDenied");
  EXPECT_EQ(Message(t), "Roles may not be assumed by root accounts.");

  // An explicit deny.
  ASSERT_TRUE(store_->inline_policies()
                  .Put(st::PrincipalRef::User(kB, "nobody"), "deny",
                       R"({"Version":"2012-10-17","Statement":{"Effect":"Deny",)"
                       R"("Action":"iam:*","Resource":"*"}})")
                  .ok());
  const uint64_t explicit_before = explicit_deny.Value();
  http::Response d = Call("Action=ListUsers&Version=2010-05-08", nobody_, "iam");
  EXPECT_EQ(Code(d), "AccessDenied");
  EXPECT_EQ(Message(d),
            "User: arn:aws:iam::999999999999:user/nobody is not authorized to perform: "
            "iam:ListUsers on resource: arn:aws:iam::999999999999:user/ with an explicit deny in "
            "an identity-based policy");
  EXPECT_EQ(explicit_deny.Value(), explicit_before + 1);

  // Allowed decisions are counted too; GetCallerIdentity is never evaluated.
  const uint64_t allow_before = allow.Value();
  EXPECT_EQ(Call("Action=ListUsers&Version=2010-05-08", root_a_, "iam").status, 200);
  EXPECT_EQ(allow.Value(), allow_before + 1);
  EXPECT_EQ(Call("Action=GetCallerIdentity&Version=2011-06-15", nobody_, "sts").status, 200);
  EXPECT_EQ(allow.Value(), allow_before + 1);
  const std::string text = registry_.Render();
  EXPECT_NE(text.find("cpa_authz_decisions_total{result=\"implicit_deny\"}"), std::string::npos)
      << text;
}

TEST_F(PipelineTest, OperationErrorsKeepTheirLabels) {
  http::Response r = Call("Action=GetRole&Version=2010-05-08&RoleName=nope", root_a_, "iam");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "NoSuchEntity");
  EXPECT_EQ(Message(r), "The role with name nope cannot be found.");
  EXPECT_EQ(r.operation, "GetRole");
  EXPECT_EQ(r.outcome, "NoSuchEntity");
  http::Response v = Call("Action=GetRole&Version=2010-05-08", root_a_, "iam");
  EXPECT_EQ(v.status, 400);
  EXPECT_EQ(Code(v), "ValidationError");
}

}  // namespace
}  // namespace cpa::server::api
