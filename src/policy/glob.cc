#include "policy/glob.h"

namespace cpa::policy {
namespace {

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Length of the UTF-8 sequence starting at text[i] (1 for ASCII and for stray bytes), so that '?'
// stands for one character, not one byte.
inline size_t CharLen(std::string_view text, size_t i) {
  size_t n = 1;
  while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

template <bool kIgnoreCase>
bool MatchImpl(std::string_view pat, std::string_view text) {
  constexpr size_t npos = std::string_view::npos;
  size_t p = 0, t = 0;
  size_t star_p = npos, star_t = 0;
  while (t < text.size()) {
    if (p < pat.size()) {
      char c = pat[p];
      if (c == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (c == '?') {
        ++p;
        t += CharLen(text, t);
        continue;
      }
      size_t plen = 1;
      if (c == '\\' && p + 1 < pat.size()) {
        c = pat[p + 1];
        plen = 2;
      }
      char tc = kIgnoreCase ? Lower(text[t]) : text[t];
      if (c == tc) {
        p += plen;
        ++t;
        continue;
      }
    }
    // Mismatch: let the last '*' absorb one more character and retry from there.
    if (star_p == npos) return false;
    star_t += CharLen(text, star_t);
    p = star_p;
    t = star_t;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace

void AppendGlobLiteral(std::string& escaped, std::string_view literal) {
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '\\') escaped += '\\';
    escaped += c;
  }
}

void AppendGlobPattern(std::string& escaped, std::string_view pattern) {
  for (char c : pattern) {
    if (c == '\\') escaped += '\\';
    escaped += c;
  }
}

bool EscapedGlobMatch(std::string_view escaped, std::string_view text, bool ignore_case) {
  return ignore_case ? MatchImpl<true>(escaped, text) : MatchImpl<false>(escaped, text);
}

bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  return Glob::Compile(pattern, ignore_case).Match(text);
}

Glob Glob::Compile(std::string_view pattern, bool ignore_case) {
  std::string escaped;
  escaped.reserve(pattern.size());
  AppendGlobPattern(escaped, pattern);
  return FromEscaped(std::move(escaped), ignore_case);
}

Glob Glob::FromEscaped(std::string escaped, bool ignore_case) {
  Glob g;
  g.ignore_case_ = ignore_case;
  if (ignore_case) {
    for (char& c : escaped) c = Lower(c);
  }
  // Classify: count wildcards and unescape literal characters.
  std::string literal;
  size_t stars = 0, questions = 0;
  bool star_only_at_end = true;
  for (size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c == '\\' && i + 1 < escaped.size()) {
      literal += escaped[++i];
      if (stars > 0) star_only_at_end = false;
    } else if (c == '*') {
      ++stars;
    } else if (c == '?') {
      ++questions;
      star_only_at_end = false;
    } else {
      literal += c;
      if (stars > 0) star_only_at_end = false;
    }
  }
  if (stars > 0 && questions == 0 && literal.empty()) {
    g.kind_ = Kind::kAny;
  } else if (stars == 0 && questions == 0) {
    g.kind_ = Kind::kLiteral;
    g.literal_ = std::move(literal);
  } else if (questions == 0 && star_only_at_end) {
    g.kind_ = Kind::kPrefix;
    g.literal_ = std::move(literal);
  } else {
    g.kind_ = Kind::kGeneral;
  }
  g.escaped_ = std::move(escaped);
  return g;
}

bool Glob::Match(std::string_view text) const {
  switch (kind_) {
    case Kind::kAny:
      return true;
    case Kind::kLiteral:
    case Kind::kPrefix: {
      if (kind_ == Kind::kLiteral ? text.size() != literal_.size()
                                  : text.size() < literal_.size()) {
        return false;
      }
      if (!ignore_case_) return text.compare(0, literal_.size(), literal_) == 0;
      for (size_t i = 0; i < literal_.size(); ++i) {
        if (Lower(text[i]) != literal_[i]) return false;
      }
      return true;
    }
    case Kind::kGeneral:
      break;
  }
  return EscapedGlobMatch(escaped_, text, ignore_case_);
}

}  // namespace cpa::policy
