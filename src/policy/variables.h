#pragma once
// Policy variables: "${aws:username}", "${aws:PrincipalTag/team, 'default'}" and the escapes
// "${*}", "${?}", "${$}".
//
// A Template is parsed once when a policy is compiled. Variables exist only under Version
// 2012-10-17; otherwise (2008-10-17, or no Version) the text is literal, as IAM documents. A
// resolved value is inserted literally: its '*' and '?' never act as wildcards, which is why
// expansion for glob matching produces the escaped pattern form of policy/glob.h. A variable
// whose key is absent (or multivalued) and has no default leaves the template unresolved; callers
// treat that as "never matches".
//
// Malformed variable syntax (an unterminated "${", an empty "${}", a bad default) is kept as
// literal text rather than rejected: IAM's documented validation does not cover it.

#include <string>
#include <string_view>
#include <vector>

#include "policy/context.h"

namespace cpa::policy {

// Supplies variable values at evaluation time.
class VariableResolver {
 public:
  virtual ~VariableResolver() = default;
  // `key_lower` is lower case. Only single values substitute.
  virtual ValueView Resolve(std::string_view key_lower) const = 0;
};

class Template {
 public:
  Template() = default;
  static Template Parse(std::string_view text, bool variables_enabled);

  bool has_variables() const { return has_variables_; }
  const std::string& text() const { return text_; }

  // Appends the plain expansion. Returns false when a variable is unresolved.
  bool Expand(const VariableResolver& resolver, std::string& out) const;
  // Appends the expansion as an escaped glob (see policy/glob.h): the policy's own '*' and '?' are
  // wildcards, substituted values and ${*}/${?} are literal. Returns false when unresolved.
  bool ExpandGlob(const VariableResolver& resolver, std::string& out) const;
  // Without variables: the escaped glob form / the plain text.
  std::string StaticGlob() const;

 private:
  struct Part {
    enum Kind { kText, kLiteral, kVariable } kind;
    std::string text;  // kText / kLiteral: the text; kVariable: the lower-case key
    bool has_default = false;
    std::string default_value;
  };
  bool ResolvePart(const Part& p, const VariableResolver& r, std::string_view* value) const;

  std::string text_;
  std::vector<Part> parts_;
  bool has_variables_ = false;
};

}  // namespace cpa::policy
