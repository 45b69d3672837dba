#include "server/console/aws_bridge.h"

#include <gtest/gtest.h>

namespace cpa::server::console {
namespace {

using nlohmann::json;

TEST(QueryXmlToReplyTest, ResultMembersListsAndLeaves) {
  const std::string xml =
      R"(<ListPoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">)"
      "<ListPoliciesResult><Policies><member><PolicyName>p1</PolicyName><Arn>a1</Arn></member>"
      "<member><PolicyName>p2</PolicyName><Arn>a2</Arn></member></Policies>"
      "<IsTruncated>false</IsTruncated></ListPoliciesResult>"
      "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></ListPoliciesResponse>";
  Reply r = QueryXmlToReply(xml, 200);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.body["result"]["Policies"],
            json::parse(R"([{"PolicyName":"p1","Arn":"a1"},{"PolicyName":"p2","Arn":"a2"}])"));
  EXPECT_EQ(r.body["result"]["IsTruncated"], "false");
  EXPECT_EQ(r.body["requestId"], "r-1");
  EXPECT_EQ(r.code(), "");
}

TEST(QueryXmlToReplyTest, EmptyListsAndNoResult) {
  Reply r = QueryXmlToReply(
      "<ListUsersResponse><ListUsersResult><Users/><IsTruncated>false</IsTruncated>"
      "</ListUsersResult></ListUsersResponse>",
      200);
  EXPECT_EQ(r.body["result"]["Users"], "");
  Reply none = QueryXmlToReply(
      "<AttachRolePolicyResponse><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>"
      "</AttachRolePolicyResponse>",
      200);
  EXPECT_EQ(none.body["result"], json::object());
  // Text is unescaped as XML (documents travel URL-encoded inside it).
  Reply text = QueryXmlToReply(
      "<R><GetRoleResult><Role><Doc>%7B%22a%22%3A1%7D &amp; &lt;</Doc></Role></GetRoleResult></R>",
      200);
  EXPECT_EQ(text.body["result"]["Role"]["Doc"], "%7B%22a%22%3A1%7D & <");
}

TEST(QueryXmlToReplyTest, ErrorResponse) {
  Reply r = QueryXmlToReply(
      R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>)"
      "<Code>AccessDenied</Code><Message>User: x is not authorized</Message></Error>"
      "<RequestId>r-2</RequestId></ErrorResponse>",
      403);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code(), "AccessDenied");
  EXPECT_EQ(r.body["error"]["message"], "User: x is not authorized");
  EXPECT_EQ(r.body["requestId"], "r-2");
  EXPECT_EQ(QueryXmlToReply("not xml <", 200).code(), "InternalFailure");
}

TEST(JsonToReplyTest, SuccessAndErrors) {
  http::Response ok = http::JsonResponse(200, R"({"subscription":{"id":"s"}})");
  EXPECT_EQ(JsonToReply(ok).body["result"]["subscription"]["id"], "s");
  http::Response err = http::JsonResponse(404, R"({"message":"No subscription"})");
  err.SetHeader("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/");
  err.SetHeader("x-amzn-RequestId", "r-3");
  Reply e = JsonToReply(err);
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.code(), "ResourceNotFoundException");
  EXPECT_EQ(e.body["error"]["message"], "No subscription");
  EXPECT_EQ(e.body["requestId"], "r-3");
  http::Response typed = http::JsonResponse(
      400, R"({"__type":"com.amazonaws#InvalidParameterException","message":"m"})");
  EXPECT_EQ(JsonToReply(typed).code(), "InvalidParameterException");
}

TEST(FlattenQueryParamsTest, Shapes) {
  auto p = FlattenQueryParams(
      json::parse(R"({"RoleName":"r","MaxItems":5,"Flag":true,"ActionNames":["a","b"],)"
                  R"("ContextEntries":[{"ContextKeyName":"k","ContextKeyValues":["v"]}]})"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  QueryParamList want = {{"ActionNames.member.1", "a"},
                         {"ActionNames.member.2", "b"},
                         {"ContextEntries.member.1.ContextKeyName", "k"},
                         {"ContextEntries.member.1.ContextKeyValues.member.1", "v"},
                         {"Flag", "true"},
                         {"MaxItems", "5"},
                         {"RoleName", "r"}};
  EXPECT_EQ(*p, want);
  EXPECT_FALSE(FlattenQueryParams(json::parse(R"({"A":null})")).ok());
  EXPECT_FALSE(FlattenQueryParams(json::parse(R"(["x"])")).ok());
  // The action is the route's, never a parameter.
  EXPECT_FALSE(FlattenQueryParams(json::parse(R"({"Action":"DeleteRole"})")).ok());
  EXPECT_FALSE(FlattenQueryParams(json::parse(R"({"Version":"x"})")).ok());
}

}  // namespace
}  // namespace cpa::server::console
