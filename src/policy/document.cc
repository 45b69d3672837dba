#include "policy/document.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/arn.h"
#include "core/encoding.h"
#include "policy/condition.h"
#include "policy/glob.h"

namespace cpa::policy {
namespace {

using core::ErrorCode;
using core::Status;
using json = nlohmann::json;

constexpr std::string_view kInvalidJson = "This policy contains invalid Json";
constexpr std::string_view kSyntax = "Syntax errors in policy.";
constexpr std::string_view kVersion = "Policy document must be version 2012-10-17 or greater.";
constexpr std::string_view kLegacy = "The policy failed legacy parsing";
constexpr std::string_view kSidUnique = "Statement IDs (SID) in a single policy must be unique.";
constexpr std::string_view kSidChars =
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
    "expression [0-9A-Za-z]*";
constexpr std::string_view kNoActions = "Policy statement must contain actions.";
constexpr std::string_view kNoResources = "Policy statement must contain resources.";
constexpr std::string_view kNoPrincipal = "Missing required field Principal.";
constexpr std::string_view kVendorMissing =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
constexpr std::string_view kOneColon = "Actions/Condition can contain only one colon.";
constexpr std::string_view kTrustActions =
    "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
    "sts:AssumeRoleWithWebIdentity";
constexpr std::string_view kInvalidChars = "Policy document contains invalid characters.";
constexpr size_t kApiMaxChars = 131072;
constexpr int kMaxDepth = 32;

constexpr std::string_view kPartitions[] = {"aws",       "aws-cn",    "aws-us-gov", "aws-iso",
                                            "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc"};
constexpr std::string_view kIamPathStarts[] = {"user/",
                                               "federated-user/",
                                               "role/",
                                               "group/",
                                               "instance-profile/",
                                               "mfa/",
                                               "server-certificate/",
                                               "policy/",
                                               "sms-mfa/",
                                               "saml-provider/",
                                               "oidc-provider/",
                                               "report/",
                                               "access-report/"};
constexpr std::string_view kTrustActionNames[] = {
    "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
    "sts:tagsession", "sts:setsourceidentity",  "sts:setcontext"};

// A failure in one of the validation phases. Carries IAM's message and a detail for verbose mode.
struct Failure {
  ErrorCode code = ErrorCode::kMalformedPolicyDocument;
  std::string message;
  std::string detail;
};

class Failed {};  // thrown internally only, never across the public boundary

// UTF-8 check for the IAM character set. Returns false on a disallowed or malformed character.
bool AllowedCharset(std::string_view s, size_t* bad_offset) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        *bad_offset = i;
        return false;
      }
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size() &&
               (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      if (cp < 0x80 || cp > 0xFF) {
        *bad_offset = i;
        return false;
      }
      i += 2;
    } else {
      *bad_offset = i;  // three- and four-byte sequences are all above U+00FF
      return false;
    }
  }
  return true;
}

std::string QuotaMessage(SizeQuota q, size_t limit, std::string_view name) {
  std::string n = std::to_string(limit);
  switch (q) {
    case SizeQuota::kManagedPolicy:
      return "Cannot exceed quota for PolicySize: " + n;
    case SizeQuota::kUserInline:
      return "Maximum policy size of " + n + " bytes exceeded for user " + std::string(name);
    case SizeQuota::kGroupInline:
      return "Maximum policy size of " + n + " bytes exceeded for group " + std::string(name);
    case SizeQuota::kRoleInline:
      return "Maximum policy size of " + n + " bytes exceeded for role " + std::string(name);
    case SizeQuota::kTrustPolicy:
      return "Cannot exceed quota for ACLSizePerRole: " + n;
    case SizeQuota::kNone:
      break;
  }
  return "Policy size exceeds " + n;
}

class Parser {
 public:
  explicit Parser(const ParseOptions& o) : o_(o) {}

  [[noreturn]] void Fail(std::string_view message, std::string detail = {},
                         ErrorCode code = ErrorCode::kMalformedPolicyDocument) {
    failure_ = Failure{code, std::string(message), std::move(detail)};
    throw Failed();
  }
  const Failure& failure() const { return failure_; }

  PolicyDocument Run(std::string_view text);

 private:
  std::string Where() const {
    return "statement " + std::to_string(stmt_index_ + 1) +
           (current_sid_.empty() ? std::string() : " '" + current_sid_ + "'");
  }
  void CheckDecoded(const std::string& s) {
    size_t bad = 0;
    if (!AllowedCharset(s, &bad)) Fail(kInvalidChars, "in value '" + s + "'");
  }
  std::string GetString(const json& v, std::string_view element) {
    if (!v.is_string()) Fail(kSyntax, std::string(element) + " must be a string in " + Where());
    const std::string& s = v.get_ref<const std::string&>();
    CheckDecoded(s);
    return s;
  }
  std::vector<std::string> GetStringList(const json& v, std::string_view element) {
    std::vector<std::string> out;
    if (v.is_string()) {
      out.push_back(GetString(v, element));
    } else if (v.is_array()) {
      for (const json& e : v) out.push_back(GetString(e, element));
    } else {
      Fail(kSyntax, std::string(element) + " must be a string or a list of strings in " + Where());
    }
    return out;
  }
  std::string ConditionValueText(const json& v) {
    if (v.is_string()) return GetString(v, "Condition value");
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) {
      return v.is_number_unsigned() ? std::to_string(v.get<uint64_t>())
                                    : std::to_string(v.get<int64_t>());
    }
    if (v.is_number_float()) return v.dump();
    Fail(kSyntax, "condition values must be strings, numbers or booleans in " + Where());
  }
  PrincipalBlock ParsePrincipal(const json& v, std::string_view element);
  Statement ParseStatement(const json& v);
  void ValidateResource(const std::string& r, std::string* first_error);
  void ValidateAction(const std::string& a);
  void ValidatePrincipalValues(const Statement& s);

  const ParseOptions& o_;
  Failure failure_;
  size_t stmt_index_ = 0;
  std::string current_sid_;
};

PrincipalBlock Parser::ParsePrincipal(const json& v, std::string_view element) {
  PrincipalBlock p;
  if (v.is_string()) {
    if (v.get_ref<const std::string&>() != "*") {
      Fail(kSyntax, std::string(element) + " must be \"*\" or an object in " + Where());
    }
    p.wildcard = true;
    return p;
  }
  if (!v.is_object() || v.empty()) {
    Fail(kSyntax, std::string(element) + " must be \"*\" or an object in " + Where());
  }
  for (const auto& [key, val] : v.items()) {
    if (key == "AWS") {
      p.aws = GetStringList(val, "Principal AWS");
    } else if (key == "Service") {
      p.service = GetStringList(val, "Principal Service");
    } else if (key == "Federated") {
      p.federated = GetStringList(val, "Principal Federated");
    } else if (key == "CanonicalUser") {
      p.canonical_user = GetStringList(val, "Principal CanonicalUser");
    } else {
      Fail(kSyntax, "unknown principal type '" + key + "' in " + Where());
    }
  }
  return p;
}

Statement Parser::ParseStatement(const json& v) {
  current_sid_.clear();
  if (!v.is_object()) Fail(kSyntax, Where() + " is not an object");
  if (auto it = v.find("Sid"); it != v.end() && it->is_string()) {
    current_sid_ = it->get<std::string>();
  }
  Statement s;
  bool has_effect = false;
  for (const auto& [key, val] : v.items()) {
    if (key == "Sid") {
      s.sid = GetString(val, "Sid");
    } else if (key == "Effect") {
      std::string e = GetString(val, "Effect");
      if (!core::AsciiIEquals(e, "Allow") && !core::AsciiIEquals(e, "Deny")) {
        Fail(kSyntax, "Effect must be Allow or Deny in " + Where());
      }
      s.effect = core::AsciiIEquals(e, "Allow") ? Effect::kAllow : Effect::kDeny;
      has_effect = true;
    } else if (key == "Principal" || key == "NotPrincipal") {
      if (s.principal) Fail(kSyntax, "Principal and NotPrincipal are exclusive in " + Where());
      s.principal = ParsePrincipal(val, key);
      s.not_principal = key == "NotPrincipal";
    } else if (key == "Action" || key == "NotAction") {
      if (v.contains("Action") && v.contains("NotAction")) {
        Fail(kSyntax, "Action and NotAction are exclusive in " + Where());
      }
      s.actions = GetStringList(val, key);
      s.not_action = key == "NotAction";
    } else if (key == "Resource" || key == "NotResource") {
      if (v.contains("Resource") && v.contains("NotResource")) {
        Fail(kSyntax, "Resource and NotResource are exclusive in " + Where());
      }
      s.resources = GetStringList(val, key);
      s.not_resource = key == "NotResource";
      s.has_resource = true;
    } else if (key == "Condition") {
      if (!val.is_object()) Fail(kSyntax, "Condition must be an object in " + Where());
      for (const auto& [op, body] : val.items()) {
        if (!body.is_object()) {
          Fail(kSyntax, "condition operator " + op + " must map to an object in " + Where());
        }
        CheckDecoded(op);
        if (!ParseConditionOperator(op)) {
          if (body.empty()) continue;  // moto: an unknown operator with no keys is ignored
          Fail(kSyntax, "unknown condition operator " + op + " in " + Where());
        }
        for (const auto& [ckey, cval] : body.items()) {
          CheckDecoded(ckey);
          ConditionClause c{op, ckey, {}};
          if (cval.is_array()) {
            for (const json& e : cval) c.values.push_back(ConditionValueText(e));
          } else {
            c.values.push_back(ConditionValueText(cval));
          }
          s.conditions.push_back(std::move(c));
        }
      }
    } else {
      Fail(kSyntax, "unknown element '" + key + "' in " + Where());
    }
  }
  if (!has_effect) Fail(kSyntax, Where() + " is missing Effect");
  return s;
}

void Parser::ValidateResource(const std::string& r, std::string* first_error) {
  if (r == "*" || !first_error->empty()) return;
  auto set = [&](std::string m) { *first_error = std::move(m); };
  size_t c1 = r.find(':');
  if (c1 == std::string::npos || r.compare(0, c1, "arn") != 0) {
    return set("Resource " + r + " must be in ARN format or \"*\".");
  }
  std::string_view rest = std::string_view(r).substr(c1 + 1);
  size_t c2 = rest.find(':');
  std::string_view partition = rest.substr(0, c2);
  if (std::find(std::begin(kPartitions), std::end(kPartitions), partition) ==
      std::end(kPartitions)) {
    // Echo IAM's normalised form: missing segments shown as "*".
    std::vector<std::string_view> parts;
    std::string_view tail = c2 == std::string_view::npos ? "" : rest.substr(c2 + 1);
    size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      size_t c = tail.find(':', start);
      if (c == std::string_view::npos) break;
      parts.push_back(tail.substr(start, c - start));
      start = c + 1;
    }
    parts.push_back(tail.substr(std::min(start, tail.size())));
    auto seg = [&](size_t i) -> std::string {
      if (i >= parts.size()) return "*";
      if (i == 0 && parts.size() == 1 && parts[0].empty()) return "*";
      return std::string(parts[i]);
    };
    return set("Partition \"" + std::string(partition) +
               "\" is not valid for resource \"arn:" + std::string(partition) + ":" + seg(0) + ":" +
               seg(1) + ":" + seg(2) + ":" + seg(3) + "\".");
  }
  if (c2 == std::string_view::npos) {
    return set("Resource vendor must be fully qualified and cannot contain regexes.");
  }
  rest = rest.substr(c2 + 1);
  size_t c3 = rest.find(':');
  std::string_view service = rest.substr(0, c3);
  if (service.empty() || service.find_first_of("*?") != std::string_view::npos) {
    return set("Resource vendor must be fully qualified and cannot contain regexes.");
  }
  std::string_view after_service = c3 == std::string_view::npos ? "" : rest.substr(c3 + 1);
  if (service == "iam" && !after_service.starts_with(":")) {
    return set("IAM resource " + r + " cannot contain region information.");
  }
  if (service == "s3" && !after_service.starts_with(":")) {
    return set("Resource " + r + " can not contain region information.");
  }
  if (service == "iam") {
    // Skip region and account to the resource part.
    size_t a = after_service.find(':');
    size_t b = a == std::string_view::npos ? a : after_service.find(':', a + 1);
    std::string_view resource =
        b == std::string_view::npos ? std::string_view() : after_service.substr(b + 1);
    if (resource == "*" || resource == "root") return;
    bool ok = std::any_of(std::begin(kIamPathStarts), std::end(kIamPathStarts),
                          [&](std::string_view p) { return resource.starts_with(p); });
    if (!ok) {
      std::string list;
      for (std::string_view p : kIamPathStarts) {
        if (!list.empty()) list += ", ";
        list += p;
      }
      return set("IAM resource path must either be \"*\" or start with " + list + ".");
    }
  }
}

void Parser::ValidateAction(const std::string& a) {
  size_t colon = a.find(':');
  if (colon == std::string::npos) {
    if (a != "*") Fail(kVendorMissing, "action '" + a + "'");
    return;
  }
  if (a.find(':', colon + 1) != std::string::npos) Fail(kOneColon, "action '" + a + "'");
  std::string_view vendor = std::string_view(a).substr(0, colon);
  bool ok = true;
  for (char c : vendor) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-' && c != '.' && vendor != "*") ok = false;
  }
  if (!ok) Fail("Vendor " + std::string(vendor) + " is not valid", "action '" + a + "'");
}

bool LooksLikeUniqueId(std::string_view v) {
  if (v.size() < 16 || v.size() > 128 || v.front() != 'A') return false;
  return std::all_of(v.begin(), v.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool ValidAwsPrincipal(std::string_view v) {
  if (v == "*" || core::IsAccountId(v) || LooksLikeUniqueId(v)) return true;
  if (v.find_first_of("*?") != std::string_view::npos) return false;  // no partial wildcards
  core::Result<core::Arn> arn = core::Arn::Parse(v);
  if (!arn.ok()) return false;
  if (std::find(std::begin(kPartitions), std::end(kPartitions), arn->partition) ==
      std::end(kPartitions)) {
    return false;
  }
  if (!arn->region.empty() || !core::IsAccountId(arn->account)) return false;
  std::string_view r = arn->resource;
  if (arn->service == "iam") {
    return r == "root" || ((r.starts_with("user/") || r.starts_with("role/")) && r.size() > 5);
  }
  if (arn->service == "sts") {
    return r.starts_with("assumed-role/") || r.starts_with("federated-user/");
  }
  return false;
}

bool ValidNamePrincipal(std::string_view v) {
  if (v.empty() || v.find_first_of("*? \t") != std::string_view::npos) return false;
  return true;
}

void Parser::ValidatePrincipalValues(const Statement& s) {
  if (!s.principal) return;
  const PrincipalBlock& p = *s.principal;
  auto bad = [&](std::string_view type, const std::string& v) {
    Fail("Invalid principal in policy: \"" + std::string(type) + "\":\"" + v + "\"", Where());
  };
  for (const std::string& v : p.aws) {
    if (!ValidAwsPrincipal(v)) bad("AWS", v);
  }
  for (const std::string& v : p.service) {
    if (!ValidNamePrincipal(v) || v.find('.') == std::string::npos) bad("SERVICE", v);
  }
  for (const std::string& v : p.federated) {
    if (!ValidNamePrincipal(v)) bad("FEDERATED", v);
  }
  for (const std::string& v : p.canonical_user) {
    if (!ValidNamePrincipal(v)) bad("CANONICAL_USER", v);
  }
}

PolicyDocument Parser::Run(std::string_view text) {
  // 1. Character set and API limit.
  if (text.empty()) Fail(kSyntax, "the document is empty");
  size_t bad = 0;
  if (!AllowedCharset(text, &bad)) {
    Fail(kInvalidChars, "byte offset " + std::to_string(bad));
  }
  if (text.size() > kApiMaxChars) {
    Fail(kSyntax, "the document exceeds " + std::to_string(kApiMaxChars) + " characters");
  }
  // 2. Size quota.
  if (o_.quota != SizeQuota::kNone) {
    size_t limit = o_.quota_override ? o_.quota_override : DefaultQuotaSize(o_.quota);
    size_t size = PolicyQuotaSize(text) + o_.quota_already_used;
    if (size > limit) {
      Fail(QuotaMessage(o_.quota, limit, o_.entity_name),
           std::to_string(size) + " non-whitespace characters", ErrorCode::kLimitExceeded);
    }
  }
  // 3. JSON with duplicate-key and depth detection.
  std::vector<std::vector<std::string>> keys;
  std::string duplicate;
  bool too_deep = false;
  json::parser_callback_t cb = [&](int depth, json::parse_event_t ev, json& parsed) {
    if (depth > kMaxDepth) too_deep = true;
    switch (ev) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys.empty() && parsed.is_string()) {
          const std::string& k = parsed.get_ref<const std::string&>();
          auto& level = keys.back();
          if (std::find(level.begin(), level.end(), k) != level.end()) {
            if (duplicate.empty()) duplicate = k;
          } else {
            level.push_back(k);
          }
        }
        break;
      default:
        break;
    }
    return true;
  };
  json doc = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
  if (doc.is_discarded()) Fail(kInvalidJson);
  if (too_deep) Fail(kSyntax, "the document is nested too deeply");
  if (!duplicate.empty()) Fail(kSyntax, "duplicate key '" + duplicate + "'");

  // Grammar.
  if (!doc.is_object()) Fail(kSyntax, "the document is not a JSON object");
  PolicyDocument out;
  out.kind = o_.kind;
  for (const auto& [key, val] : doc.items()) {
    if (key == "Version") {
      std::string v = GetString(val, "Version");
      if (v == "2012-10-17") {
        out.version = PolicyVersion::k2012_10_17;
      } else if (v == "2008-10-17") {
        out.version = PolicyVersion::k2008_10_17;
      } else {
        Fail(kSyntax, "unsupported Version '" + v + "'");
      }
    } else if (key == "Id") {
      out.id = GetString(val, "Id");
    } else if (key != "Statement") {
      Fail(kSyntax, "unknown element '" + key + "'");
    }
  }
  auto st = doc.find("Statement");
  if (st == doc.end()) Fail(kSyntax, "missing Statement");
  if (st->is_object()) {
    out.statements.push_back(ParseStatement(*st));
  } else if (st->is_array() && !st->empty()) {
    for (const json& s : *st) {
      out.statements.push_back(ParseStatement(s));
      ++stmt_index_;
    }
  } else {
    Fail(kSyntax, "Statement must be an object or a non-empty list");
  }

  // 4. Version (managed policies).
  if (o_.quota == SizeQuota::kManagedPolicy && out.version != PolicyVersion::k2012_10_17) {
    Fail(kVersion);
  }

  auto for_each_statement = [&](auto&& fn) {
    const json& arr = *st;
    for (stmt_index_ = 0; stmt_index_ < out.statements.size(); ++stmt_index_) {
      const json& raw = arr.is_array() ? arr[stmt_index_] : arr;
      current_sid_ = out.statements[stmt_index_].sid.value_or("");
      fn(out.statements[stmt_index_], raw);
    }
  };

  // 5. Legacy parsing: Effect is case-sensitive; condition values must parse for their type.
  for_each_statement([&](const Statement& s, const json& raw) {
    const std::string& e = raw["Effect"].get_ref<const std::string&>();
    if (e != "Allow" && e != "Deny") Fail(kLegacy, "Effect '" + e + "' in " + Where());
    for (const ConditionClause& c : s.conditions) {
      core::Result<Condition> compiled =
          Condition::Compile(c.op, c.key, c.values, out.variables_enabled());
      if (!compiled.ok()) Fail(kLegacy, compiled.status().message() + " in " + Where());
    }
  });
  std::string resource_error;
  for_each_statement([&](const Statement& s, const json&) {
    if (!s.has_resource) return;
    // moto checks list entries in reverse-sorted order; keep that so the reported one agrees.
    std::vector<std::string> sorted = s.resources;
    std::sort(sorted.rbegin(), sorted.rend());
    for (const std::string& r : sorted) ValidateResource(r, &resource_error);
  });

  // 6. Sids.
  std::vector<std::string_view> sids;
  for_each_statement([&](const Statement& s, const json&) {
    if (!s.sid || s.sid->empty()) return;
    if (std::find(sids.begin(), sids.end(), *s.sid) != sids.end()) {
      Fail(kSidUnique, "duplicate Sid '" + *s.sid + "'");
    }
    sids.push_back(*s.sid);
  });
  if (o_.kind != PolicyKind::kResource) {
    for_each_statement([&](const Statement& s, const json&) {
      if (!s.sid) return;
      for (char c : *s.sid) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum) Fail(kSidChars, "Sid '" + *s.sid + "'");
      }
    });
  }

  // 7. Actions present; principal and resource rules per kind.
  for_each_statement([&](const Statement& s, const json&) {
    if (s.actions.empty()) Fail(kNoActions, Where());
  });
  for_each_statement([&](const Statement& s, const json&) {
    switch (o_.kind) {
      case PolicyKind::kIdentity:
        if (s.principal) {
          Fail(s.not_principal ? "Has prohibited field NotPrincipal."
                               : "Has prohibited field Principal.",
               Where() + " (identity policies name no principal)");
        }
        if (!s.has_resource || s.resources.empty()) Fail(kNoResources, Where());
        break;
      case PolicyKind::kResource:
        if (!s.principal) Fail(kNoPrincipal, Where());
        if (s.has_resource && s.resources.empty()) Fail(kNoResources, Where());
        break;
      case PolicyKind::kTrust:
        if (!s.principal) Fail(kNoPrincipal, Where());
        if (s.not_principal) Fail("Has prohibited field NotPrincipal.", Where());
        if (s.has_resource) {
          Fail(s.not_resource ? "Has prohibited field NotResource."
                              : "Has prohibited field Resource.",
               Where());
        }
        break;
    }
  });

  // 8. The first resource format error.
  if (!resource_error.empty()) Fail(resource_error);

  // 9. Action vendors.
  for_each_statement([&](const Statement& s, const json&) {
    for (const std::string& a : s.actions) ValidateAction(a);
  });

  // 10. Trust policies only grant the STS assume-role family.
  if (o_.kind == PolicyKind::kTrust) {
    for_each_statement([&](const Statement& s, const json&) {
      if (s.not_action) Fail(kTrustActions, "NotAction in " + Where());
      for (const std::string& a : s.actions) {
        Glob g = Glob::Compile(a, /*ignore_case=*/true);
        bool ok = std::any_of(std::begin(kTrustActionNames), std::end(kTrustActionNames),
                              [&](std::string_view n) { return g.Match(n); });
        if (!ok) Fail(kTrustActions, "action '" + a + "'");
      }
    });
  }

  // 11. Principal values.
  for_each_statement([&](const Statement& s, const json&) { ValidatePrincipalValues(s); });
  return out;
}

}  // namespace

std::string_view PolicyKindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity:
      return "identity";
    case PolicyKind::kResource:
      return "resource";
    case PolicyKind::kTrust:
      return "trust";
  }
  return "identity";
}

size_t DefaultQuotaSize(SizeQuota quota) {
  switch (quota) {
    case SizeQuota::kNone:
      return 0;
    case SizeQuota::kManagedPolicy:
      return 6144;
    case SizeQuota::kUserInline:
      return 2048;
    case SizeQuota::kGroupInline:
      return 5120;
    case SizeQuota::kRoleInline:
      return 10240;
    case SizeQuota::kTrustPolicy:
      return 2048;
  }
  return 0;
}

size_t PolicyQuotaSize(std::string_view json) {
  size_t n = 0;
  for (char ch : json) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation: one character, counted once
    ++n;
  }
  return n;
}

core::Result<PolicyDocument> ParsePolicy(std::string_view json, const ParseOptions& options) {
  Parser p(options);
  try {
    return p.Run(json);
  } catch (const Failed&) {
    const Failure& f = p.failure();
    std::string message = f.message;
    if (options.verbose && !f.detail.empty()) message += " (" + f.detail + ")";
    return Status(f.code, std::move(message));
  } catch (const std::exception& e) {
    return Status(ErrorCode::kMalformedPolicyDocument,
                  std::string(kSyntax) +
                      (options.verbose ? std::string(" (") + e.what() + ")" : std::string()));
  }
}

}  // namespace cpa::policy
