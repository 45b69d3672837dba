#include "policy/compiled.h"

#include "core/arn.h"
#include "core/encoding.h"

namespace cpa::policy {
namespace {

CompiledResource CompileResource(std::string_view text, PolicyKind kind, bool variables) {
  CompiledResource r;
  if (text == "*") {
    r.any = true;
    return r;
  }
  std::array<std::string_view, 6> segs;
  if (!SplitArn(text, segs)) {
    // A short ARN ("arn:aws:s3"): identity-side policies pad the missing segments with '*'
    // (as iam-simulate does); resource-based policies never match it.
    if (kind != PolicyKind::kIdentity) {
      r.never = true;
      return r;
    }
    size_t n = 0, start = 0;
    while (n < 5) {
      size_t colon = text.find(':', start);
      if (colon == std::string_view::npos) break;
      segs[n++] = text.substr(start, colon - start);
      start = colon + 1;
    }
    segs[n++] = text.substr(start);
    for (; n < 6; ++n) segs[n] = "*";
  }
  for (size_t i = 0; i < 6; ++i) {
    r.templates[i] = Template::Parse(segs[i], variables);
    if (r.templates[i].has_variables()) r.dynamic = true;
  }
  if (!r.dynamic) {
    for (size_t i = 0; i < 6; ++i) {
      r.segments[i] = Glob::FromEscaped(r.templates[i].StaticGlob());
      r.templates[i] = Template();
    }
  }
  return r;
}

void AddPrincipals(CompiledStatement& st, CompiledPrincipal::Type type,
                   const std::vector<std::string>& values) {
  for (const std::string& v : values) {
    CompiledPrincipal p;
    p.type = type;
    p.value = v;
    if (type == CompiledPrincipal::Type::kAws) {
      if (v == "*") {
        p.form = CompiledPrincipal::Form::kAny;
        st.principal_wildcard = true;
      } else if (core::IsAccountId(v)) {
        p.form = CompiledPrincipal::Form::kAccount;
      } else if (v.starts_with("arn:")) {
        std::array<std::string_view, 6> segs;
        if (SplitArn(v, segs) && segs[2] == "iam" && segs[5] == "root") {
          p.form = CompiledPrincipal::Form::kAccount;  // "arn:aws:iam::<acct>:root" = the account
          p.value = std::string(segs[4]);
        } else {
          p.form = CompiledPrincipal::Form::kArn;
        }
      }
    }
    st.principals.push_back(std::move(p));
  }
}

}  // namespace

core::Result<CompiledPolicy> CompiledPolicy::Compile(const PolicyDocument& doc, std::string name) {
  CompiledPolicy cp;
  cp.name_ = std::move(name);
  cp.kind_ = doc.kind;
  cp.version_ = doc.version;
  const bool vars = doc.variables_enabled();
  for (size_t i = 0; i < doc.statements.size(); ++i) {
    const Statement& s = doc.statements[i];
    CompiledStatement st;
    st.index = i;
    st.effect = s.effect;
    st.label = s.sid && !s.sid->empty() ? *s.sid : "#" + std::to_string(i);
    if (s.principal) {
      st.has_principal = true;
      st.not_principal = s.not_principal;
      st.principal_wildcard = s.principal->wildcard;
      AddPrincipals(st, CompiledPrincipal::Type::kAws, s.principal->aws);
      AddPrincipals(st, CompiledPrincipal::Type::kService, s.principal->service);
      AddPrincipals(st, CompiledPrincipal::Type::kFederated, s.principal->federated);
      AddPrincipals(st, CompiledPrincipal::Type::kCanonicalUser, s.principal->canonical_user);
    }
    st.not_action = s.not_action;
    for (const std::string& a : s.actions) {
      Glob g = Glob::Compile(a, /*ignore_case=*/true);
      if (g.MatchesEverything()) st.any_action = true;
      st.actions.push_back(std::move(g));
    }
    st.has_resource = s.has_resource;
    st.not_resource = s.not_resource;
    for (const std::string& r : s.resources) {
      st.resources.push_back(CompileResource(r, doc.kind, vars));
    }
    for (const ConditionClause& c : s.conditions) {
      CPA_ASSIGN_OR_RETURN(Condition cond, Condition::Compile(c.op, c.key, c.values, vars));
      st.conditions.push_back(std::move(cond));
    }
    cp.statements_.push_back(std::move(st));
  }
  return cp;
}

core::Result<CompiledPolicy> CompiledPolicy::FromJson(std::string_view json,
                                                      const ParseOptions& options,
                                                      std::string name) {
  CPA_ASSIGN_OR_RETURN(PolicyDocument doc, ParsePolicy(json, options));
  return Compile(doc, std::move(name));
}

}  // namespace cpa::policy
