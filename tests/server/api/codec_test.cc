// Unit tests of the awsQuery codecs: form decoding, member lists, XML envelopes and escaping.
#include <gtest/gtest.h>

#include "server/api/query.h"
#include "server/api/xml.h"

namespace cpa::server::api {
namespace {

TEST(QueryParamsTest, DecodesPlusAndPercentSpaces) {
  QueryParams p;
  ASSERT_TRUE(p.AddForm("Action=CreateRole&Description=a+b%20c&Doc=%7B%22a%22%3A1%7D").ok());
  EXPECT_EQ(p.Get("Action"), "CreateRole");
  EXPECT_EQ(p.Get("Description"), "a b c");
  EXPECT_EQ(p.Get("Doc"), "{\"a\":1}");
  EXPECT_FALSE(p.Has("Missing"));
}

TEST(QueryParamsTest, BodyOverridesQueryAndEmptyValues) {
  QueryParams p;
  ASSERT_TRUE(p.AddForm("Action=A&X=1").ok());
  ASSERT_TRUE(p.AddForm("X=2&Empty=&Flag").ok());
  EXPECT_EQ(p.Get("X"), "2");
  ASSERT_NE(p.Find("Empty"), nullptr);
  EXPECT_EQ(*p.Find("Empty"), "");
  EXPECT_TRUE(p.Has("Flag"));
}

TEST(QueryParamsTest, RejectsBadEscapes) {
  QueryParams p;
  EXPECT_FALSE(p.AddForm("A=%zz").ok());
}

TEST(QueryParamsTest, MemberListsStopAtTheFirstGap) {
  QueryParams p;
  ASSERT_TRUE(
      p.AddForm("ActionNames.member.1=a&ActionNames.member.2=b&ActionNames.member.4=d").ok());
  EXPECT_EQ(p.List("ActionNames"), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(p.AddForm("PolicyArns.member.1.arn=x&PolicyArns.member.2.arn=y").ok());
  auto l = p.StructList("PolicyArns", {"arn"});
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[1]["arn"], "y");
}

TEST(QueryParamsTest, ValidationMessages) {
  QueryParams p;
  ASSERT_TRUE(p.AddForm("DurationSeconds=100").ok());
  auto r = Required(p, "RoleArn", "roleArn");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::ErrorCode::kValidationError);
  EXPECT_EQ(r.status().message(),
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
            "Member must not be null");
  auto d = OptionalInt(p, "DurationSeconds", "durationSeconds", 900, 43200);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value greater than or equal to 900");
}

TEST(XmlTest, EscapesText) {
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  XmlWriter w;
  w.Text("RoleName", " x ").Bool("B", true).Empty("E");
  EXPECT_EQ(w.str(), "<RoleName> x </RoleName><B>true</B><E/>");
}

TEST(XmlTest, SuccessEnvelopeWithAndWithoutResult) {
  EXPECT_EQ(QuerySuccessXml("GetUser", kIamNamespace, QueryOutput::Of("<User/>"), "rid"),
            "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<GetUserResult><User/></GetUserResult><ResponseMetadata><RequestId>rid</RequestId>"
            "</ResponseMetadata></GetUserResponse>\n");
  EXPECT_EQ(QuerySuccessXml("AttachRolePolicy", kIamNamespace, QueryOutput::None(), "r"),
            "<AttachRolePolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
            "</AttachRolePolicyResponse>\n");
}

TEST(XmlTest, ErrorDocument) {
  EXPECT_EQ(QueryErrorXml(kStsNamespace, "Sender", "AccessDenied", "User: a & b", "r"),
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
            "<Type>Sender</Type><Code>AccessDenied</Code><Message>User: a &amp; b</Message>"
            "</Error><RequestId>r</RequestId></ErrorResponse>\n");
}

}  // namespace
}  // namespace cpa::server::api
