#include "policy/condition.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace cpa::policy {
namespace {

class KeysResolver final : public VariableResolver {
 public:
  explicit KeysResolver(const ContextKeys& keys) : keys_(keys) {}
  ValueView Resolve(std::string_view key) const override { return keys_.Find(key); }

 private:
  const ContextKeys& keys_;
};

using Values = std::vector<std::string>;
constexpr std::nullopt_t kAbsent = std::nullopt;

struct CondCase {
  const char* op;
  Values policy;
  std::optional<Values> request;  // nullopt: key absent; one value: single-valued key
  bool want;
};

std::ostream& operator<<(std::ostream& os, const CondCase& c) {
  os << c.op << " policy[";
  for (const auto& v : c.policy) os << v << ",";
  os << "] request";
  if (!c.request) {
    os << "<absent>";
  } else {
    os << "[";
    for (const auto& v : *c.request) os << v << ",";
    os << "]";
  }
  return os << " -> " << c.want;
}

bool Eval(const CondCase& c) {
  auto cond = Condition::Compile(c.op, "Test:Key", c.policy, /*variables_enabled=*/true);
  EXPECT_TRUE(cond.ok()) << cond.status().ToString();
  if (!cond.ok()) return false;
  ContextKeys keys;
  keys.Set("aws:username", "alice");
  keys.Set("aws:PrincipalAccount", "111111111111");
  if (c.request) {
    if (c.request->size() == 1) {
      keys.Set("test:key", (*c.request)[0]);
    } else {
      keys.SetList("test:key", *c.request);
    }
  }
  KeysResolver r(keys);
  std::string scratch;
  return cond->Evaluate(r, scratch);
}

class ConditionTableTest : public ::testing::TestWithParam<CondCase> {};
TEST_P(ConditionTableTest, Evaluates) { EXPECT_EQ(Eval(GetParam()), GetParam().want); }

INSTANTIATE_TEST_SUITE_P(
    String, ConditionTableTest,
    ::testing::Values(
        CondCase{"StringEquals", {"abc"}, Values{"abc"}, true},
        CondCase{"StringEquals", {"abc"}, Values{"ABC"}, false},
        CondCase{"StringEquals", {"x", "abc"}, Values{"abc"}, true},  // values OR
        CondCase{"StringEquals", {"a*"}, Values{"abc"}, false},       // no wildcards
        CondCase{"StringEquals", {"abc"}, kAbsent, false},
        CondCase{"StringNotEquals", {"abc"}, Values{"abd"}, true},
        CondCase{"StringNotEquals", {"abc", "abd"}, Values{"abd"}, false},  // matches none
        CondCase{"StringNotEquals", {"abc"}, kAbsent, true},  // negated: true when missing
        CondCase{"StringEqualsIgnoreCase", {"abc"}, Values{"ABC"}, true},
        CondCase{"StringEqualsIgnoreCase", {"abc"}, Values{"abd"}, false},
        CondCase{"StringNotEqualsIgnoreCase", {"abc"}, Values{"ABC"}, false},
        CondCase{"StringNotEqualsIgnoreCase", {"abc"}, Values{"x"}, true},
        CondCase{"StringLike", {"a*c"}, Values{"abbbc"}, true},
        CondCase{"StringLike", {"a?c"}, Values{"abc"}, true},
        CondCase{"StringLike", {"a?c"}, Values{"ac"}, false},
        CondCase{"StringLike", {"A*"}, Values{"abc"}, false},  // case-sensitive
        CondCase{"StringLike",
                 {"*:finance/*"},
                 Values{"arn:aws:x:r:1:store/abc:2:finance/d"},
                 true},  // '*' runs across colons in StringLike
        CondCase{"StringLike", {"a.c"}, Values{"abc"}, false},
        CondCase{"StringNotLike", {"a*"}, Values{"abc"}, false},
        CondCase{"StringNotLike", {"a*"}, Values{"bcd"}, true},
        CondCase{"StringNotLike", {"a*"}, kAbsent, true},
        CondCase{"StringEqualsIfExists", {"abc"}, kAbsent, true},
        CondCase{"StringEqualsIfExists", {"abc"}, Values{"x"}, false},
        CondCase{"StringNotEqualsIfExists", {"abc"}, Values{"abc"}, false}));

INSTANTIATE_TEST_SUITE_P(
    Variables, ConditionTableTest,
    ::testing::Values(
        CondCase{"StringEquals", {"home/${aws:username}"}, Values{"home/alice"}, true},
        CondCase{"StringEquals", {"${aws:PrincipalAccount}"}, Values{"111111111111"}, true},
        CondCase{"StringLike", {"home/${aws:username}/*"}, Values{"home/alice/x"}, true},
        CondCase{"StringLike", {"home/${aws:username}/*"}, Values{"home/bob/x"}, false},
        // An unresolvable variable never matches; negated operators then match.
        CondCase{"StringEquals", {"${aws:SourceIdentity}"}, Values{""}, false},
        CondCase{"StringNotEquals", {"${aws:SourceIdentity}"}, Values{"x"}, true},
        CondCase{"StringEquals", {"${aws:SourceIdentity, 'dflt'}"}, Values{"dflt"}, true},
        CondCase{"StringEquals", {"a${*}b"}, Values{"a*b"}, true},
        CondCase{"StringLike", {"a${*}b"}, Values{"axb"}, false},
        CondCase{"ArnLike",
                 {"arn:aws:iam::${aws:PrincipalAccount}:user/*"},
                 Values{"arn:aws:iam::111111111111:user/alice"},
                 true},
        CondCase{"ArnLike",
                 {"arn:aws:iam::${aws:PrincipalAccount}:user/*"},
                 Values{"arn:aws:iam::222222222222:user/alice"},
                 false}));

INSTANTIATE_TEST_SUITE_P(
    Numeric, ConditionTableTest,
    ::testing::Values(CondCase{"NumericEquals", {"10"}, Values{"10"}, true},
                      CondCase{"NumericEquals", {"10"}, Values{"10.0"}, true},
                      CondCase{"NumericEquals", {"10"}, Values{"11"}, false},
                      CondCase{"NumericEquals", {"10"}, Values{"ten"}, false},
                      CondCase{"NumericNotEquals", {"10"}, Values{"11"}, true},
                      CondCase{"NumericNotEquals", {"10"}, Values{"10"}, false},
                      CondCase{"NumericNotEquals", {"10"}, kAbsent, true},
                      CondCase{"NumericLessThan", {"10"}, Values{"9.5"}, true},
                      CondCase{"NumericLessThan", {"10"}, Values{"10"}, false},
                      CondCase{"NumericLessThanEquals", {"10"}, Values{"10"}, true},
                      CondCase{"NumericGreaterThan", {"-1"}, Values{"0"}, true},
                      CondCase{"NumericGreaterThan", {"10"}, Values{"10"}, false},
                      CondCase{"NumericGreaterThanEquals", {"10"}, Values{"10"}, true},
                      CondCase{"NumericGreaterThanEquals", {"10"}, kAbsent, false},
                      CondCase{"NumericLessThanIfExists", {"10"}, kAbsent, true}));

INSTANTIATE_TEST_SUITE_P(
    Date, ConditionTableTest,
    ::testing::Values(
        CondCase{"DateEquals", {"2020-01-01T00:00:00Z"}, Values{"2020-01-01T00:00:00Z"}, true},
        CondCase{"DateEquals", {"2020-01-01T00:00:00Z"}, Values{"1577836800"}, true},
        CondCase{"DateEquals", {"1577836800"}, Values{"2020-01-01"}, true},
        CondCase{"DateEquals", {"2020-01-01T02:00:00+02:00"}, Values{"2020-01-01T00:00:00Z"}, true},
        CondCase{"DateNotEquals", {"2020-01-01T00:00:00Z"}, Values{"2020-01-02T00:00:00Z"}, true},
        CondCase{"DateNotEquals", {"2020-01-01T00:00:00Z"}, kAbsent, true},
        CondCase{"DateLessThan", {"2020-01-01T00:00:00Z"}, Values{"2019-12-31T23:59:59Z"}, true},
        CondCase{"DateLessThan", {"2020-01-01T00:00:00Z"}, Values{"2020-01-01T00:00:00Z"}, false},
        CondCase{
            "DateLessThanEquals", {"2020-01-01T00:00:00Z"}, Values{"2020-01-01T00:00:00Z"}, true},
        CondCase{"DateGreaterThan", {"2020-01-01T00:00:00Z"}, Values{"2020-01-01T00:00:01Z"}, true},
        CondCase{"DateGreaterThanEquals", {"2020-01-01"}, Values{"2019-12-31T23:59:59Z"}, false},
        CondCase{"DateGreaterThan", {"2020-01-01T00:00:00Z"}, Values{"not a date"}, false},
        // Contradiction 8 (mixed formats): both sides are normalised to milliseconds, so epoch
        // seconds and ISO strings with fractions compare correctly (iam-simulate compares epoch
        // seconds against Date.parse milliseconds, which makes these cases wrong).
        CondCase{"DateGreaterThan", {"1577836800"}, Values{"2020-01-01T00:00:00.500Z"}, true},
        CondCase{"DateLessThan", {"2020-01-01T00:00:00.500Z"}, Values{"1577836800"}, true}));

INSTANTIATE_TEST_SUITE_P(
    BoolBinaryNull, ConditionTableTest,
    ::testing::Values(CondCase{"Bool", {"true"}, Values{"true"}, true},
                      CondCase{"Bool", {"true"}, Values{"TRUE"}, true},
                      CondCase{"Bool", {"true"}, Values{"false"}, false},
                      CondCase{"Bool", {"false"}, kAbsent, false},
                      CondCase{"BoolIfExists", {"false"}, kAbsent, true},
                      // Contradiction 1: Bool takes variables (settled: allowed).
                      CondCase{"Bool", {"${test:flag, 'true'}"}, Values{"true"}, true},
                      CondCase{"BinaryEquals", {"QmluYXJ5"}, Values{"QmluYXJ5"}, true},
                      CondCase{"BinaryEquals", {"QmluYXJ5"}, Values{"Binary"}, true},
                      CondCase{"BinaryEquals", {"QmluYXJ5"}, Values{"QmluYXJ6"}, false},
                      CondCase{"Null", {"true"}, kAbsent, true},
                      CondCase{"Null", {"true"}, Values{"x"}, false},
                      CondCase{"Null", {"false"}, Values{"x"}, true},
                      CondCase{"Null", {"false"}, kAbsent, false},
                      CondCase{"Null", {"true"}, Values{}, true}));  // empty list = absent

INSTANTIATE_TEST_SUITE_P(
    Ip, ConditionTableTest,
    ::testing::Values(
        CondCase{"IpAddress", {"203.0.113.0/24"}, Values{"203.0.113.7"}, true},
        CondCase{"IpAddress", {"203.0.113.0/24"}, Values{"203.0.114.7"}, false},
        CondCase{"IpAddress", {"203.0.113.7"}, Values{"203.0.113.7"}, true},
        CondCase{"IpAddress", {"203.0.113.7"}, Values{"203.0.113.8"}, false},
        CondCase{"IpAddress", {"0.0.0.0/0"}, Values{"8.8.8.8"}, true},
        CondCase{"IpAddress", {"10.0.0.0/7"}, Values{"11.255.0.1"}, true},
        CondCase{"IpAddress", {"2001:db8::/32"}, Values{"2001:db8:1::5"}, true},
        CondCase{"IpAddress", {"2001:db8::/32"}, Values{"2001:db9::5"}, false},
        CondCase{"IpAddress", {"::1"}, Values{"::1"}, true},
        CondCase{"IpAddress", {"2001:db8::/32"}, Values{"203.0.113.7"}, false},
        CondCase{"IpAddress", {"203.0.113.0/24"}, Values{"garbage"}, false},
        CondCase{"IpAddress", {"10.0.0.0/8", "192.168.0.0/16"}, Values{"192.168.1.1"}, true},
        CondCase{"NotIpAddress", {"203.0.113.0/24"}, Values{"198.51.100.1"}, true},
        CondCase{"NotIpAddress", {"203.0.113.0/24"}, Values{"203.0.113.1"}, false},
        CondCase{"NotIpAddress", {"203.0.113.0/24"}, kAbsent, true},
        CondCase{"IpAddress", {"203.0.113.0/24"}, kAbsent, false}));

INSTANTIATE_TEST_SUITE_P(
    Arn, ConditionTableTest,
    ::testing::Values(
        CondCase{"ArnEquals",
                 {"arn:aws:iam::111111111111:role/r"},
                 Values{"arn:aws:iam::111111111111:role/r"},
                 true},
        CondCase{
            "ArnLike", {"arn:aws:iam::*:role/*"}, Values{"arn:aws:iam::111111111111:role/r"}, true},
        // ArnEquals behaves as ArnLike.
        CondCase{"ArnEquals",
                 {"arn:aws:iam::*:role/*"},
                 Values{"arn:aws:iam::111111111111:role/r"},
                 true},
        // Components are compared one by one: '*' in one segment does not cross into the next.
        CondCase{"ArnLike",
                 {"arn:aws:someservice:*:111122223333:finance/*"},
                 Values{"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:"
                        "finance/document.txt"},
                 false},
        CondCase{"ArnLike", {"arn:aws:s3:::bucket/*"}, Values{"arn:aws:s3:::bucket/a:b"}, true},
        CondCase{"ArnLike", {"arn:aws:iam::*:role/R"}, Values{"arn:aws:iam::1:role/r"}, false},
        CondCase{"ArnLike", {"arn:aws:iam::*:role/*"}, Values{"not-an-arn"}, false},
        CondCase{"ArnLike", {"*"}, Values{"arn:aws:iam::1:role/r"}, true},
        CondCase{"ArnNotEquals",
                 {"arn:aws:iam::111111111111:role/r"},
                 Values{"arn:aws:iam::111111111111:role/x"},
                 true},
        CondCase{"ArnNotLike", {"arn:aws:iam::*:role/*"}, Values{"arn:aws:iam::1:role/r"}, false},
        CondCase{"ArnNotLike", {"arn:aws:iam::*:role/*"}, kAbsent, true},
        CondCase{"ArnLikeIfExists", {"arn:aws:iam::*:role/*"}, kAbsent, true}));

INSTANTIATE_TEST_SUITE_P(
    SetOperators, ConditionTableTest,
    ::testing::Values(
        CondCase{"ForAllValues:StringEquals", {"a", "b"}, Values{"a", "b"}, true},
        CondCase{"ForAllValues:StringEquals", {"a", "b"}, Values{"a", "c"}, false},
        CondCase{"ForAllValues:StringEquals", {"a"}, kAbsent, true},   // vacuous
        CondCase{"ForAllValues:StringEquals", {"a"}, Values{}, true},  // empty set
        CondCase{"ForAnyValue:StringEquals", {"a", "b"}, Values{"c", "b"}, true},
        CondCase{"ForAnyValue:StringEquals", {"a", "b"}, Values{"c", "d"}, false},
        CondCase{"ForAnyValue:StringEquals", {"a"}, kAbsent, false},
        CondCase{"ForAnyValue:StringEquals", {"a"}, Values{}, false},
        CondCase{"ForAnyValue:StringLike", {"team-*"}, Values{"x", "team-1"}, true},
        // Negated forms with qualifiers: each request value must match none of the values.
        CondCase{"ForAllValues:StringNotEquals", {"a"}, Values{"b", "c"}, true},
        CondCase{"ForAllValues:StringNotEquals", {"a"}, Values{"a", "c"}, false},
        CondCase{"ForAnyValue:StringNotEquals", {"a"}, Values{"a", "c"}, true},
        CondCase{"ForAnyValue:StringNotEquals", {"a"}, Values{"a"}, false},
        CondCase{"ForAnyValue:StringNotEquals", {"a"}, kAbsent, false},
        CondCase{"ForAllValues:StringEqualsIfExists", {"a"}, kAbsent, true},
        CondCase{"ForAnyValue:StringEqualsIfExists", {"a"}, kAbsent, true},
        CondCase{"ForAnyValue:IpAddress", {"10.0.0.0/8"}, Values{"1.1.1.1", "10.1.1.1"}, true},
        CondCase{"ForAllValues:NumericLessThan", {"5"}, Values{"1", "4"}, true},
        CondCase{"ForAllValues:NumericLessThan", {"5"}, Values{"1", "6"}, false},
        // Without a qualifier a multivalued key matches when any value matches.
        CondCase{"StringEquals", {"a"}, Values{"b", "a"}, true},
        CondCase{"StringNotEquals", {"a"}, Values{"b", "a"}, false}));

TEST(ConditionTest, ParsesOperatorNames) {
  auto op = ParseConditionOperator("ForAnyValue:StringNotLikeIfExists");
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->base, ConditionBase::kStringLike);
  EXPECT_TRUE(op->negated);
  EXPECT_TRUE(op->if_exists);
  EXPECT_EQ(op->set, SetQualifier::kForAnyValue);
  EXPECT_FALSE(ParseConditionOperator("stringequals").has_value());  // names are case-sensitive
  EXPECT_FALSE(ParseConditionOperator("NullIfExists").has_value());
  EXPECT_FALSE(ParseConditionOperator("ForSomeValues:StringEquals").has_value());
  EXPECT_TRUE(ParseConditionOperator("ForAllValues:Null").has_value());
}

TEST(ConditionTest, KeysAreCaseInsensitive) {
  auto cond = Condition::Compile("StringEquals", "AWS:SourceVpc", {"vpc-1"}, true);
  ASSERT_TRUE(cond.ok());
  EXPECT_EQ(cond->key(), "aws:sourcevpc");
  ContextKeys keys;
  keys.Set("aws:SOURCEVPC", "vpc-1");
  KeysResolver r(keys);
  std::string scratch;
  EXPECT_TRUE(cond->Evaluate(r, scratch));
}

TEST(ConditionTest, VariablesAreLiteralUnder2008) {
  auto cond = Condition::Compile("StringEquals", "test:key", {"${aws:username}"}, false);
  ASSERT_TRUE(cond.ok());
  ContextKeys keys;
  keys.Set("aws:username", "alice").Set("test:key", "${aws:username}");
  KeysResolver r(keys);
  std::string scratch;
  EXPECT_TRUE(cond->Evaluate(r, scratch));
}

TEST(ConditionTest, RejectsUnparsableValues) {
  EXPECT_FALSE(Condition::Compile("NumericEquals", "k:k", {"1e3"}, true).ok());
  EXPECT_FALSE(Condition::Compile("DateEquals", "k:k", {"2020-13-01"}, true).ok());
  EXPECT_FALSE(Condition::Compile("DateEquals", "k:k", {"${aws:CurrentTime}"}, true).ok());
  EXPECT_FALSE(Condition::Compile("IpAddress", "k:k", {"300.0.0.1"}, true).ok());
  EXPECT_FALSE(Condition::Compile("Null", "k:k", {"maybe"}, true).ok());
  EXPECT_FALSE(Condition::Compile("Nope", "k:k", {"x"}, true).ok());
}

TEST(ConditionTest, ValueParsers) {
  EXPECT_EQ(ParseDateValue("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseDateValue("1970-01-01T00:00:01.250Z"), 1250);
  EXPECT_EQ(ParseDateValue("1970-01-01T01:00Z"), 3600000);
  EXPECT_EQ(ParseDateValue("1970-01-01T01:00:00+0100"), 0);
  EXPECT_EQ(ParseDateValue("-60"), -60000);
  EXPECT_FALSE(ParseDateValue("2020-02-30").has_value());
  EXPECT_FALSE(ParseDateValue("2020-01-01T25:00:00Z").has_value());
  EXPECT_FALSE(ParseDateValue("").has_value());
  EXPECT_EQ(ParseNumericValue("+1.5"), 1.5);
  EXPECT_EQ(ParseNumericValue("-2"), -2);
  EXPECT_FALSE(ParseNumericValue("inf").has_value());
  EXPECT_FALSE(ParseNumericValue(".").has_value());
  EXPECT_FALSE(ParseNumericValue(" 1").has_value());
  EXPECT_FALSE(ParseCidr("10.0.0.0/").has_value());
  EXPECT_FALSE(ParseCidr("::1/129").has_value());
  EXPECT_TRUE(ParseCidr("::ffff:10.0.0.1/128").has_value());
}

}  // namespace
}  // namespace cpa::policy
