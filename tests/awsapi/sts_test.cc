// STS through a scripted transport: request encoding, signing, response decoding, errors.
#include "awsapi/sts.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace cpa::awsapi {
namespace {

using testing::FormFields;
using testing::HeaderOf;
using testing::TestEnv;

constexpr char kAssumeRoleXml[] =
    R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLETEMPKEY01</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjE...</SessionToken>
      <Expiration>2024-05-01T13:00:00.359Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLEROLEID0001:s1</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/s1</Arn>
    </AssumedRoleUser>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>)";

TEST(StsClient, AssumeRoleEncodesSignsAndDecodes) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config());
  ASSERT_TRUE(sts.ok()) << sts.status().ToString();
  env.transport->Push(200, kAssumeRoleXml, {{"Content-Type", "text/xml"}});

  AssumeRoleRequest req;
  req.role_arn = "arn:aws:iam::111111111111:role/curated-packages-role";
  req.role_session_name = "cpa session";
  req.duration_seconds = 900;
  req.external_id = "ext-1";
  req.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
  req.tags = {{"team", "a&b"}};
  auto out = sts->AssumeRole(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();

  const HttpRequest& sent = env.transport->last();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://sts.us-west-2.amazonaws.com/");
  EXPECT_EQ(HeaderOf(sent, "Host"), "sts.us-west-2.amazonaws.com");
  EXPECT_EQ(HeaderOf(sent, "Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_FALSE(HeaderOf(sent, "X-Amz-Security-Token"));
  auto auth = HeaderOf(sent, "Authorization");
  ASSERT_TRUE(auth);
  EXPECT_NE(auth->find("Credential=AKIDEXAMPLE/20240501/us-west-2/sts/aws4_request"),
            std::string::npos);
  EXPECT_EQ(sent.body.find("Action=AssumeRole&Version=2011-06-15&"), 0u);
  auto form = FormFields(sent.body);
  EXPECT_EQ(form["RoleArn"], req.role_arn);
  EXPECT_EQ(form["RoleSessionName"], "cpa session");
  EXPECT_EQ(form["DurationSeconds"], "900");
  EXPECT_EQ(form["ExternalId"], "ext-1");
  EXPECT_EQ(form["PolicyArns.member.1.arn"], "arn:aws:iam::aws:policy/ReadOnlyAccess");
  EXPECT_EQ(form["Tags.member.1.Key"], "team");
  EXPECT_EQ(form["Tags.member.1.Value"], "a&b");
  EXPECT_FALSE(form.count("Policy"));
  EXPECT_FALSE(form.count("SerialNumber"));
  auto verified = testing::VerifySignature(sent, env.clock);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->service, "sts");

  EXPECT_EQ(out->credentials.access_key_id, "ASIAEXAMPLETEMPKEY01");
  EXPECT_EQ(out->credentials.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(out->credentials.session_token, "IQoJb3JpZ2luX2VjE...");
  EXPECT_EQ(core::FormatIso8601(out->credentials.expiration), "2024-05-01T13:00:00Z");
  EXPECT_EQ(out->assumed_role_user.assumed_role_id, "AROAEXAMPLEROLEID0001:s1");
  EXPECT_EQ(out->assumed_role_user.arn, "arn:aws:sts::123456789012:assumed-role/demo/s1");
  EXPECT_EQ(out->packed_policy_size, 6);
  EXPECT_EQ(out->request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
  EXPECT_EQ(out->credentials.ToSigningCredentials().session_token, "IQoJb3JpZ2luX2VjE...");
}

TEST(StsClient, SessionTokenIsSentAndSigned) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config("eu-central-1", "TOKEN123"));
  ASSERT_TRUE(sts.ok());
  env.transport->Push(200, R"(<GetCallerIdentityResponse><GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/demo/s1</Arn><UserId>AROAEXAMPLEROLEID0001:s1</UserId>
    <Account>123456789012</Account></GetCallerIdentityResult>
    <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>)");
  auto out = sts->GetCallerIdentity();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HttpRequest& sent = env.transport->last();
  EXPECT_EQ(sent.url, "https://sts.eu-central-1.amazonaws.com/");
  EXPECT_EQ(HeaderOf(sent, "X-Amz-Security-Token"), "TOKEN123");
  EXPECT_NE(HeaderOf(sent, "Authorization")->find("x-amz-security-token"), std::string::npos);
  EXPECT_EQ(sent.body, "Action=GetCallerIdentity&Version=2011-06-15");
  EXPECT_TRUE(testing::VerifySignature(sent, env.clock, "TOKEN123").ok());
  EXPECT_EQ(out->arn, "arn:aws:sts::123456789012:assumed-role/demo/s1");
  EXPECT_EQ(out->user_id, "AROAEXAMPLEROLEID0001:s1");
  EXPECT_EQ(out->account, "123456789012");
  EXPECT_EQ(out->request_id, "r-1");
}

TEST(StsClient, AssumeRoleWithWebIdentityIsUnsigned) {
  TestEnv env;
  ClientConfig config = env.Config();
  config.credentials = nullptr;  // not needed for this operation
  auto sts = StsClient::Create(config);
  ASSERT_TRUE(sts.ok());
  env.transport->Push(
      200, R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/web/s</Arn><AssumedRoleId>AROAWEB:s</AssumedRoleId></AssumedRoleUser>
    <Credentials><SessionToken>tok</SessionToken><SecretAccessKey>sec</SecretAccessKey>
      <Expiration>2024-05-01T13:00:00Z</Expiration><AccessKeyId>ASIAWEB</AccessKeyId></Credentials>
    <Provider>oidc.example.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>w-1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>)");
  AssumeRoleWithWebIdentityRequest req;
  req.role_arn = "arn:aws:iam::123456789012:role/web";
  req.role_session_name = "s";
  req.web_identity_token = "eyJhbGciOi.jwt.sig";
  req.duration_seconds = 3600;
  auto out = sts->AssumeRoleWithWebIdentity(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HttpRequest& sent = env.transport->last();
  EXPECT_FALSE(HeaderOf(sent, "Authorization"));
  auto form = FormFields(sent.body);
  EXPECT_EQ(form["Action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(form["WebIdentityToken"], "eyJhbGciOi.jwt.sig");
  EXPECT_EQ(form["DurationSeconds"], "3600");
  EXPECT_EQ(out->credentials.access_key_id, "ASIAWEB");
  EXPECT_EQ(out->credentials.session_token, "tok");
  EXPECT_EQ(out->subject_from_web_identity_token, "system:serviceaccount:ns:sa");
  EXPECT_EQ(out->audience, "sts.amazonaws.com");
  EXPECT_EQ(out->provider, "oidc.example.com");
  EXPECT_EQ(out->assumed_role_user.arn, "arn:aws:sts::123456789012:assumed-role/web/s");
  EXPECT_EQ(out->request_id, "w-1");
}

TEST(StsClient, AccessDeniedIsAStructuredError) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config());
  ASSERT_TRUE(sts.ok());
  env.transport->Push(403, R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code>
  <Message>User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/other</Message></Error>
  <RequestId>98ca53c1</RequestId></ErrorResponse>)");
  AssumeRoleRequest req;
  req.role_arn = "arn:aws:iam::123456789012:role/other";
  req.role_session_name = "s1";
  auto out = sts->AssumeRole(req);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(env.transport->requests.size(), 1u);  // not retried
  EXPECT_EQ(out.status().code(), core::ErrorCode::kAccessDenied);
  ASSERT_TRUE(out.aws_error());
  EXPECT_EQ(out.aws_code(), "AccessDenied");
  EXPECT_EQ(out.aws_error()->request_id, "98ca53c1");
  EXPECT_EQ(out.aws_error()->http_status, 403);
  EXPECT_EQ(out.status().message(),
            "sts:AssumeRole: AccessDenied: User: arn:aws:iam::123456789012:user/alice is not "
            "authorized to perform: sts:AssumeRole on resource: "
            "arn:aws:iam::123456789012:role/other (HTTP 403, request id 98ca53c1)");
}

TEST(StsClient, MalformedResponsesFail) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config());
  ASSERT_TRUE(sts.ok());
  env.transport->Push(200, "not xml");
  env.transport->Push(200, "<OtherResponse/>");
  env.transport->Push(200, "<GetCallerIdentityResponse/>");
  env.transport->Push(200, R"(<AssumeRoleResponse><AssumeRoleResult><Credentials>
    <Expiration>tomorrow</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>)");
  auto a = sts->GetCallerIdentity();
  EXPECT_EQ(a.status().code(), core::ErrorCode::kInternal);
  EXPECT_NE(a.status().message().find("not XML"), std::string::npos);
  auto b = sts->GetCallerIdentity();
  EXPECT_NE(b.status().message().find("expected <GetCallerIdentityResponse>"), std::string::npos);
  auto c = sts->GetCallerIdentity();
  EXPECT_NE(c.status().message().find("<GetCallerIdentityResult> is missing"), std::string::npos);
  AssumeRoleRequest req;
  req.role_arn = "arn:aws:iam::1:role/r";
  req.role_session_name = "s";
  auto d = sts->AssumeRole(req);
  EXPECT_NE(d.status().message().find("malformed <Expiration>"), std::string::npos);
  EXPECT_FALSE(d.aws_error());
}

TEST(StsClient, MissingCredentialsFailBeforeSending) {
  TestEnv env;
  ClientConfig config = env.Config();
  config.credentials = nullptr;
  auto sts = StsClient::Create(config);
  ASSERT_TRUE(sts.ok());
  auto out = sts->GetCallerIdentity();
  EXPECT_EQ(out.status().code(), core::ErrorCode::kMissingAuthenticationToken);
  EXPECT_TRUE(env.transport->requests.empty());

  config.credentials = MakeStaticCredentials("AKID", "");
  auto sts2 = StsClient::Create(config);
  auto out2 = sts2->GetCallerIdentity();
  EXPECT_EQ(out2.status().code(), core::ErrorCode::kMissingAuthenticationToken);
  EXPECT_NE(out2.status().message().find("sts:GetCallerIdentity: cannot get credentials"),
            std::string::npos);
}

TEST(StsClient, NeedsARegion) {
  TestEnv env;
  auto sts = StsClient::Create(env.Config(""));
  ASSERT_FALSE(sts.ok());
  EXPECT_NE(sts.status().message().find("no region configured for STS"), std::string::npos);
}

}  // namespace
}  // namespace cpa::awsapi
