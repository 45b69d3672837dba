#include "policy/document.h"

#include <gtest/gtest.h>

#include <string>

#include "seed_policies.h"

namespace cpa::policy {
namespace {

using core::ErrorCode;

core::Status ParseStatus(std::string_view json, PolicyKind kind = PolicyKind::kIdentity,
                         SizeQuota quota = SizeQuota::kNone) {
  return ParsePolicy(json, kind, quota).status();
}

// Wraps one statement body in a 2012-10-17 document.
std::string Doc(std::string_view statement) {
  return R"({"Version":"2012-10-17","Statement":)" + std::string(statement) + "}";
}

constexpr char kSyntax[] = "Syntax errors in policy.";

TEST(DocumentTest, SeedDocumentsAreValid) {
  auto ecr = ParsePolicy(testing::kEcrReadPolicy, PolicyKind::kIdentity, SizeQuota::kManagedPolicy);
  ASSERT_TRUE(ecr.ok()) << ecr.status().ToString();
  EXPECT_EQ(ecr->version, PolicyVersion::k2012_10_17);
  ASSERT_EQ(ecr->statements.size(), 2u);
  EXPECT_EQ(ecr->statements[0].sid, "ECRRead");
  EXPECT_EQ(ecr->statements[0].actions.size(), 11u);
  EXPECT_EQ(ecr->statements[1].resources, std::vector<std::string>{"*"});

  auto trust = ParsePolicy(testing::kTrustPolicy, PolicyKind::kTrust, SizeQuota::kTrustPolicy);
  ASSERT_TRUE(trust.ok()) << trust.status().ToString();
  ASSERT_TRUE(trust->statements[0].principal.has_value());
  EXPECT_EQ(trust->statements[0].principal->aws,
            std::vector<std::string>{"arn:aws:iam::999999999999:root"});
  EXPECT_FALSE(trust->statements[0].has_resource);

  // Statement as a single object.
  auto assume =
      ParsePolicy(testing::kAssumeRolePolicy, PolicyKind::kIdentity, SizeQuota::kManagedPolicy);
  ASSERT_TRUE(assume.ok()) << assume.status().ToString();
  EXPECT_EQ(assume->statements.size(), 1u);

  auto repo = ParsePolicy(testing::kRepositoryPolicy, PolicyKind::kResource);
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  EXPECT_FALSE(repo->statements[0].has_resource);
}

TEST(DocumentTest, ParsesEveryElement) {
  auto doc = ParsePolicy(R"({
    "Version": "2008-10-17", "Id": "policy-1",
    "Statement": [{
      "Sid": "Any thing-goes.here", "Effect": "Deny",
      "NotPrincipal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:role/r"],
                       "Service": "ecs.amazonaws.com", "Federated": "accounts.google.com",
                       "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
      "NotAction": "s3:*", "NotResource": ["arn:aws:s3:::b/*"],
      "Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": false},
                    "StringEquals": {"aws:TagKeys": ["a", "b"]}}
    }]})",
                         PolicyKind::kResource);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->version, PolicyVersion::k2008_10_17);
  EXPECT_FALSE(doc->variables_enabled());
  EXPECT_EQ(doc->id, "policy-1");
  const Statement& s = doc->statements[0];
  EXPECT_EQ(s.effect, Effect::kDeny);
  EXPECT_TRUE(s.not_principal);
  EXPECT_EQ(s.principal->aws.size(), 2u);
  EXPECT_EQ(s.principal->service, std::vector<std::string>{"ecs.amazonaws.com"});
  EXPECT_TRUE(s.not_action);
  EXPECT_TRUE(s.not_resource);
  ASSERT_EQ(s.conditions.size(), 3u);
  // Unquoted numbers and booleans become text.
  bool saw_number = false, saw_bool = false;
  for (const ConditionClause& c : s.conditions) {
    if (c.op == "NumericLessThan") saw_number = c.values == std::vector<std::string>{"10"};
    if (c.op == "Bool") saw_bool = c.values == std::vector<std::string>{"false"};
  }
  EXPECT_TRUE(saw_number);
  EXPECT_TRUE(saw_bool);
}

TEST(DocumentTest, PrincipalStarAndBareAccount) {
  auto doc = ParsePolicy(Doc(R"({"Effect":"Allow","Principal":"*","Action":"ecr:*"})"),
                         PolicyKind::kResource);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->statements[0].principal->wildcard);
  doc =
      ParsePolicy(Doc(R"({"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"ecr:*"})"),
                  PolicyKind::kResource);
  ASSERT_TRUE(doc.ok());
}

struct ErrorCase {
  const char* name;
  std::string json;
  PolicyKind kind;
  ErrorCode code;
  std::string message;
};

class DocumentErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DocumentErrorTest, ReportsIamError) {
  const ErrorCase& c = GetParam();
  core::Status s = ParseStatus(c.json, c.kind);
  EXPECT_EQ(s.code(), c.code) << s.ToString();
  EXPECT_EQ(s.message(), c.message);
}

const ErrorCase kErrorCases[] = {
    {"InvalidJson", R"({"Version":"2012-10-17",)", PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, "This policy contains invalid Json"},
    {"NotAnObject", R"(["Statement"])", PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     kSyntax},
    {"DuplicateTopKey",
     R"({"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"DuplicateEffect", Doc(R"({"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"DuplicateConditionKey",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a:b":"1","a:b":"2"}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"UnknownTopElement",
     R"({"Version":"2012-10-17","Foo":1,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"UnknownStatementElement",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Actions":"x"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"BadVersion",
     R"({"Version":"2013-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"MissingStatement", R"({"Version":"2012-10-17"})", PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"EmptyStatementList", R"({"Version":"2012-10-17","Statement":[]})", PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"MissingEffect", Doc(R"({"Action":"s3:*","Resource":"*"})"), PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"BadEffect", Doc(R"({"Effect":"Permit","Action":"s3:*","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"EffectCase", Doc(R"({"Effect":"allow","Action":"s3:*","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "The policy failed legacy parsing"},
    {"ActionAndNotAction",
     Doc(R"({"Effect":"Allow","Action":"s3:*","NotAction":"s3:x","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"ResourceAndNotResource",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"ActionNotString", Doc(R"({"Effect":"Allow","Action":[1],"Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"MissingAction", Doc(R"({"Effect":"Allow","Resource":"*"})"), PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, "Policy statement must contain actions."},
    {"EmptyActionList", Doc(R"({"Effect":"Allow","Action":[],"Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Policy statement must contain actions."},
    {"MissingResource", Doc(R"({"Effect":"Allow","Action":"s3:*"})"), PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, "Policy statement must contain resources."},
    {"PrincipalInIdentityPolicy",
     Doc(R"({"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, "Has prohibited field Principal."},
    {"NotPrincipalInIdentityPolicy",
     Doc(R"({"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:*","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Has prohibited field NotPrincipal."},
    {"MissingPrincipalInResourcePolicy", Doc(R"({"Effect":"Allow","Action":"ecr:*"})"),
     PolicyKind::kResource, ErrorCode::kMalformedPolicyDocument,
     "Missing required field Principal."},
    {"MissingPrincipalInTrustPolicy", Doc(R"({"Effect":"Allow","Action":"sts:AssumeRole"})"),
     PolicyKind::kTrust, ErrorCode::kMalformedPolicyDocument, "Missing required field Principal."},
    {"ResourceInTrustPolicy",
     Doc(R"({"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"})"),
     PolicyKind::kTrust, ErrorCode::kMalformedPolicyDocument, "Has prohibited field Resource."},
    {"NotPrincipalInTrustPolicy",
     Doc(R"({"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"})"),
     PolicyKind::kTrust, ErrorCode::kMalformedPolicyDocument, "Has prohibited field NotPrincipal."},
    {"NonStsActionInTrustPolicy",
     Doc(R"({"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject"})"),
     PolicyKind::kTrust, ErrorCode::kMalformedPolicyDocument,
     "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
     "sts:AssumeRoleWithWebIdentity"},
    {"ActionWithoutVendor", Doc(R"({"Effect":"Allow","Action":"GetObject","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    {"ActionTwoColons", Doc(R"({"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Actions/Condition can contain only one colon."},
    {"BadVendor", Doc(R"({"Effect":"Allow","Action":"a a:GetObject","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, "Vendor a a is not valid"},
    {"ResourceNotArn", Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"bucket"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Resource bucket must be in ARN format or \"*\"."},
    {"ResourceBadPartition",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws-x:s3:::b"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Partition \"aws-x\" is not valid for resource \"arn:aws-x:s3:::b\"."},
    {"ResourceBadPartitionShort", Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:a"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Partition \"a\" is not valid for resource \"arn:a:*:*:*:*\"."},
    {"ResourceVendorMissing", Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Resource vendor must be fully qualified and cannot contain regexes."},
    {"ResourceVendorWildcard",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s*:::b"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Resource vendor must be fully qualified and cannot contain regexes."},
    {"IamResourceWithRegion",
     Doc(R"({"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam:us-east-1::example_bucket"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
    {"S3ResourceWithRegion",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:us-east-1::example_bucket"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
    {"IamResourcePath",
     Doc(R"({"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:u*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, "
     "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
     "oidc-provider/, report/, access-report/."},
    {"DuplicateSid",
     Doc(R"([{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}])"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Statement IDs (SID) in a single policy must be unique."},
    {"SidCharacters", Doc(R"({"Sid":"not ok","Effect":"Allow","Action":"s3:*","Resource":"*"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
     "expression [0-9A-Za-z]*"},
    {"RawControlCharacter", "{\"Version\":\"2012-10-17\",\x01}", PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, "Policy document contains invalid characters."},
    {"EscapedControlCharacter",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b\u0001"})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Policy document contains invalid characters."},
    {"CharacterAboveLatin1",
     Doc("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::\xe4\xb8\x80\"}"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Policy document contains invalid characters."},
    {"InvalidUtf8", Doc("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"\xff\"}"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "Policy document contains invalid characters."},
    {"PartialWildcardPrincipal",
     Doc(R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/*"},"Action":"ecr:*"})"),
     PolicyKind::kResource, ErrorCode::kMalformedPolicyDocument,
     "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111111111111:user/*\""},
    {"GarbagePrincipal",
     Doc(R"({"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"})"),
     PolicyKind::kTrust, ErrorCode::kMalformedPolicyDocument,
     "Invalid principal in policy: \"AWS\":\"bob\""},
    {"WildcardService",
     Doc(R"({"Effect":"Allow","Principal":{"Service":"*"},"Action":"sts:AssumeRole"})"),
     PolicyKind::kTrust, ErrorCode::kMalformedPolicyDocument,
     "Invalid principal in policy: \"SERVICE\":\"*\""},
    {"UnknownPrincipalType",
     Doc(R"({"Effect":"Allow","Principal":{"Aws":"111111111111"},"Action":"ecr:*"})"),
     PolicyKind::kResource, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"PrincipalStringNotStar",
     Doc(R"({"Effect":"Allow","Principal":"111111111111","Action":"ecr:*"})"),
     PolicyKind::kResource, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"UnknownConditionOperator",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"a:b":"c"}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"NullIfExists",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"ConditionValueObject",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a:b":{"c":1}}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"BadDateValue",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "The policy failed legacy parsing"},
    {"BadNumericValue",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "The policy failed legacy parsing"},
    {"BadCidr",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "The policy failed legacy parsing"},
    {"BadBase64",
     Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"BinaryEquals":{"a:b":"%%%"}}})"),
     PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument,
     "The policy failed legacy parsing"},
    {"TooDeep", std::string(100, '[') + std::string(100, ']'), PolicyKind::kIdentity,
     ErrorCode::kMalformedPolicyDocument, kSyntax},
    {"Empty", "", PolicyKind::kIdentity, ErrorCode::kMalformedPolicyDocument, kSyntax},
};

INSTANTIATE_TEST_SUITE_P(Validation, DocumentErrorTest, ::testing::ValuesIn(kErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& i) {
                           return std::string(i.param.name);
                         });

TEST(DocumentTest, SidRulesDependOnKind) {
  // Resource-based policies (ECR, SQS, ...) accept richer Sids.
  EXPECT_TRUE(
      ParseStatus(Doc(R"({"Sid":"allow pull","Effect":"Allow","Principal":"*","Action":"ecr:*"})"),
                  PolicyKind::kResource)
          .ok());
  // Sids are optional, and empty Sids do not collide.
  EXPECT_TRUE(ParseStatus(Doc(R"([{"Sid":"","Effect":"Allow","Action":"s3:*","Resource":"*"},
                                  {"Sid":"","Effect":"Allow","Action":"s3:*","Resource":"*"}])"))
                  .ok());
}

TEST(DocumentTest, ErrorOrderFollowsIam) {
  // Legacy parsing (Effect case) is reported before a missing action.
  EXPECT_EQ(ParseStatus(Doc(R"({"Effect":"deny","Resource":"*"})")).message(),
            "The policy failed legacy parsing");
  // A missing action is reported before a bad resource format.
  EXPECT_EQ(ParseStatus(Doc(R"([{"Effect":"Allow","Action":"s3:*","Resource":"x"},
                                 {"Effect":"Allow","Resource":"*"}])"))
                .message(),
            "Policy statement must contain actions.");
  // A bad resource format is reported before a bad action vendor.
  EXPECT_EQ(ParseStatus(Doc(R"({"Effect":"Allow","Action":"GetObject","Resource":"x"})")).message(),
            "Resource x must be in ARN format or \"*\".");
}

TEST(DocumentTest, VerboseMessagesCarryDetail) {
  ParseOptions o;
  o.verbose = true;
  auto r =
      ParsePolicy(Doc(R"({"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"})"), o);
  EXPECT_EQ(r.status().message(), "Syntax errors in policy. (duplicate key 'Effect')");
  r = ParsePolicy(Doc(R"({"Sid":"S1","Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1})"),
                  o);
  EXPECT_EQ(r.status().message(),
            "Syntax errors in policy. (unknown element 'Foo' in statement 1 'S1')");
}

// Contradiction 3 (missing Version): moto rejects managed policies without Version 2012-10-17 and
// we follow it for CreatePolicy (it is the only observed behaviour); other kinds accept an absent
// Version and evaluate it as 2008-10-17 (variables literal), as the UG's version page says.
TEST(DocumentTest, Contradiction3MissingVersion) {
  const std::string no_version =
      R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})";
  core::Status s = ParseStatus(no_version, PolicyKind::kIdentity, SizeQuota::kManagedPolicy);
  EXPECT_EQ(s.code(), ErrorCode::kMalformedPolicyDocument);
  EXPECT_EQ(s.message(), "Policy document must be version 2012-10-17 or greater.");
  EXPECT_EQ(
      ParseStatus(
          R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
          PolicyKind::kIdentity, SizeQuota::kManagedPolicy)
          .message(),
      "Policy document must be version 2012-10-17 or greater.");
  auto inline_doc = ParsePolicy(no_version, PolicyKind::kIdentity, SizeQuota::kUserInline);
  ASSERT_TRUE(inline_doc.ok());
  EXPECT_EQ(inline_doc->version, PolicyVersion::kAbsent);
  EXPECT_FALSE(inline_doc->variables_enabled());
}

// A document whose quota size (non-whitespace characters) is exactly `size`, padded with
// `whitespace` extra blanks that must not count.
std::string DocOfSize(size_t size, size_t whitespace = 0) {
  std::string head =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/)";
  std::string tail = R"("}})";
  size_t base = PolicyQuotaSize(head + tail);
  return head + std::string(size - base, 'a') + tail + std::string(whitespace, ' ');
}

TEST(DocumentTest, SizeQuotasCountNonWhitespace) {
  EXPECT_EQ(PolicyQuotaSize(" {\n\t\"a\" : 1 }\r\n"), 7u);
  EXPECT_EQ(PolicyQuotaSize("\"\xc3\xa9\""), 3u);  // one character, two bytes

  struct Q {
    SizeQuota quota;
    size_t limit;
    std::string message;
  };
  const Q quotas[] = {
      {SizeQuota::kManagedPolicy, 6144, "Cannot exceed quota for PolicySize: 6144"},
      {SizeQuota::kUserInline, 2048, "Maximum policy size of 2048 bytes exceeded for user alice"},
      {SizeQuota::kGroupInline, 5120, "Maximum policy size of 5120 bytes exceeded for group alice"},
      {SizeQuota::kRoleInline, 10240, "Maximum policy size of 10240 bytes exceeded for role alice"},
  };
  for (const Q& q : quotas) {
    ParseOptions o;
    o.quota = q.quota;
    o.entity_name = "alice";
    EXPECT_TRUE(ParsePolicy(DocOfSize(q.limit, 5000), o).ok()) << q.message;
    core::Status s = ParsePolicy(DocOfSize(q.limit + 1), o).status();
    EXPECT_EQ(s.code(), ErrorCode::kLimitExceeded);
    EXPECT_EQ(s.message(), q.message);
  }
  // Inline quotas cover the sum of an entity's inline policies.
  ParseOptions o;
  o.quota = SizeQuota::kUserInline;
  o.entity_name = "alice";
  o.quota_already_used = 2000;
  EXPECT_EQ(ParsePolicy(DocOfSize(100), o).status().code(), ErrorCode::kLimitExceeded);
}

std::string TrustOfSize(size_t size) {
  std::string head = R"({"Version":"2012-10-17","Statement":{"Sid":")";
  std::string tail =
      R"(","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}})";
  size_t base = PolicyQuotaSize(head + tail);
  return head + std::string(size - base, 'a') + tail;
}

// Contradiction 4 (trust-policy length 4096 or 8192 at most): the default quota is 2048, which
// both sources agree on; the raised value is an account setting, so it is a parameter
// (quota_override) rather than a constant we would have to guess.
TEST(DocumentTest, Contradiction4TrustPolicyQuota) {
  ParseOptions o;
  o.kind = PolicyKind::kTrust;
  o.quota = SizeQuota::kTrustPolicy;
  EXPECT_TRUE(ParsePolicy(TrustOfSize(2048), o).ok());
  core::Status s = ParsePolicy(TrustOfSize(2049), o).status();
  EXPECT_EQ(s.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(s.message(), "Cannot exceed quota for ACLSizePerRole: 2048");
  o.quota_override = 8192;
  EXPECT_TRUE(ParsePolicy(TrustOfSize(8192), o).ok());
  EXPECT_EQ(ParsePolicy(TrustOfSize(8193), o).status().message(),
            "Cannot exceed quota for ACLSizePerRole: 8192");
}

// Contradiction 2 (wildcard principal in trust policies): accepted. IAM's CreateRole is
// documented (principal page, Security Blog 2023 revision) to take {"AWS": "*"} - typically with
// conditions - while the "cannot use *" sentence and Access Analyzer's message are a
// recommendation and a lint finding. Evaluation: see evaluator_test.cc.
TEST(DocumentTest, Contradiction2WildcardPrincipalInTrustPolicyAccepted) {
  EXPECT_TRUE(
      ParseStatus(Doc(R"({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"})"),
                  PolicyKind::kTrust)
          .ok());
  EXPECT_TRUE(ParseStatus(Doc(R"({"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"})"),
                          PolicyKind::kTrust)
                  .ok());
}

// Contradiction 1 (variables with Bool): accepted and substituted, following the
// condition-operators page and iam-simulate (Bool.allowsVariables); see condition_test.cc.
TEST(DocumentTest, Contradiction1BoolWithVariableAccepted) {
  EXPECT_TRUE(ParseStatus(Doc(R"({"Effect":"Allow","Action":"s3:*","Resource":"*",
        "Condition":{"Bool":{"aws:SecureTransport":"${aws:PrincipalTag/secure}"}}})"),
                          PolicyKind::kIdentity, SizeQuota::kManagedPolicy)
                  .ok());
}

TEST(DocumentTest, TrustPolicyAcceptsAssumeRoleFamily) {
  EXPECT_TRUE(ParseStatus(Doc(R"({"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},
        "Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]})"),
                          PolicyKind::kTrust)
                  .ok());
  EXPECT_TRUE(ParseStatus(Doc(R"({"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},
        "Action":"sts:*"})"),
                          PolicyKind::kTrust)
                  .ok());
}

TEST(DocumentTest, NoExceptionsOnHostileInput) {
  const std::string inputs[] = {
      "null",
      "1",
      "\"x\"",
      "{}",
      "{\"Statement\":null}",
      "{\"Statement\":[1]}",
      "{\"Statement\":{\"Effect\":1}}",
      std::string(200000, '{'),
      "{\"Version\":\"2012-10-17\"",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
      "\"Condition\":{\"StringEquals\":{\"a:b\":[null]}}}}",
  };
  for (const std::string& in : inputs) {
    for (PolicyKind k : {PolicyKind::kIdentity, PolicyKind::kResource, PolicyKind::kTrust}) {
      EXPECT_FALSE(ParsePolicy(in, k).ok()) << in.substr(0, 40);
    }
  }
}

}  // namespace
}  // namespace cpa::policy
