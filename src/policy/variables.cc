#include "policy/variables.h"

#include "core/encoding.h"
#include "policy/glob.h"

namespace cpa::policy {

Template Template::Parse(std::string_view text, bool variables_enabled) {
  Template t;
  t.text_ = std::string(text);
  auto add_text = [&](std::string_view s, Part::Kind kind) {
    if (s.empty()) return;
    if (!t.parts_.empty() && t.parts_.back().kind == kind) {
      t.parts_.back().text += s;
    } else {
      t.parts_.push_back(Part{kind, std::string(s), false, {}});
    }
  };
  if (!variables_enabled) {
    add_text(text, Part::kText);
    return t;
  }
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;  // unterminated: the rest is literal text
    add_text(text.substr(i, open - i), Part::kText);
    std::string_view inner = text.substr(open + 2, close - open - 2);
    std::string_view whole = text.substr(open, close - open + 1);
    i = close + 1;
    if (inner == "*" || inner == "?" || inner == "$") {
      add_text(inner, Part::kLiteral);
      continue;
    }
    std::string_view key = inner;
    Part var{Part::kVariable, {}, false, {}};
    if (size_t comma = inner.find(','); comma != std::string_view::npos) {
      key = core::TrimAsciiWhitespace(inner.substr(0, comma));
      std::string_view def = core::TrimAsciiWhitespace(inner.substr(comma + 1));
      if (def.size() < 2 || def.front() != '\'' || def.back() != '\'') {
        add_text(whole, Part::kText);
        continue;
      }
      var.has_default = true;
      var.default_value = std::string(def.substr(1, def.size() - 2));
    }
    key = core::TrimAsciiWhitespace(key);
    if (key.empty()) {
      add_text(whole, Part::kText);
      continue;
    }
    var.text = core::AsciiLower(key);
    t.parts_.push_back(std::move(var));
    t.has_variables_ = true;
  }
  add_text(text.substr(std::min(i, text.size())), Part::kText);
  return t;
}

bool Template::ResolvePart(const Part& p, const VariableResolver& r,
                           std::string_view* value) const {
  ValueView v = r.Resolve(p.text);
  if (v.present() && v.size() == 1) {
    *value = v[0];
    return true;
  }
  if (p.has_default) {
    *value = p.default_value;
    return true;
  }
  return false;
}

bool Template::Expand(const VariableResolver& resolver, std::string& out) const {
  for (const Part& p : parts_) {
    if (p.kind != Part::kVariable) {
      out += p.text;
      continue;
    }
    std::string_view value;
    if (!ResolvePart(p, resolver, &value)) return false;
    out += value;
  }
  return true;
}

bool Template::ExpandGlob(const VariableResolver& resolver, std::string& out) const {
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::kText:
        AppendGlobPattern(out, p.text);
        break;
      case Part::kLiteral:
        AppendGlobLiteral(out, p.text);
        break;
      case Part::kVariable: {
        std::string_view value;
        if (!ResolvePart(p, resolver, &value)) return false;
        AppendGlobLiteral(out, value);
        break;
      }
    }
  }
  return true;
}

std::string Template::StaticGlob() const {
  std::string out;
  for (const Part& p : parts_) {
    if (p.kind == Part::kText) {
      AppendGlobPattern(out, p.text);
    } else {
      AppendGlobLiteral(out, p.text);  // kVariable never reaches here for static templates
    }
  }
  return out;
}

}  // namespace cpa::policy
