#pragma once
// Glob patterns as IAM uses them: '*' matches any run of characters (including none, and across
// '/' and ':'), '?' matches exactly one character, everything else is literal.
//
// Matching is the greedy two-pointer algorithm with a single backtrack point (the last '*'), so it
// runs in O(|pattern| * |text|) at worst and never backtracks exponentially. No regex is involved.
//
// Internally a pattern is kept in an "escaped" form in which '\' makes the next byte literal. That
// lets policy-variable values and the ${*} ${?} ${$} escapes be spliced into a pattern without
// their '*' or '?' acting as wildcards.

#include <string>
#include <string_view>

namespace cpa::policy {

// Appends `literal` to an escaped pattern so that it matches only itself.
void AppendGlobLiteral(std::string& escaped, std::string_view literal);
// Appends `pattern` (with '*' and '?' as wildcards) to an escaped pattern.
void AppendGlobPattern(std::string& escaped, std::string_view pattern);

// Matches `text` against an escaped pattern. With ignore_case, the pattern must already be in
// ASCII lower case; the text is folded on the fly (no allocation).
bool EscapedGlobMatch(std::string_view escaped, std::string_view text, bool ignore_case);

// Convenience: `pattern` in plain form ('*' and '?' are always wildcards).
bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case = false);

// A compiled glob with fast paths for the common shapes ("*", literal, "prefix*").
class Glob {
 public:
  Glob() = default;  // matches only the empty string
  // From a plain pattern ('*' and '?' are wildcards).
  static Glob Compile(std::string_view pattern, bool ignore_case = false);
  // From an escaped pattern (see AppendGlobLiteral / AppendGlobPattern).
  static Glob FromEscaped(std::string escaped, bool ignore_case = false);

  bool Match(std::string_view text) const;
  // True for a pattern that matches everything ("*", "**", ...).
  bool MatchesEverything() const { return kind_ == Kind::kAny; }
  const std::string& escaped() const { return escaped_; }

 private:
  enum class Kind { kAny, kLiteral, kPrefix, kGeneral };
  Kind kind_ = Kind::kLiteral;
  bool ignore_case_ = false;
  std::string escaped_;
  std::string literal_;  // kLiteral: the whole text; kPrefix: the prefix (unescaped)
};

}  // namespace cpa::policy
