#pragma once
// A policy compiled for evaluation: lower-cased action globs, ARN patterns pre-split into their
// six segments (each a glob, or a variable template under 2012-10-17), classified principals and
// compiled conditions. Compile once, evaluate many times; a CompiledPolicy is immutable and safe
// to share between threads.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "policy/condition.h"
#include "policy/document.h"
#include "policy/glob.h"
#include "policy/variables.h"

namespace cpa::policy {

// The compiled representation. Exposed for the evaluator and for tests; treat as read-only.
struct CompiledPrincipal {
  enum class Type { kAws, kService, kFederated, kCanonicalUser };
  enum class Form { kAny, kAccount, kArn, kOther };  // kOther: service/federated name, unique id
  Type type = Type::kAws;
  Form form = Form::kOther;
  std::string value;  // kAccount: the 12-digit id (also for ":root" ARNs); otherwise as written
};

struct CompiledResource {
  bool any = false;                   // "*"
  bool never = false;                 // a short ARN in a resource-based policy: never matches
  bool dynamic = false;               // some segment has variables
  std::array<Glob, 6> segments;       // when !dynamic
  std::array<Template, 6> templates;  // when dynamic
};

struct CompiledStatement {
  Effect effect = Effect::kAllow;
  std::string label;  // the Sid, or "#<index>" (0-based) when the statement has none
  size_t index = 0;

  bool has_principal = false;
  bool not_principal = false;
  bool principal_wildcard = false;  // "*" or {"AWS": "*"}
  std::vector<CompiledPrincipal> principals;

  bool not_action = false;
  bool any_action = false;
  std::vector<Glob> actions;  // lower-cased, case-insensitive

  bool has_resource = false;
  bool not_resource = false;
  std::vector<CompiledResource> resources;

  std::vector<Condition> conditions;
};

class CompiledPolicy {
 public:
  // `name` identifies the policy in traces (e.g. "curated-packages-policy").
  static core::Result<CompiledPolicy> Compile(const PolicyDocument& doc, std::string name);
  // ParsePolicy + Compile.
  static core::Result<CompiledPolicy> FromJson(std::string_view json, const ParseOptions& options,
                                               std::string name);

  const std::string& name() const { return name_; }
  PolicyKind kind() const { return kind_; }
  PolicyVersion version() const { return version_; }
  const std::vector<CompiledStatement>& statements() const { return statements_; }

 private:
  std::string name_;
  PolicyKind kind_ = PolicyKind::kIdentity;
  PolicyVersion version_ = PolicyVersion::kAbsent;
  std::vector<CompiledStatement> statements_;
};

}  // namespace cpa::policy
