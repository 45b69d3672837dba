#include "policy/condition.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>

#include "core/encoding.h"

namespace cpa::policy {
namespace {

using core::ErrorCode;
using core::Status;

struct OpName {
  std::string_view name;
  ConditionBase base;
  bool negated;
};

constexpr OpName kOperators[] = {
    {"StringEquals", ConditionBase::kStringEquals, false},
    {"StringNotEquals", ConditionBase::kStringEquals, true},
    {"StringEqualsIgnoreCase", ConditionBase::kStringEqualsIgnoreCase, false},
    {"StringNotEqualsIgnoreCase", ConditionBase::kStringEqualsIgnoreCase, true},
    {"StringLike", ConditionBase::kStringLike, false},
    {"StringNotLike", ConditionBase::kStringLike, true},
    {"NumericEquals", ConditionBase::kNumericEquals, false},
    {"NumericNotEquals", ConditionBase::kNumericEquals, true},
    {"NumericLessThan", ConditionBase::kNumericLessThan, false},
    {"NumericLessThanEquals", ConditionBase::kNumericLessThanEquals, false},
    {"NumericGreaterThan", ConditionBase::kNumericGreaterThan, false},
    {"NumericGreaterThanEquals", ConditionBase::kNumericGreaterThanEquals, false},
    {"DateEquals", ConditionBase::kDateEquals, false},
    {"DateNotEquals", ConditionBase::kDateEquals, true},
    {"DateLessThan", ConditionBase::kDateLessThan, false},
    {"DateLessThanEquals", ConditionBase::kDateLessThanEquals, false},
    {"DateGreaterThan", ConditionBase::kDateGreaterThan, false},
    {"DateGreaterThanEquals", ConditionBase::kDateGreaterThanEquals, false},
    {"Bool", ConditionBase::kBool, false},
    {"BinaryEquals", ConditionBase::kBinaryEquals, false},
    {"IpAddress", ConditionBase::kIpAddress, false},
    {"NotIpAddress", ConditionBase::kIpAddress, true},
    {"ArnEquals", ConditionBase::kArnLike, false},
    {"ArnLike", ConditionBase::kArnLike, false},
    {"ArnNotEquals", ConditionBase::kArnLike, true},
    {"ArnNotLike", ConditionBase::kArnLike, true},
    {"Null", ConditionBase::kNull, false},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[pos]; -1 on failure.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return -1;
    v = v * 10 + (s[pos + i] - '0');
  }
  return v;
}

bool ParseAddress(std::string_view s, bool v6, std::array<uint8_t, 16>& out) {
  char buf[64];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  out.fill(0);
  return inet_pton(v6 ? AF_INET6 : AF_INET, buf, out.data()) == 1;
}

Status ValueError(std::string_view op, std::string_view value) {
  return Status(ErrorCode::kMalformedPolicyDocument,
                "The policy failed legacy parsing: value '" + std::string(value) +
                    "' is not valid for condition operator " + std::string(op));
}

bool IsNumericBase(ConditionBase b) {
  return b >= ConditionBase::kNumericEquals && b <= ConditionBase::kNumericGreaterThanEquals;
}
bool IsDateBase(ConditionBase b) {
  return b >= ConditionBase::kDateEquals && b <= ConditionBase::kDateGreaterThanEquals;
}

template <typename T>
bool Compare(ConditionBase b, T request, T policy) {
  switch (b) {
    case ConditionBase::kNumericEquals:
    case ConditionBase::kDateEquals:
      return request == policy;
    case ConditionBase::kNumericLessThan:
    case ConditionBase::kDateLessThan:
      return request < policy;
    case ConditionBase::kNumericLessThanEquals:
    case ConditionBase::kDateLessThanEquals:
      return request <= policy;
    case ConditionBase::kNumericGreaterThan:
    case ConditionBase::kDateGreaterThan:
      return request > policy;
    case ConditionBase::kNumericGreaterThanEquals:
    case ConditionBase::kDateGreaterThanEquals:
      return request >= policy;
    default:
      return false;
  }
}

// Splitting an escaped glob on colons is safe: a colon is never escaped (see glob.h).
// An ARN pattern with fewer than six segments matches only when it ends in '*': the UG lets a
// trailing '*' run past colon boundaries, so the missing segments are padded with '*'.
bool SplitArnPatternPadded(std::string_view pat, std::array<std::string_view, 6>& out) {
  if (SplitArn(pat, out)) return true;
  if (pat.empty() || pat.back() != '*' || (pat.size() >= 2 && pat[pat.size() - 2] == '\\')) {
    return false;
  }
  size_t n = 0, start = 0;
  while (n < 5) {
    size_t colon = pat.find(':', start);
    if (colon == std::string_view::npos) break;
    out[n++] = pat.substr(start, colon - start);
    start = colon + 1;
  }
  out[n++] = pat.substr(start);
  for (; n < 6; ++n) out[n] = "*";
  return true;
}

}  // namespace

bool SplitArn(std::string_view arn, std::array<std::string_view, 6>& out) {
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    out[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  out[5] = arn.substr(start);
  return true;
}

std::optional<ConditionOperator> ParseConditionOperator(std::string_view name) {
  ConditionOperator op;
  constexpr std::string_view kAll = "ForAllValues:", kAny = "ForAnyValue:", kIfExists = "IfExists";
  if (name.starts_with(kAll)) {
    op.set = SetQualifier::kForAllValues;
    name.remove_prefix(kAll.size());
  } else if (name.starts_with(kAny)) {
    op.set = SetQualifier::kForAnyValue;
    name.remove_prefix(kAny.size());
  }
  if (name.ends_with(kIfExists)) {
    op.if_exists = true;
    name.remove_suffix(kIfExists.size());
  }
  for (const OpName& o : kOperators) {
    if (o.name == name) {
      op.base = o.base;
      op.negated = o.negated;
      // Access Analyzer: "Null" cannot be combined with IfExists.
      if (op.base == ConditionBase::kNull && op.if_exists) return std::nullopt;
      return op;
    }
  }
  return std::nullopt;
}

bool OperatorAllowsVariables(ConditionBase base) {
  switch (base) {
    case ConditionBase::kStringEquals:
    case ConditionBase::kStringEqualsIgnoreCase:
    case ConditionBase::kStringLike:
    case ConditionBase::kArnLike:
    case ConditionBase::kBool:  // contradiction 1 settled: allowed (see README.md)
      return true;
    default:
      return false;
  }
}

std::optional<double> ParseNumericValue(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::string_view body = s;
  if (!body.empty() && body.front() == '-') body.remove_prefix(1);
  if (body.empty()) return std::nullopt;
  bool digit = false, dot = false;
  for (char c : body) {
    if (IsDigit(c)) {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseDateValue(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Epoch seconds.
  {
    std::string_view d = s;
    bool neg = false;
    if (d.front() == '-') {
      neg = true;
      d.remove_prefix(1);
    }
    if (!d.empty() && d.size() <= 15 &&
        std::all_of(d.begin(), d.end(), [](char c) { return IsDigit(c); })) {
      int64_t v = 0;
      for (char c : d) v = v * 10 + (c - '0');
      return (neg ? -v : v) * 1000;
    }
  }
  // ISO 8601: YYYY-MM-DD[Thh:mm[:ss[.fff]][Z|+hh:mm|-hh:mm|+hhmm|-hhmm]]
  int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                  std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  int64_t ms = int64_t{std::chrono::sys_days(ymd).time_since_epoch().count()} * 86400000;
  size_t pos = 10;
  if (pos == s.size()) return ms;
  if (s[pos] != 'T' && s[pos] != 't') return std::nullopt;
  int h = Digits(s, pos + 1, 2);
  if (h < 0 || pos + 3 >= s.size() || s[pos + 3] != ':') return std::nullopt;
  int mi = Digits(s, pos + 4, 2);
  if (mi < 0 || h > 23 || mi > 59) return std::nullopt;
  pos += 6;
  int sec = 0, frac_ms = 0;
  if (pos < s.size() && s[pos] == ':') {
    sec = Digits(s, pos + 1, 2);
    if (sec < 0 || sec > 60) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t start = pos;
      int scale = 100;
      while (pos < s.size() && IsDigit(s[pos])) {
        frac_ms += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  int offset_min = 0;
  if (pos < s.size()) {
    char z = s[pos];
    if ((z == 'Z' || z == 'z') && pos + 1 == s.size()) {
      // UTC
    } else if (z == '+' || z == '-') {
      int oh = Digits(s, pos + 1, 2), om;
      if (pos + 6 == s.size() && s[pos + 3] == ':') {
        om = Digits(s, pos + 4, 2);
      } else if (pos + 5 == s.size()) {
        om = Digits(s, pos + 3, 2);
      } else {
        return std::nullopt;
      }
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return std::nullopt;
      offset_min = (oh * 60 + om) * (z == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  ms += ((int64_t{h} * 60 + mi - offset_min) * 60 + sec) * 1000 + frac_ms;
  return ms;
}

std::optional<Cidr> ParseCidr(std::string_view s) {
  Cidr c;
  std::string_view addr = s;
  int prefix = -1;
  if (size_t slash = s.find('/'); slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    std::string_view p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    prefix = Digits(p, 0, p.size());
    if (prefix < 0) return std::nullopt;
  }
  c.v6 = addr.find(':') != std::string_view::npos;
  if (!ParseAddress(addr, c.v6, c.addr)) return std::nullopt;
  int max = c.v6 ? 128 : 32;
  if (prefix > max) return std::nullopt;
  c.prefix = prefix < 0 ? max : prefix;
  return c;
}

bool CidrContains(const Cidr& net, std::string_view ip) {
  bool v6 = ip.find(':') != std::string_view::npos;
  if (v6 != net.v6) return false;
  std::array<uint8_t, 16> a;
  if (!ParseAddress(ip, v6, a)) return false;
  int bits = net.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
    if ((a[i] & mask) != (net.addr[i] & mask)) return false;
  }
  return true;
}

core::Result<Condition> Condition::Compile(std::string_view op_name, std::string_view key,
                                           const std::vector<std::string>& values,
                                           bool variables_enabled) {
  std::optional<ConditionOperator> op = ParseConditionOperator(op_name);
  if (!op) {
    return Status(ErrorCode::kMalformedPolicyDocument,
                  "Syntax errors in policy: unknown condition operator " + std::string(op_name));
  }
  Condition c;
  c.op_ = *op;
  c.op_name_ = std::string(op_name);
  c.key_ = core::AsciiLower(key);
  const bool vars = variables_enabled && OperatorAllowsVariables(op->base);
  for (const std::string& text : values) {
    Value v;
    v.tmpl = Template::Parse(text, vars);
    const ConditionBase b = op->base;
    if (IsNumericBase(b)) {
      std::optional<double> n = ParseNumericValue(text);
      if (!n) return ValueError(op_name, text);
      v.number = *n;
    } else if (IsDateBase(b)) {
      std::optional<int64_t> d = ParseDateValue(text);
      if (!d) return ValueError(op_name, text);
      v.date_ms = *d;
    } else if (b == ConditionBase::kIpAddress) {
      std::optional<Cidr> cidr = ParseCidr(text);
      if (!cidr) return ValueError(op_name, text);
      v.cidr = *cidr;
    } else if (b == ConditionBase::kBinaryEquals) {
      core::Result<std::string> bytes = core::Base64Decode(text);
      if (!bytes.ok()) return ValueError(op_name, text);
      v.bytes = std::move(bytes).value();
    } else if (b == ConditionBase::kNull) {
      if (core::AsciiIEquals(text, "true")) {
        v.flag = true;
      } else if (core::AsciiIEquals(text, "false")) {
        v.flag = false;
      } else {
        return ValueError(op_name, text);
      }
    } else if (!v.tmpl.has_variables()) {
      if (b == ConditionBase::kStringLike) {
        v.glob = Glob::FromEscaped(v.tmpl.StaticGlob());
      } else if (b == ConditionBase::kArnLike) {
        std::string pat = v.tmpl.StaticGlob();
        std::array<std::string_view, 6> segs;
        v.arn_valid = SplitArnPatternPadded(pat, segs);
        if (v.arn_valid) {
          for (size_t i = 0; i < 6; ++i) v.arn[i] = Glob::FromEscaped(std::string(segs[i]));
        }
      } else {
        // Plain expansion of the static text (resolves ${*} style escapes once).
        struct NoVars final : VariableResolver {
          ValueView Resolve(std::string_view) const override { return {}; }
        } none;
        v.bytes.clear();
        v.tmpl.Expand(none, v.bytes);
      }
    }
    c.values_.push_back(std::move(v));
  }
  return c;
}

bool Condition::MatchValue(const Value& v, std::string_view r, const VariableResolver& lookup,
                           std::string& scratch) const {
  const ConditionBase b = op_.base;
  switch (b) {
    case ConditionBase::kStringEquals:
    case ConditionBase::kStringEqualsIgnoreCase:
    case ConditionBase::kBool: {
      std::string_view want = v.bytes;
      if (v.tmpl.has_variables()) {
        scratch.clear();
        if (!v.tmpl.Expand(lookup, scratch)) return false;
        want = scratch;
      }
      return b == ConditionBase::kStringEquals ? r == want : core::AsciiIEquals(r, want);
    }
    case ConditionBase::kStringLike:
      if (!v.tmpl.has_variables()) return v.glob.Match(r);
      scratch.clear();
      if (!v.tmpl.ExpandGlob(lookup, scratch)) return false;
      return EscapedGlobMatch(scratch, r, false);
    case ConditionBase::kArnLike: {
      std::array<std::string_view, 6> rs;
      if (!SplitArn(r, rs)) return false;
      if (!v.tmpl.has_variables()) {
        if (!v.arn_valid) return false;
        for (size_t i = 0; i < 6; ++i) {
          if (!v.arn[i].Match(rs[i])) return false;
        }
        return true;
      }
      scratch.clear();
      if (!v.tmpl.ExpandGlob(lookup, scratch)) return false;
      std::array<std::string_view, 6> ps;
      if (!SplitArnPatternPadded(scratch, ps)) return false;
      for (size_t i = 0; i < 6; ++i) {
        if (!EscapedGlobMatch(ps[i], rs[i], false)) return false;
      }
      return true;
    }
    case ConditionBase::kNumericEquals:
    case ConditionBase::kNumericLessThan:
    case ConditionBase::kNumericLessThanEquals:
    case ConditionBase::kNumericGreaterThan:
    case ConditionBase::kNumericGreaterThanEquals: {
      std::optional<double> n = ParseNumericValue(r);
      return n && Compare(b, *n, v.number);
    }
    case ConditionBase::kDateEquals:
    case ConditionBase::kDateLessThan:
    case ConditionBase::kDateLessThanEquals:
    case ConditionBase::kDateGreaterThan:
    case ConditionBase::kDateGreaterThanEquals: {
      std::optional<int64_t> d = ParseDateValue(r);
      return d && Compare(b, *d, v.date_ms);
    }
    case ConditionBase::kBinaryEquals: {
      core::Result<std::string> bytes = core::Base64Decode(r);
      return bytes.ok() ? *bytes == v.bytes : r == v.bytes;
    }
    case ConditionBase::kIpAddress:
      return CidrContains(v.cidr, r);
    case ConditionBase::kNull:
      return false;  // handled in Evaluate
  }
  return false;
}

bool Condition::MatchOne(std::string_view r, const VariableResolver& lookup,
                         std::string& scratch) const {
  for (const Value& v : values_) {
    if (MatchValue(v, r, lookup, scratch)) return true;
  }
  return false;
}

bool Condition::Evaluate(const VariableResolver& lookup, std::string& scratch) const {
  ValueView rv = lookup.Resolve(key_);
  const bool missing = !rv.present() || rv.empty();
  if (op_.base == ConditionBase::kNull) {
    for (const Value& v : values_) {
      if (v.flag == missing) return true;
    }
    return false;
  }
  if (missing) {
    if (op_.if_exists) return true;
    switch (op_.set) {
      case SetQualifier::kForAllValues:
        return true;
      case SetQualifier::kForAnyValue:
        return false;
      case SetQualifier::kNone:
        return op_.negated;
    }
  }
  if (op_.set == SetQualifier::kNone) {
    bool any = false;
    for (size_t i = 0; i < rv.size() && !any; ++i) any = MatchOne(rv[i], lookup, scratch);
    return op_.negated ? !any : any;
  }
  const bool for_all = op_.set == SetQualifier::kForAllValues;
  for (size_t i = 0; i < rv.size(); ++i) {
    bool ok = MatchOne(rv[i], lookup, scratch);
    if (op_.negated) ok = !ok;
    if (for_all && !ok) return false;
    if (!for_all && ok) return true;
  }
  return for_all;
}

}  // namespace cpa::policy
