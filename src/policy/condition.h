#pragma once
// Condition operators and compiled condition clauses.
//
// One clause is one (operator, key, values) triple of a statement's Condition block. A statement
// holds when every clause holds (operators AND, keys AND); within a clause the policy values are
// alternatives (OR). Semantics, following the IAM User Guide:
//  - a negated operator (StringNotEquals, NotIpAddress, ArnNotLike, ...) is the negation of its
//    positive form: the request value must match none of the policy values;
//  - a missing key makes a positive operator false and a negated one true; "...IfExists" makes
//    any operator true on a missing key; Null tests presence;
//  - ForAnyValue: some request value satisfies the operator (false when the key is missing or
//    empty); ForAllValues: every request value does (true when missing or empty).
// Policy values are parsed at compile time (numbers, dates, CIDRs, base64, ARN segments,
// variable templates); request values are parsed at evaluation time.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "policy/glob.h"
#include "policy/variables.h"

namespace cpa::policy {

enum class ConditionBase {
  kStringEquals,
  kStringEqualsIgnoreCase,
  kStringLike,
  kNumericEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kArnLike,  // ArnEquals and ArnLike behave identically
  kNull,
};

enum class SetQualifier { kNone, kForAllValues, kForAnyValue };

struct ConditionOperator {
  ConditionBase base = ConditionBase::kStringEquals;
  bool negated = false;
  bool if_exists = false;
  SetQualifier set = SetQualifier::kNone;
};

// Parses "ForAnyValue:StringNotLikeIfExists" and friends (names are case-sensitive, as in IAM).
// Returns nullopt for an unknown operator and for Null combined with IfExists.
std::optional<ConditionOperator> ParseConditionOperator(std::string_view name);
// True for the operator families whose values may contain policy variables (String, ARN, and Bool
// as settled in README.md).
bool OperatorAllowsVariables(ConditionBase base);

// Value parsers shared by validation, compilation and evaluation.
// Integer or decimal, optional sign; no exponent, no surrounding spaces.
std::optional<double> ParseNumericValue(std::string_view s);
// Epoch seconds ("1700000000", may be negative) or W3C ISO 8601 ("2020-01-01",
// "2020-01-01T00:00Z", "2020-01-01T00:00:00.123+02:00"). Returns milliseconds since the epoch,
// so that epoch seconds and ISO strings with fractions compare on one scale.
std::optional<int64_t> ParseDateValue(std::string_view s);

struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};
  int prefix = 0;
};
// "10.0.0.0/8", "192.0.2.1" (= /32), "2001:db8::/32", "::1" (= /128).
std::optional<Cidr> ParseCidr(std::string_view s);
// True when `ip` (a bare address) is inside `net`.
bool CidrContains(const Cidr& net, std::string_view ip);

// A compiled clause.
class Condition {
 public:
  // `values` are the policy's values as text (JSON numbers and booleans already rendered).
  // Fails with a message when a value does not parse for the operator's type.
  static core::Result<Condition> Compile(std::string_view op_name, std::string_view key,
                                         const std::vector<std::string>& values,
                                         bool variables_enabled);

  // `lookup` resolves the clause's key and any variables; `scratch` is a reusable buffer.
  bool Evaluate(const VariableResolver& lookup, std::string& scratch) const;

  const ConditionOperator& op() const { return op_; }
  const std::string& op_name() const { return op_name_; }
  const std::string& key() const { return key_; }  // lower case

 private:
  struct Value {
    Template tmpl;            // String / Bool / Arn (and the original text for the others)
    Glob glob;                // StringLike without variables
    std::array<Glob, 6> arn;  // ArnLike without variables: one glob per ARN segment
    bool arn_valid = true;    // ArnLike: the pattern has six segments
    double number = 0;
    int64_t date_ms = 0;
    Cidr cidr;
    std::string bytes;  // BinaryEquals: decoded
    bool flag = false;  // Null: true means "must be absent"
  };
  bool MatchOne(std::string_view request_value, const VariableResolver& lookup,
                std::string& scratch) const;
  bool MatchValue(const Value& v, std::string_view request_value, const VariableResolver& lookup,
                  std::string& scratch) const;

  ConditionOperator op_;
  std::string op_name_;
  std::string key_;
  std::vector<Value> values_;
};

// Splits an ARN on its first five colons. Returns false when it has fewer than six segments.
bool SplitArn(std::string_view arn, std::array<std::string_view, 6>& out);

}  // namespace cpa::policy
