// `cpa policy check` and `cpa policy simulate`: IAM policy validation and offline evaluation.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/status.h"
#include "policy/compiled.h"
#include "policy/document.h"
#include "policy/evaluator.h"
#include "policy/simulation.h"

namespace cpa::cli {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitDenied = 2;

Result<std::string> ReadInput(const std::string& path) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read '" + path + "'");
  ss << in.rdbuf();
  return ss.str();
}

Result<policy::PolicyKind> KindFromName(const std::string& name) {
  if (name == "identity") return policy::PolicyKind::kIdentity;
  if (name == "resource") return policy::PolicyKind::kResource;
  if (name == "trust") return policy::PolicyKind::kTrust;
  return Status(ErrorCode::kInvalidArgument, "unknown --kind '" + name + "'");
}

Result<policy::SizeQuota> QuotaFromName(const std::string& name, policy::PolicyKind kind) {
  if (name.empty()) {
    return kind == policy::PolicyKind::kTrust ? policy::SizeQuota::kTrustPolicy
                                              : policy::SizeQuota::kNone;
  }
  if (name == "managed") return policy::SizeQuota::kManagedPolicy;
  if (name == "user-inline") return policy::SizeQuota::kUserInline;
  if (name == "group-inline") return policy::SizeQuota::kGroupInline;
  if (name == "role-inline") return policy::SizeQuota::kRoleInline;
  if (name == "trust") return policy::SizeQuota::kTrustPolicy;
  if (name == "none") return policy::SizeQuota::kNone;
  return Status(ErrorCode::kInvalidArgument, "unknown --limit '" + name + "'");
}

// Prints a failure the way the CLI reports every bad input: the AWS-style code and message.
int Fail(const Status& status, bool as_json) {
  if (as_json) {
    json out = {{"error",
                 {{"code", std::string(core::ErrorCodeName(status.code()))},
                  {"message", status.message()}}}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cerr << status.ToString() << "\n";
  }
  return kExitBadInput;
}

struct CheckArgs {
  std::string file;
  std::string kind = "identity";
  std::string limit;
  std::string output = "text";
};

int RunCheck(const CheckArgs& args) {
  const bool as_json = args.output == "json";
  auto kind = KindFromName(args.kind);
  if (!kind.ok()) return Fail(kind.status(), as_json);
  auto quota = QuotaFromName(args.limit, *kind);
  if (!quota.ok()) return Fail(quota.status(), as_json);
  auto text = ReadInput(args.file);
  if (!text.ok()) return Fail(text.status(), as_json);
  policy::ParseOptions options;
  options.kind = *kind;
  options.quota = *quota;
  options.verbose = true;
  auto doc = policy::ParsePolicy(*text, options);
  if (doc.ok()) {
    // Compilation catches what parsing alone cannot (e.g. a malformed condition value).
    auto compiled = policy::CompiledPolicy::Compile(*doc, args.file);
    if (!compiled.ok()) return Fail(compiled.status(), as_json);
  } else {
    return Fail(doc.status(), as_json);
  }
  const size_t size = policy::PolicyQuotaSize(*text);
  const size_t quota_size = policy::DefaultQuotaSize(*quota);
  if (as_json) {
    json out = {{"valid", true},
                {"kind", std::string(policy::PolicyKindName(*kind))},
                {"statements", doc->statements.size()},
                {"size", size}};
    if (quota_size > 0) out["quota"] = quota_size;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "valid " << policy::PolicyKindName(*kind) << " policy: " << doc->statements.size()
              << " statement(s), " << size << " characters";
    if (quota_size > 0) std::cout << " of " << quota_size << " allowed";
    std::cout << "\n";
  }
  return kExitOk;
}

struct SimulateArgs {
  std::string request_file;
  std::string output = "text";
};

int RunSimulate(const SimulateArgs& args) {
  const bool as_json = args.output == "json";
  auto text = ReadInput(args.request_file);
  if (!text.ok()) return Fail(text.status(), as_json);
  auto simulation = policy::Simulation::Parse(*text);
  if (!simulation.ok()) return Fail(simulation.status(), as_json);
  policy::Decision decision = simulation->Run();
  if (as_json) {
    std::cout << decision.ToJson(2) << "\n";
  } else {
    std::string out = decision.ToText();
    if (!out.empty() && out.back() != '\n') out += '\n';
    std::cout << out;
  }
  return decision.allowed() ? kExitOk : kExitDenied;
}

}  // namespace

void RegisterPolicyCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* policy = app.add_subcommand("policy", "IAM policy validation and offline simulation");
  policy->require_subcommand(1);

  auto check_args = std::make_shared<CheckArgs>();
  CLI::App* check = policy->add_subcommand(
      "check",
      "Validate a policy document as IAM does (MalformedPolicyDocument, LimitExceeded).\n"
      "Exit 0 when valid; 1 when invalid, printing the AWS error code and message.");
  check->add_option("file", check_args->file, "policy document (JSON), or - for stdin")->required();
  check->add_option("--kind", check_args->kind, "identity, resource or trust")
      ->check(CLI::IsMember({"identity", "resource", "trust"}))
      ->capture_default_str();
  check
      ->add_option("--limit", check_args->limit,
                   "size quota: managed (6144), user-inline (2048), group-inline (5120), "
                   "role-inline (10240), trust (2048; default for --kind trust), none")
      ->check(CLI::IsMember(
          {"managed", "user-inline", "group-inline", "role-inline", "trust", "none"}));
  check->add_option("--output", check_args->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  check->callback([&registry, check_args] {
    registry.SetAction([check_args] { return RunCheck(*check_args); });
  });

  auto sim_args = std::make_shared<SimulateArgs>();
  CLI::App* simulate = policy->add_subcommand(
      "simulate",
      "Evaluate one request against identity, resource (or trust), boundary and session\n"
      "policies, as AWS does, and explain the decision.\n"
      "The request file is JSON: {\"principal\": ARN, \"action\": \"svc:Op\", \"resource\": ARN,\n"
      "  \"context\": {...}, \"identityPolicies\": [doc, ...], \"resourcePolicy\": doc,\n"
      "  \"permissionsBoundary\": doc, \"sessionPolicy\": doc}. Accounts come from the ARNs.\n"
      "A policy may also be given as {\"name\": ..., \"document\": doc} to name it in the trace.\n"
      "Exit 0 allowed; 2 denied (explicitly or implicitly); 1 bad input.");
  simulate->add_option("--request", sim_args->request_file, "request file (JSON), or - for stdin")
      ->required();
  simulate
      ->add_option("--output", sim_args->output,
                   "text, or json: {\"decision\": ..., \"trace\": [...]}")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  simulate->callback(
      [&registry, sim_args] { registry.SetAction([sim_args] { return RunSimulate(*sim_args); }); });
}

}  // namespace cpa::cli
