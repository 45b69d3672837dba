// IAM through a scripted transport: every operation's request encoding and response decoding.
#include "awsapi/iam.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace cpa::awsapi {
namespace {

using testing::FormFields;
using testing::HeaderOf;
using testing::TestEnv;

std::string Wrap(const std::string& op, const std::string& result) {
  std::string body = "<" + op + "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">";
  if (!result.empty()) body += "<" + op + "Result>" + result + "</" + op + "Result>";
  body += "<ResponseMetadata><RequestId>req-" + op + "</RequestId></ResponseMetadata></" + op +
          "Response>";
  return body;
}

constexpr char kPolicyXml[] = R"(<Policy>
  <PolicyName>p1</PolicyName><PolicyId>ANPAEXAMPLEPOLICYID01</PolicyId><Arn>arn:aws:iam::123456789012:policy/p1</Arn>
  <Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>0</AttachmentCount>
  <PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount><IsAttachable>true</IsAttachable>
  <Description>pull &amp; login</Description>
  <CreateDate>2024-05-01T12:00:00Z</CreateDate><UpdateDate>2024-05-01T12:30:00Z</UpdateDate>
  <Tags><member><Key>team</Key><Value>pkg</Value></member></Tags>
</Policy>)";

constexpr char kRoleXml[] = R"(<Role>
  <Path>/app/</Path><RoleName>demo</RoleName><RoleId>AROAEXAMPLEROLEID0001</RoleId>
  <Arn>arn:aws:iam::123456789012:role/app/demo</Arn><CreateDate>2024-05-01T12:00:00Z</CreateDate>
  <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D</AssumeRolePolicyDocument>
  <MaxSessionDuration>3600</MaxSessionDuration>
  <PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType>
    <PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/boundary</PermissionsBoundaryArn></PermissionsBoundary>
  <RoleLastUsed><LastUsedDate>2024-05-02T08:00:00Z</LastUsedDate><Region>us-west-2</Region></RoleLastUsed>
</Role>)";

constexpr char kDecodedTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

constexpr char kUserXml[] = R"(<User><Path>/</Path><UserName>alice</UserName>
  <UserId>AIDAEXAMPLEUSERID0001</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn>
  <CreateDate>2024-05-01T12:00:00Z</CreateDate><PasswordLastUsed>2024-05-03T00:00:00Z</PasswordLastUsed></User>)";

class IamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = IamClient::Create(env_.Config());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    iam_.emplace(std::move(client).value());
  }
  std::map<std::string, std::string> Sent() {
    const HttpRequest& r = env_.transport->last();
    EXPECT_EQ(r.url, "https://iam.amazonaws.com/");
    EXPECT_NE(HeaderOf(r, "Authorization")->find("/us-east-1/iam/aws4_request"), std::string::npos);
    EXPECT_TRUE(testing::VerifySignature(r, env_.clock).ok());
    return FormFields(r.body);
  }

  TestEnv env_;
  std::optional<IamClient> iam_;
};

TEST_F(IamTest, CreatePolicy) {
  env_.transport->Push(200, Wrap("CreatePolicy", kPolicyXml));
  CreatePolicyRequest req;
  req.policy_name = "p1";
  req.policy_document = R"({"Version": "2012-10-17", "Statement": []})";
  req.description = "pull & login";
  req.tags = {{"team", "pkg"}};
  auto out = iam_->CreatePolicy(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "CreatePolicy");
  EXPECT_EQ(form["Version"], "2010-05-08");
  EXPECT_EQ(form["PolicyName"], "p1");
  EXPECT_EQ(form["PolicyDocument"], req.policy_document);
  EXPECT_EQ(form["Description"], "pull & login");
  EXPECT_EQ(form["Tags.member.1.Key"], "team");
  EXPECT_FALSE(form.count("Path"));
  // Space and JSON punctuation are percent-encoded (RFC 3986), never '+'.
  EXPECT_NE(env_.transport->last().body.find("%7B%22Version%22%3A%20%222012-10-17%22"),
            std::string::npos);
  const IamPolicy& p = out->policy;
  EXPECT_EQ(p.policy_name, "p1");
  EXPECT_EQ(p.policy_id, "ANPAEXAMPLEPOLICYID01");
  EXPECT_EQ(p.arn, "arn:aws:iam::123456789012:policy/p1");
  EXPECT_EQ(p.path, "/");
  EXPECT_EQ(p.default_version_id, "v1");
  EXPECT_EQ(p.attachment_count, 0);
  EXPECT_EQ(p.permissions_boundary_usage_count, 0);
  EXPECT_EQ(p.is_attachable, true);
  EXPECT_EQ(p.description, "pull & login");
  EXPECT_EQ(core::FormatIso8601(*p.create_date), "2024-05-01T12:00:00Z");
  EXPECT_EQ(core::FormatIso8601(*p.update_date), "2024-05-01T12:30:00Z");
  ASSERT_EQ(p.tags.size(), 1u);
  EXPECT_EQ(p.tags[0], (Tag{"team", "pkg"}));
  EXPECT_EQ(out->request_id, "req-CreatePolicy");
}

TEST_F(IamTest, GetPolicy) {
  env_.transport->Push(200, Wrap("GetPolicy", kPolicyXml));
  GetPolicyRequest req;
  req.policy_arn = "arn:aws:iam::123456789012:policy/p1";
  auto out = iam_->GetPolicy(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "GetPolicy");
  EXPECT_EQ(form["PolicyArn"], req.policy_arn);
  EXPECT_EQ(out->policy.arn, req.policy_arn);
}

TEST_F(IamTest, PolicyVersions) {
  const std::string arn = "arn:aws:iam::123456789012:policy/p1";
  env_.transport->Push(200, Wrap("CreatePolicyVersion", R"(<PolicyVersion>
  <VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion>
  <CreateDate>2024-05-02T12:00:00Z</CreateDate></PolicyVersion>)"));
  env_.transport->Push(200, Wrap("GetPolicyVersion", R"(<PolicyVersion>
  <Document>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D</Document>
  <VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion>
  <CreateDate>2024-05-01T12:00:00Z</CreateDate></PolicyVersion>)"));
  env_.transport->Push(200, Wrap("ListPolicyVersions", R"(<Versions>
  <member><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2024-05-02T12:00:00Z</CreateDate></member>
  <member><VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion><CreateDate>2024-05-01T12:00:00Z</CreateDate></member>
</Versions><IsTruncated>true</IsTruncated><Marker>m2</Marker>)"));
  env_.transport->Push(200, Wrap("DeletePolicyVersion", ""));

  CreatePolicyVersionRequest create;
  create.policy_arn = arn;
  create.policy_document = R"({"Version":"2012-10-17","Statement":[]})";
  create.set_as_default = true;
  auto a = iam_->CreatePolicyVersion(create);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "CreatePolicyVersion");
  EXPECT_EQ(form["PolicyArn"], arn);
  EXPECT_EQ(form["PolicyDocument"], create.policy_document);
  EXPECT_EQ(form["SetAsDefault"], "true");
  EXPECT_EQ(a->policy_version.version_id, "v2");
  EXPECT_TRUE(a->policy_version.is_default_version);

  auto b = iam_->GetPolicyVersion({arn, "v1"});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "GetPolicyVersion");
  EXPECT_EQ(form["VersionId"], "v1");
  EXPECT_EQ(b->policy_version.document, R"({"Version":"2012-10-17","Statement":[]})");
  EXPECT_FALSE(b->policy_version.is_default_version);
  EXPECT_EQ(core::FormatIso8601(*b->policy_version.create_date), "2024-05-01T12:00:00Z");

  ListPolicyVersionsRequest list;
  list.policy_arn = arn;
  list.marker = "m1";
  auto c = iam_->ListPolicyVersions(list);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "ListPolicyVersions");
  EXPECT_EQ(form["Marker"], "m1");
  ASSERT_EQ(c->versions.size(), 2u);
  EXPECT_EQ(c->versions[1].version_id, "v1");
  EXPECT_TRUE(c->versions[0].is_default_version);
  EXPECT_TRUE(c->is_truncated);
  EXPECT_EQ(c->marker, "m2");

  auto d = iam_->DeletePolicyVersion({arn, "v1"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "DeletePolicyVersion");
  EXPECT_EQ(form["PolicyArn"], arn);
  EXPECT_EQ(form["VersionId"], "v1");
}

TEST_F(IamTest, CreateRoleDecodesTheTrustPolicy) {
  env_.transport->Push(200, Wrap("CreateRole", kRoleXml));
  CreateRoleRequest req;
  req.role_name = "demo";
  req.assume_role_policy_document = kDecodedTrust;
  req.path = "/app/";
  req.description = "d";
  req.max_session_duration = 7200;
  req.permissions_boundary = "arn:aws:iam::123456789012:policy/boundary";
  auto out = iam_->CreateRole(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "CreateRole");
  EXPECT_EQ(form["RoleName"], "demo");
  EXPECT_EQ(form["AssumeRolePolicyDocument"], kDecodedTrust);
  EXPECT_EQ(form["Path"], "/app/");
  EXPECT_EQ(form["Description"], "d");
  EXPECT_EQ(form["MaxSessionDuration"], "7200");
  EXPECT_EQ(form["PermissionsBoundary"], "arn:aws:iam::123456789012:policy/boundary");
  const IamRole& r = out->role;
  EXPECT_EQ(r.path, "/app/");
  EXPECT_EQ(r.role_name, "demo");
  EXPECT_EQ(r.role_id, "AROAEXAMPLEROLEID0001");
  EXPECT_EQ(r.arn, "arn:aws:iam::123456789012:role/app/demo");
  EXPECT_EQ(r.assume_role_policy_document, kDecodedTrust);
  EXPECT_EQ(r.max_session_duration, 3600);
  ASSERT_TRUE(r.permissions_boundary);
  EXPECT_EQ(r.permissions_boundary->type, "PermissionsBoundaryPolicy");
  EXPECT_EQ(r.permissions_boundary->arn, "arn:aws:iam::123456789012:policy/boundary");
  EXPECT_EQ(r.role_last_used.region, "us-west-2");
  EXPECT_TRUE(r.role_last_used.last_used_date);
}

TEST_F(IamTest, GetRole) {
  env_.transport->Push(200, Wrap("GetRole", R"(<Role><RoleName>demo</RoleName>
    <AssumeRolePolicyDocument>%7B%22a%22%3A%20%22b%22%7D</AssumeRolePolicyDocument><RoleLastUsed/></Role>)"));
  GetRoleRequest req;
  req.role_name = "demo";
  auto out = iam_->GetRole(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Sent()["RoleName"], "demo");
  EXPECT_EQ(out->role.assume_role_policy_document, R"({"a": "b"})");
  EXPECT_FALSE(out->role.role_last_used.last_used_date);
  EXPECT_FALSE(out->role.permissions_boundary);
  EXPECT_FALSE(out->role.max_session_duration);
}

TEST_F(IamTest, UpdateAssumeRolePolicy) {
  env_.transport->Push(200, Wrap("UpdateAssumeRolePolicy", ""));
  UpdateAssumeRolePolicyRequest req;
  req.role_name = "demo";
  req.policy_document = kDecodedTrust;
  auto out = iam_->UpdateAssumeRolePolicy(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "UpdateAssumeRolePolicy");
  EXPECT_EQ(form["RoleName"], "demo");
  EXPECT_EQ(form["PolicyDocument"], kDecodedTrust);
  EXPECT_EQ(out->request_id, "req-UpdateAssumeRolePolicy");
}

TEST_F(IamTest, AttachRolePolicyAndUserPolicy) {
  env_.transport->Push(200, Wrap("AttachRolePolicy", ""));
  env_.transport->Push(200, Wrap("AttachUserPolicy", ""));
  AttachRolePolicyRequest role_req;
  role_req.role_name = "demo";
  role_req.policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  auto a = iam_->AttachRolePolicy(role_req);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "AttachRolePolicy");
  EXPECT_EQ(form["RoleName"], "demo");
  EXPECT_EQ(form["PolicyArn"], "arn:aws:iam::aws:policy/ReadOnlyAccess");
  EXPECT_EQ(a->request_id, "req-AttachRolePolicy");

  AttachUserPolicyRequest user_req;
  user_req.user_name = "alice";
  user_req.policy_arn = "arn:aws:iam::123456789012:policy/p1";
  auto b = iam_->AttachUserPolicy(user_req);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "AttachUserPolicy");
  EXPECT_EQ(form["UserName"], "alice");
  EXPECT_EQ(form["PolicyArn"], "arn:aws:iam::123456789012:policy/p1");
}

TEST_F(IamTest, ListAttachedRoleAndUserPolicies) {
  env_.transport->Push(200, Wrap("ListAttachedRolePolicies", R"(<AttachedPolicies><member>
    <PolicyName>p1</PolicyName><PolicyArn>arn:aws:iam::123456789012:policy/p1</PolicyArn></member>
    <member><PolicyName>p2</PolicyName><PolicyArn>arn:aws:iam::123456789012:policy/p2</PolicyArn></member>
    </AttachedPolicies><IsTruncated>true</IsTruncated><Marker>m2</Marker>)"));
  env_.transport->Push(
      200, Wrap("ListAttachedUserPolicies", "<AttachedPolicies/><IsTruncated>false</IsTruncated>"));
  ListAttachedRolePoliciesRequest role_req;
  role_req.role_name = "demo";
  role_req.marker = "m1";
  role_req.max_items = 2;
  auto a = iam_->ListAttachedRolePolicies(role_req);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "ListAttachedRolePolicies");
  EXPECT_EQ(form["RoleName"], "demo");
  EXPECT_EQ(form["Marker"], "m1");
  EXPECT_EQ(form["MaxItems"], "2");
  ASSERT_EQ(a->attached_policies.size(), 2u);
  EXPECT_EQ(a->attached_policies[1].policy_name, "p2");
  EXPECT_EQ(a->attached_policies[1].policy_arn, "arn:aws:iam::123456789012:policy/p2");
  EXPECT_TRUE(a->is_truncated);
  EXPECT_EQ(a->marker, "m2");

  ListAttachedUserPoliciesRequest user_req;
  user_req.user_name = "alice";
  user_req.path_prefix = "/x/";
  auto b = iam_->ListAttachedUserPolicies(user_req);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "ListAttachedUserPolicies");
  EXPECT_EQ(form["UserName"], "alice");
  EXPECT_EQ(form["PathPrefix"], "/x/");
  EXPECT_TRUE(b->attached_policies.empty());
  EXPECT_FALSE(b->is_truncated);
}

TEST_F(IamTest, CreateUserAndGetUser) {
  env_.transport->Push(200, Wrap("CreateUser", kUserXml));
  env_.transport->Push(200, Wrap("GetUser", kUserXml));
  CreateUserRequest create;
  create.user_name = "alice";
  create.path = "/";
  create.tags = {{"k", "v"}};
  auto a = iam_->CreateUser(create);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "CreateUser");
  EXPECT_EQ(form["UserName"], "alice");
  EXPECT_EQ(form["Path"], "/");
  EXPECT_EQ(form["Tags.member.1.Value"], "v");
  EXPECT_EQ(a->user.user_id, "AIDAEXAMPLEUSERID0001");
  EXPECT_EQ(a->user.arn, "arn:aws:iam::123456789012:user/alice");
  EXPECT_TRUE(a->user.password_last_used);

  auto b = iam_->GetUser(GetUserRequest{});  // the caller
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "GetUser");
  EXPECT_FALSE(form.count("UserName"));
  EXPECT_EQ(b->user.user_name, "alice");
}

TEST_F(IamTest, AccessKeys) {
  env_.transport->Push(200, Wrap("CreateAccessKey", R"(<AccessKey>
  <UserName>alice</UserName><AccessKeyId>AKIAEXAMPLEKEYID0001</AccessKeyId><Status>Active</Status>
  <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><CreateDate>2024-05-01T12:00:00Z</CreateDate>
</AccessKey>)"));
  env_.transport->Push(200, Wrap("ListAccessKeys", R"(<AccessKeyMetadata><member>
  <UserName>alice</UserName><AccessKeyId>AKIAEXAMPLEKEYID0001</AccessKeyId><Status>Active</Status>
  <CreateDate>2024-05-01T12:00:00Z</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated>)"));
  env_.transport->Push(200, Wrap("UpdateAccessKey", ""));
  env_.transport->Push(200, Wrap("DeleteAccessKey", ""));

  CreateAccessKeyRequest create;
  create.user_name = "alice";
  auto a = iam_->CreateAccessKey(create);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "CreateAccessKey");
  EXPECT_EQ(form["UserName"], "alice");
  EXPECT_EQ(a->access_key.user_name, "alice");
  EXPECT_EQ(a->access_key.access_key_id, "AKIAEXAMPLEKEYID0001");
  EXPECT_EQ(a->access_key.status, "Active");
  EXPECT_EQ(a->access_key.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_TRUE(a->access_key.create_date);

  ListAccessKeysRequest list;
  list.user_name = "alice";
  list.max_items = 10;
  auto b = iam_->ListAccessKeys(list);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "ListAccessKeys");
  EXPECT_EQ(form["MaxItems"], "10");
  ASSERT_EQ(b->access_key_metadata.size(), 1u);
  EXPECT_EQ(b->access_key_metadata[0].access_key_id, "AKIAEXAMPLEKEYID0001");
  EXPECT_EQ(b->access_key_metadata[0].status, "Active");
  EXPECT_EQ(b->access_key_metadata[0].user_name, "alice");

  UpdateAccessKeyRequest update;
  update.user_name = "alice";
  update.access_key_id = "AKIAEXAMPLEKEYID0001";
  update.status = "Inactive";
  auto c = iam_->UpdateAccessKey(update);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "UpdateAccessKey");
  EXPECT_EQ(form["AccessKeyId"], "AKIAEXAMPLEKEYID0001");
  EXPECT_EQ(form["Status"], "Inactive");

  DeleteAccessKeyRequest del;
  del.access_key_id = "AKIAEXAMPLEKEYID0001";
  auto d = iam_->DeleteAccessKey(del);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  form = Sent();
  EXPECT_EQ(form["Action"], "DeleteAccessKey");
  EXPECT_EQ(form["AccessKeyId"], "AKIAEXAMPLEKEYID0001");
  EXPECT_FALSE(form.count("UserName"));
  EXPECT_EQ(d->request_id, "req-DeleteAccessKey");
}

TEST_F(IamTest, SimulatePrincipalPolicy) {
  env_.transport->Push(200, Wrap("SimulatePrincipalPolicy", R"(
 <IsTruncated>false</IsTruncated>
 <EvaluationResults><member>
  <EvalActionName>ecr:BatchGetImage</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>allowed</EvalDecision>
  <EvalDecisionDetails><entry><key>Organizations</key><value>allowed</value></entry></EvalDecisionDetails>
  <MatchedStatements><member><SourcePolicyId>pull</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType>
    <StartPosition><Line>1</Line><Column>41</Column></StartPosition><EndPosition><Line>1</Line><Column>113</Column></EndPosition></member></MatchedStatements>
  <MissingContextValues><member>aws:SourceIp</member></MissingContextValues>
  <OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail>
  <ResourceSpecificResults><member><EvalResourceName>arn:aws:ecr:us-west-2:1:repository/x</EvalResourceName>
    <EvalResourceDecision>implicitDeny</EvalResourceDecision><MatchedStatements/></member></ResourceSpecificResults>
 </member>
 <member><EvalActionName>ecr:PutImage</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>implicitDeny</EvalDecision></member>
 </EvaluationResults>)"));
  SimulatePrincipalPolicyRequest req;
  req.policy_source_arn = "arn:aws:iam::123456789012:role/demo";
  req.action_names = {"ecr:BatchGetImage", "ecr:PutImage"};
  req.resource_arns = {"arn:aws:ecr:us-west-2:1:repository/x"};
  req.policy_input_list = {R"({"Version":"2012-10-17"})"};
  req.context_entries = {{"aws:SourceIp", {"10.0.0.1", "10.0.0.2"}, "ipList"}};
  req.caller_arn = "arn:aws:iam::123456789012:user/alice";
  auto out = iam_->SimulatePrincipalPolicy(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto form = Sent();
  EXPECT_EQ(form["Action"], "SimulatePrincipalPolicy");
  EXPECT_EQ(form["PolicySourceArn"], "arn:aws:iam::123456789012:role/demo");
  EXPECT_EQ(form["ActionNames.member.1"], "ecr:BatchGetImage");
  EXPECT_EQ(form["ActionNames.member.2"], "ecr:PutImage");
  EXPECT_EQ(form["ResourceArns.member.1"], "arn:aws:ecr:us-west-2:1:repository/x");
  EXPECT_EQ(form["PolicyInputList.member.1"], R"({"Version":"2012-10-17"})");
  EXPECT_EQ(form["ContextEntries.member.1.ContextKeyName"], "aws:SourceIp");
  EXPECT_EQ(form["ContextEntries.member.1.ContextKeyValues.member.2"], "10.0.0.2");
  EXPECT_EQ(form["ContextEntries.member.1.ContextKeyType"], "ipList");
  EXPECT_EQ(form["CallerArn"], "arn:aws:iam::123456789012:user/alice");
  EXPECT_FALSE(form.count("ResourcePolicy"));

  ASSERT_EQ(out->evaluation_results.size(), 2u);
  const EvaluationResult& e = out->evaluation_results[0];
  EXPECT_EQ(e.eval_action_name, "ecr:BatchGetImage");
  EXPECT_EQ(e.eval_resource_name, "*");
  EXPECT_EQ(e.eval_decision, "allowed");
  ASSERT_EQ(e.matched_statements.size(), 1u);
  EXPECT_EQ(e.matched_statements[0].source_policy_id, "pull");
  EXPECT_EQ(e.matched_statements[0].source_policy_type, "IAM Policy");
  EXPECT_EQ(e.matched_statements[0].start_position.column, 41);
  EXPECT_EQ(e.matched_statements[0].end_position.column, 113);
  EXPECT_EQ(e.missing_context_values, std::vector<std::string>{"aws:SourceIp"});
  EXPECT_EQ(e.allowed_by_organizations, true);
  EXPECT_FALSE(e.allowed_by_permissions_boundary);
  EXPECT_EQ(e.eval_decision_details.at("Organizations"), "allowed");
  ASSERT_EQ(e.resource_specific_results.size(), 1u);
  EXPECT_EQ(e.resource_specific_results[0].eval_resource_decision, "implicitDeny");
  EXPECT_EQ(out->evaluation_results[1].eval_decision, "implicitDeny");
  EXPECT_FALSE(out->is_truncated);
}

TEST_F(IamTest, NoSuchEntityMapsToNotFound) {
  env_.transport->Push(404, R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name nope cannot be found.</Message></Error>
  <RequestId>98ca53c1-cacf-4e90-af82-76e914cba248</RequestId></ErrorResponse>)");
  GetRoleRequest req;
  req.role_name = "nope";
  auto out = iam_->GetRole(req);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(*out.aws_error(),
            (AwsErrorInfo{"NoSuchEntity", "The role with name nope cannot be found.",
                          "98ca53c1-cacf-4e90-af82-76e914cba248", 404}));
}

TEST_F(IamTest, EntityAlreadyExistsMapsToAlreadyExists) {
  env_.transport->Push(409,
                       R"(<ErrorResponse><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code>
  <Message>User with name alice already exists.</Message></Error><RequestId>r</RequestId></ErrorResponse>)");
  CreateUserRequest req;
  req.user_name = "alice";
  auto out = iam_->CreateUser(req);
  EXPECT_EQ(out.status().code(), core::ErrorCode::kAlreadyExists);
  EXPECT_EQ(out.aws_code(), "EntityAlreadyExists");
}

TEST(IamPolicyDocument, Decoding) {
  EXPECT_EQ(DecodePolicyDocument("%7B%22a%22%3A1%7D"), R"({"a":1})");
  EXPECT_EQ(DecodePolicyDocument(R"({"a":"100%"})"), R"({"a":"100%"})");  // already plain
  EXPECT_EQ(DecodePolicyDocument("%ZZ"), "%ZZ");                          // not decodable: as is
  EXPECT_EQ(DecodePolicyDocument("a+b"), "a+b");  // '+' is not a space in RFC 3986 encoding
}

TEST(IamEndpoint, GlobalAndPartitions) {
  TestEnv env;
  for (auto [region, url, signing] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"", "https://iam.amazonaws.com/", "us-east-1"},
           {"eu-west-1", "https://iam.amazonaws.com/", "us-east-1"},
           {"cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1"},
           {"us-gov-east-1", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1"}}) {
    auto iam = IamClient::Create(env.Config(region));
    ASSERT_TRUE(iam.ok()) << region;
    env.transport->Push(200, Wrap("GetUser", kUserXml));
    ASSERT_TRUE(iam->GetUser({}).ok());
    EXPECT_EQ(env.transport->last().url, url);
    EXPECT_NE(HeaderOf(env.transport->last(), "Authorization")->find("/" + signing + "/iam/"),
              std::string::npos)
        << region;
  }
}

}  // namespace
}  // namespace cpa::awsapi
