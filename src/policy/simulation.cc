#include "policy/simulation.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace cpa::policy {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

constexpr const char* kKnownFields[] = {
    "principal",
    "action",
    "resource",
    "context",
    "identityPolicies",
    "resourcePolicy",
    "permissionsBoundary",
    "sessionPolicy",
    "principalAccount",
    "resourceAccount",
    "roleArn",
    "userId",
};

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

Result<std::unique_ptr<CompiledPolicy>> CompileEntry(const json& entry, PolicyKind kind,
                                                     const std::string& where) {
  std::string name = where;
  const json* doc = &entry;
  if (entry.is_object() && entry.contains("document") && !entry.contains("Statement")) {
    doc = &entry["document"];
    if (entry.contains("name")) {
      if (!entry["name"].is_string()) return Invalid(where + ": \"name\" must be a string");
      name = entry["name"].get<std::string>();
    }
  } else if (entry.is_object() && entry.contains("Id") && entry["Id"].is_string()) {
    name = entry["Id"].get<std::string>();
  }
  std::string text;
  if (doc->is_string()) {
    text = doc->get<std::string>();
  } else if (doc->is_object()) {
    text = doc->dump();
  } else {
    return Invalid(where + ": a policy must be a JSON object");
  }
  ParseOptions options;
  options.kind = kind;
  options.verbose = true;
  auto compiled = CompiledPolicy::FromJson(text, options, name);
  if (!compiled.ok()) {
    return Status(compiled.status().code(), where + ": " + compiled.status().message());
  }
  return std::make_unique<CompiledPolicy>(std::move(compiled).value());
}

Result<std::unique_ptr<std::string>> StringField(const json& request, const char* field,
                                                 bool required) {
  if (!request.contains(field)) {
    if (required) {
      return Status(ErrorCode::kMissingParameter,
                    std::string("the request needs \"") + field + "\"");
    }
    return std::make_unique<std::string>();
  }
  if (!request[field].is_string()) {
    return Invalid(std::string("\"") + field + "\" must be a string");
  }
  return std::make_unique<std::string>(request[field].get<std::string>());
}

std::string ScalarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

Result<std::unique_ptr<ContextKeys>> ParseContext(const json& request) {
  auto context = std::make_unique<ContextKeys>();
  if (!request.contains("context")) return context;
  const json& c = request["context"];
  if (!c.is_object()) return Invalid("\"context\" must be an object");
  for (const auto& [key, value] : c.items()) {
    if (value.is_array()) {
      std::vector<std::string> values;
      for (const auto& v : value) {
        if (v.is_object() || v.is_array() || v.is_null()) {
          return Invalid("context key \"" + key + "\": list items must be scalars");
        }
        values.push_back(ScalarText(v));
      }
      context->SetList(key, std::move(values));
    } else if (value.is_object() || value.is_null()) {
      return Invalid("context key \"" + key + "\" must be a string, number, bool or list");
    } else {
      context->Set(key, ScalarText(value));
    }
  }
  return context;
}

}  // namespace

bool IsTrustPolicyAction(std::string_view action) {
  for (std::string_view a :
       {"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"}) {
    if (core::AsciiIEquals(a, action)) return true;
  }
  return false;
}

Result<Simulation> Simulation::Parse(std::string_view text) {
  json request = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return Invalid("the request is not a JSON object");
  }
  for (const auto& [key, value] : request.items()) {
    if (std::find(std::begin(kKnownFields), std::end(kKnownFields), key) ==
        std::end(kKnownFields)) {
      std::string known;
      for (const char* f : kKnownFields) known += (known.empty() ? "" : ", ") + std::string(f);
      return Invalid("unknown request field \"" + key + "\" (known: " + known + ")");
    }
  }
  Simulation sim;
  CPA_ASSIGN_OR_RETURN(sim.principal_, StringField(request, "principal", true));
  CPA_ASSIGN_OR_RETURN(sim.action_, StringField(request, "action", true));
  CPA_ASSIGN_OR_RETURN(sim.resource_, StringField(request, "resource", true));
  CPA_ASSIGN_OR_RETURN(sim.principal_account_, StringField(request, "principalAccount", false));
  CPA_ASSIGN_OR_RETURN(sim.resource_account_, StringField(request, "resourceAccount", false));
  CPA_ASSIGN_OR_RETURN(sim.role_arn_, StringField(request, "roleArn", false));
  CPA_ASSIGN_OR_RETURN(sim.user_id_, StringField(request, "userId", false));
  CPA_ASSIGN_OR_RETURN(sim.context_, ParseContext(request));

  auto add = [&](const json& entry, PolicyKind kind, const std::string& where,
                 auto&& attach) -> Status {
    CPA_ASSIGN_OR_RETURN(auto compiled, CompileEntry(entry, kind, where));
    attach(compiled.get());
    sim.owned_.push_back(std::move(compiled));
    return Status::Ok();
  };
  if (request.contains("identityPolicies")) {
    const json& list = request["identityPolicies"];
    if (!list.is_array()) return Invalid("\"identityPolicies\" must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
      CPA_RETURN_IF_ERROR(
          add(list[i], PolicyKind::kIdentity, "identityPolicies[" + std::to_string(i) + "]",
              [&](const CompiledPolicy* p) { sim.policies_.identity.push_back(p); }));
    }
  }
  if (request.contains("resourcePolicy") && !request["resourcePolicy"].is_null()) {
    const bool trust = IsTrustPolicyAction(*sim.action_);
    CPA_RETURN_IF_ERROR(add(request["resourcePolicy"],
                            trust ? PolicyKind::kTrust : PolicyKind::kResource,
                            trust ? "trust policy" : "resource policy",
                            [&](const CompiledPolicy* p) { sim.policies_.resource = p; }));
  }
  if (request.contains("permissionsBoundary") && !request["permissionsBoundary"].is_null()) {
    CPA_RETURN_IF_ERROR(
        add(request["permissionsBoundary"], PolicyKind::kIdentity, "permissions boundary",
            [&](const CompiledPolicy* p) { sim.policies_.permissions_boundary = p; }));
  }
  if (request.contains("sessionPolicy") && !request["sessionPolicy"].is_null()) {
    CPA_RETURN_IF_ERROR(add(request["sessionPolicy"], PolicyKind::kIdentity, "session policy",
                            [&](const CompiledPolicy* p) { sim.policies_.session.push_back(p); }));
  }

  sim.request_.principal_arn = *sim.principal_;
  sim.request_.action = *sim.action_;
  sim.request_.resource = *sim.resource_;
  sim.request_.principal_account = *sim.principal_account_;
  sim.request_.resource_account = *sim.resource_account_;
  sim.request_.role_arn = *sim.role_arn_;
  sim.request_.user_id = *sim.user_id_;
  sim.request_.context = sim.context_.get();
  return sim;
}

}  // namespace cpa::policy
