// `cpa doctor`: checks the chain of a shared config file (or of the `aws-secret` manifest that
// carries it) link by link, as the curated packages controller would walk it, and says for each
// broken link what is wrong and how to fix it:
//
//   file        the file parses; the secret's name, namespace, keys and base64; the profile chain
//               ([default] role_arn + source_profile -> static keys) is complete
//   region      the region to check agrees with the config's and with EKSA_AWS_REGION
//   key         the static key authenticates (GetCallerIdentity)
//   assume-role the user assumes the role; on AccessDenied, SimulatePrincipalPolicy tells whether
//               the user's identity policy or the role's trust policy lacks the grant
//   ecr-token   the role gets an ECR authorization token
//   registry    the region's packages registry answers /v2/ and serves the latest bundle
//
// A link after a broken one is skipped (it depends on it). Exit code 0 only when all hold.
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "awsapi/credentials_provider.h"
#include "awsapi/curl_transport.h"
#include "awsapi/ecr.h"
#include "awsapi/iam.h"
#include "awsapi/profile_credentials.h"
#include "awsapi/sts.h"
#include "cli/bundle_fetch.h"
#include "cli/commands.h"
#include "cli/doctor.h"
#include "core/arn.h"
#include "core/encoding.h"
#include "core/status.h"
#include "profile/files.h"
#include "share/config.h"
#include "share/registries.h"

namespace cpa::cli {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::ordered_json;

struct Link {
  std::string name;
  std::string status;  // ok | fail | skipped
  std::string detail;
  std::string cause;
  std::string fix;
};

class Report {
 public:
  void Ok(std::string name, std::string detail) {
    links_.push_back({std::move(name), "ok", std::move(detail), "", ""});
  }
  void Fail(std::string name, std::string cause, std::string fix) {
    links_.push_back({std::move(name), "fail", "", OneLine(std::move(cause)), std::move(fix)});
  }
  void Skip(std::string name, const std::string& after) {
    links_.push_back({std::move(name), "skipped", "needs " + after, "", ""});
  }
  bool ok() const {
    for (const Link& l : links_) {
      if (l.status != "ok") return false;
    }
    return true;
  }

  int Print(bool json) const {
    if (json) {
      ordered_json links = ordered_json::array();
      for (const Link& l : links_) {
        ordered_json j = {{"Link", l.name}, {"Status", l.status}};
        if (!l.detail.empty()) j["Detail"] = l.detail;
        if (!l.cause.empty()) j["Cause"] = l.cause;
        if (!l.fix.empty()) j["Fix"] = l.fix;
        links.push_back(j);
      }
      std::cout << ordered_json{{"Ok", ok()}, {"Links", links}}.dump(2) << "\n";
    } else {
      for (const Link& l : links_) {
        std::cout << (l.status == "ok"     ? "ok   "
                      : l.status == "fail" ? "FAIL "
                                           : "skip ")
                  << l.name << ": ";
        if (l.status == "fail") {
          std::cout << l.cause << "\n       fix: " << l.fix << "\n";
        } else {
          std::cout << l.detail << "\n";
        }
      }
      std::cout << (ok() ? "All links hold.\n" : "The chain is broken.\n");
    }
    return ok() ? 0 : 1;
  }

 private:
  static std::string OneLine(std::string s) {
    for (char& c : s) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return s;
  }
  std::vector<Link> links_;
};

// The config text inside an `aws-secret` manifest, after checking its shape.
Result<std::string> ConfigFromSecret(const std::string& text, const std::string& path,
                                     std::string* secret_region) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status(ErrorCode::kInvalidArgument, path + " is not valid YAML: " + e.what());
  }
  auto str = [](const YAML::Node& n) {
    return n && n.IsScalar() ? n.as<std::string>() : std::string();
  };
  if (!doc.IsMap() || str(doc["kind"]) != "Secret" || str(doc["apiVersion"]) != "v1") {
    return Status(ErrorCode::kInvalidArgument, path + " is not a v1 Secret");
  }
  if (str(doc["metadata"]["name"]) != "aws-secret") {
    return Status(ErrorCode::kInvalidArgument, path + ": the Secret is named '" +
                                                   str(doc["metadata"]["name"]) +
                                                   "'; the packages controller reads 'aws-secret'");
  }
  if (str(doc["metadata"]["namespace"]) != "eksa-packages") {
    return Status(ErrorCode::kInvalidArgument,
                  path + ": the Secret is in namespace '" + str(doc["metadata"]["namespace"]) +
                      "'; the packages controller reads 'eksa-packages'");
  }
  const YAML::Node data = doc["data"];
  if (!data || !data.IsMap()) {
    return Status(ErrorCode::kInvalidArgument, path + ": the Secret has no data");
  }
  std::string config;
  for (const char* key : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "REGION", "config"}) {
    if (!data[key]) {
      return Status(ErrorCode::kInvalidArgument,
                    path + ": data has no key " + std::string(key) + " (the spec's four keys: " +
                        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, REGION, config)");
    }
    auto decoded = core::Base64Decode(str(data[key]));
    if (!decoded.ok()) {
      return Status(ErrorCode::kInvalidArgument,
                    path + ": data." + key + " is not valid base64 (Secret data is base64)");
    }
    if (std::string(key) == "config") config = *decoded;
    if (std::string(key) == "REGION") *secret_region = *decoded;
  }
  if (config.empty()) {
    return Status(ErrorCode::kInvalidArgument, path + ": data.config is empty");
  }
  return config;
}

awsapi::ClientConfig Client(const DoctorArgs& args, const std::string& region,
                            const std::string& akid, const std::string& secret,
                            const std::string& token = "") {
  awsapi::ClientConfig config;
  config.region = region;
  config.endpoints.LoadEnvironment(awsapi::ProcessEnvironment());
  config.endpoints.explicit_url = args.endpoint_url;
  config.credentials = awsapi::MakeStaticCredentials(akid, secret, token);
  config.user_agent = "cpa-doctor";
  return config;
}

// Whether the user's identity policy allows sts:AssumeRole on the role: true/false, or nullopt
// with the reason in `why` when it cannot be told.
std::optional<bool> IdentityAllowsAssume(const DoctorArgs& args, const std::string& region,
                                         const share::ShareConfig& config,
                                         const std::string& user_arn, std::string* why) {
  std::vector<std::pair<std::string, awsapi::ClientConfig>> callers;
  callers.emplace_back("the user",
                       Client(args, region, config.access_key_id, config.secret_access_key));
  if (!args.diagnose_profile.empty()) {
    auto env = profile::ProcessEnvironment();
    auto shared = awsapi::LoadSharedConfig(env, nullptr, profile::PasswdHomeDirectory());
    if (shared.ok()) {
      awsapi::ProfileProviderOptions options;
      options.profile = args.diagnose_profile;
      options.region = region;
      auto provider = awsapi::ProfileCredentialsProvider::Create(*shared, env, options);
      if (provider.ok()) {
        awsapi::ClientConfig c = Client(args, region, "", "");
        c.credentials = *provider;
        callers.emplace_back("profile " + args.diagnose_profile, c);
      } else {
        *why = "--diagnose-profile: " + provider.status().message();
      }
    }
  }
  std::string denied;
  for (const auto& [who, client_config] : callers) {
    auto iam = awsapi::IamClient::Create(client_config);
    if (!iam.ok()) continue;
    awsapi::SimulatePrincipalPolicyRequest request;
    request.policy_source_arn = user_arn;
    request.action_names = {"sts:AssumeRole"};
    request.resource_arns = {config.role_arn};
    // The role's trust policy is passed as one that trusts the user, in the role's account: a
    // cross-account request needs both grants, so the decision is the identity policy's alone.
    request.resource_policy = ordered_json{{"Version", "2012-10-17"},
                                           {"Statement",
                                            {{{"Effect", "Allow"},
                                              {"Principal", {{"AWS", user_arn}}},
                                              {"Action", "sts:AssumeRole"},
                                              {"Resource", config.role_arn}}}}}
                                  .dump();
    if (auto arn = core::Arn::Parse(config.role_arn); arn.ok())
      request.resource_owner = arn->account;
    auto sim = iam->SimulatePrincipalPolicy(request);
    if (!sim.ok()) {
      if (!denied.empty()) denied += "; ";
      denied += who + " may not call iam:SimulatePrincipalPolicy";
      continue;
    }
    if (sim->evaluation_results.empty()) continue;
    return sim->evaluation_results[0].eval_decision == "allowed";
  }
  if (why->empty()) {
    *why = denied + (args.diagnose_profile.empty()
                         ? " (pass --diagnose-profile with a profile of the user's account that "
                           "may, to find out)"
                         : "");
  }
  return std::nullopt;
}

}  // namespace

int RunDoctor(const DoctorArgs& args) {
  Report report;
  const bool json = args.output == "json";
  const char* kAfterFile = "a valid file";

  // ---- file ----
  const std::string path = args.config.empty() ? args.secret : args.config;
  std::string secret_region;
  Result<share::ShareConfig> config = Status(ErrorCode::kInvalidArgument, "");
  {
    auto text = profile::ReadTextFile(path);
    Result<std::string> config_text = text.ok() ? Result<std::string>(*text) : text.status();
    if (config_text.ok() && !args.secret.empty()) {
      config_text = ConfigFromSecret(*config_text, path, &secret_region);
    }
    if (config_text.ok()) {
      config = share::ParseShareConfig(*config_text, args.secret.empty() ? path : path + " config");
    } else {
      config = config_text.status();
    }
  }
  if (!config.ok()) {
    report.Fail("file", config.status().message(),
                args.secret.empty()
                    ? "write the file in the spec's shape (step 6), e.g. with `cpa share`"
                    : "write the manifest as the spec's step 7 shows, e.g. with `cpa secret` or "
                      "`cpa share`");
    for (const char* n : {"region", "key", "assume-role", "ecr-token", "registry"}) {
      report.Skip(n, kAfterFile);
    }
    return report.Print(json);
  }
  report.Ok("file", path + ": [default] assumes " + config->role_arn +
                        " with the keys of [profile " + config->source_profile + "]");

  // ---- region ----
  std::string region = args.region.empty() ? config->region : args.region;
  const char* env_region = std::getenv("EKSA_AWS_REGION");
  std::string region_problem;
  if (region.empty()) {
    region_problem = "the config names no region and no --region was given";
  } else if (!config->region.empty() && config->region != region) {
    region_problem =
        "the config's region is " + config->region + " but " + region + " was asked for (--region)";
  } else if (env_region != nullptr && *env_region != '\0' && region != env_region) {
    region_problem = "the config's region is " + region + " but EKSA_AWS_REGION is " + env_region;
  } else if (!secret_region.empty() && secret_region != region) {
    region_problem = "the Secret's REGION is " + secret_region + " but the config's is " + region;
  }
  if (!region_problem.empty()) {
    report.Fail("region", region_problem,
                "use the region that hosts the subscription everywhere: region= in the config, "
                "EKSA_AWS_REGION and the Secret's REGION");
    for (const char* n : {"key", "assume-role", "ecr-token", "registry"}) {
      report.Skip(n, "one region");
    }
    return report.Print(json);
  }
  report.Ok("region", region);

  // ---- key ----
  auto sts = awsapi::StsClient::Create(
      Client(args, region, config->access_key_id, config->secret_access_key));
  if (!sts.ok()) {
    report.Fail("key", sts.status().message(), "check --region and --endpoint-url");
    return report.Print(json);
  }
  auto who = sts->GetCallerIdentity();
  if (!who.ok()) {
    std::string cause = who.status().message();
    std::string fix =
        "create a new key for the user and rewrite the files: `cpa share` (or "
        "`cpa share rotate-key`)";
    if (who.status().code() == ErrorCode::kSignatureDoesNotMatch) {
      cause = "the secret access key is wrong for " + config->access_key_id + " (" + cause + ")";
      fix = "put the key's secret access key in the file, or " + fix;
    } else if (who.status().code() == ErrorCode::kInvalidClientTokenId) {
      cause = "access key " + config->access_key_id + " does not exist (deleted?) (" + cause + ")";
    }
    report.Fail("key", cause, fix);
    for (const char* n : {"assume-role", "ecr-token", "registry"}) report.Skip(n, "a valid key");
    return report.Print(json);
  }
  report.Ok("key", config->access_key_id + " is " + who->arn);

  // ---- assume-role ----
  awsapi::AssumeRoleRequest assume;
  assume.role_arn = config->role_arn;
  assume.role_session_name = "cpa-doctor";
  auto role = sts->AssumeRole(assume);
  if (!role.ok()) {
    std::string cause = role.status().message();
    std::string fix;
    if (role.status().code() == ErrorCode::kAccessDenied) {
      std::string why;
      auto allowed = IdentityAllowsAssume(args, region, *config, who->arn, &why);
      if (allowed && !*allowed) {
        cause = "the user's identity policy does not allow sts:AssumeRole on " + config->role_arn +
                " (" + cause + ")";
        fix = "attach the assume-role policy (spec step 4) to " + who->arn + ": `cpa share`";
      } else if (allowed && *allowed) {
        cause = "the user's identity policy allows it, so the trust policy of " + config->role_arn +
                " does not trust " + who->arn + " (or the role is missing) (" + cause + ")";
        fix =
            "in the role's account, trust the user's account in the role's trust policy (spec "
            "step 3): `cpa share`";
      } else {
        cause =
            "either the user's identity policy or the role's trust policy lacks the grant; "
            "cannot tell which: " +
            why + " (" + cause + ")";
        fix =
            "check the assume-role policy attached to the user (spec step 4) and the trust "
            "policy of " +
            config->role_arn + " (step 3); `cpa share` repairs both";
      }
    } else {
      fix = "check that " + config->role_arn + " exists";
    }
    report.Fail("assume-role", cause, fix);
    for (const char* n : {"ecr-token", "registry"}) report.Skip(n, "the role");
    return report.Print(json);
  }
  report.Ok("assume-role", role->assumed_role_user.arn);

  // ---- ecr-token ----
  auto ecr = awsapi::EcrClient::Create(Client(args, region, role->credentials.access_key_id,
                                              role->credentials.secret_access_key,
                                              role->credentials.session_token));
  Result<std::string> basic = Status(ErrorCode::kInternal, "no ECR client");
  if (ecr.ok()) {
    auto token = ecr->GetAuthorizationToken({});
    if (!token.ok()) {
      basic = token.status();
    } else if (token->authorization_data.empty()) {
      basic = Status(ErrorCode::kInternal, "GetAuthorizationToken returned no authorizationData");
    } else {
      basic = token->authorization_data[0].authorization_token;
    }
  } else {
    basic = ecr.status();
  }
  if (!basic.ok()) {
    report.Fail("ecr-token", basic.status().message(),
                "attach the ECR read policy (spec step 2, with ecr:GetAuthorizationToken) to the "
                "role: `cpa share`");
    report.Skip("registry", "an ECR token");
    return report.Print(json);
  }
  report.Ok("ecr-token", "as " + role->assumed_role_user.arn);

  // ---- registry ----
  RegistryTarget target;
  target.address = args.registry_address;
  target.basic = *basic;
  if (!args.registry_endpoint.empty()) {
    auto host = share::ParseRegistryHost(args.registry_endpoint);
    if (!host.ok()) {
      report.Fail("registry", host.status().message(), "give --registry-endpoint as a host");
      return report.Print(json);
    }
    target.host = host->host;
  } else {
    auto row = share::RegistryForRegion(region);
    if (!row.ok()) {
      report.Fail("registry", row.status().message(), "use a region with a packages registry");
      return report.Print(json);
    }
    target.host = row->host;
  }
  awsapi::CurlTransport http;
  auto ping = RegistryGet(http, target, "/v2/");
  Result<BundleSummary> bundle =
      ping.ok() ? FetchLatestBundle(http, target) : Result<BundleSummary>(ping.status());
  if (!bundle.ok()) {
    std::string fix =
        bundle.status().code() == ErrorCode::kAccessDenied
            ? "the role's account needs an active EKS Anywhere subscription in " + region +
                  " (the packages registry grants pull to subscribers) and the ECR read policy "
                  "on the packages account's repositories (spec step 2)"
            : "check the registry host (--registry-endpoint) and address (--registry-address)";
    std::string cause = bundle.status().message();
    if (cause.find("no resource-based policy allows") != std::string::npos) {
      std::string account = "the role's account";
      if (auto arn = core::Arn::Parse(config->role_arn); arn.ok()) account = arn->account;
      cause = "the packages registry grants " + account +
              " no pull access: it has no active EKS Anywhere subscription in " + region + " (" +
              cause + ")";
      fix = "create (or renew) the EKS Anywhere subscription of " + account + " in " + region +
            ", the account whose role the config assumes";
    }
    report.Fail("registry", cause, fix);
    return report.Print(json);
  }
  report.Ok("registry", target.host + ": bundle " + bundle->tag + " (" +
                            std::to_string(bundle->packages.size()) + " packages)");
  return report.Print(json);
}

void RegisterDoctorCommand(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<DoctorArgs>();
  CLI::App* cmd = app.add_subcommand(
      "doctor",
      "Check a shared config file (or its aws-secret manifest) link by link: the file, the "
      "region, the key, the role, the ECR token and the packages registry; says the cause and "
      "the fix of a broken link. Exit 0 only when every link holds");
  auto* config = cmd->add_option("--config", args->config, "The AWS config file (spec step 6)");
  auto* secret = cmd->add_option("--secret", args->secret, "The aws-secret manifest (spec step 7)");
  config->excludes(secret);
  cmd->add_option("--region", args->region, "Region to check (default: the config's)");
  cmd->add_option("--output", args->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--endpoint-url", args->endpoint_url,
                  "Endpoint for STS, IAM and ECR, e.g. a local `cpa serve`");
  cmd->add_option("--registry-endpoint", args->registry_endpoint,
                  "Packages registry host (default: the region table's), e.g. "
                  "346438352937.dkr.ecr.us-west-2.localhost for `cpa serve`");
  cmd->add_option("--registry-address", args->registry_address,
                  "Connect to this HOST:PORT over http with the registry host in the Host header "
                  "(a local `cpa serve`, whose registry hosts need no DNS)");
  cmd->add_option("--diagnose-profile", args->diagnose_profile,
                  "Profile allowed to call iam:SimulatePrincipalPolicy on the user, to tell a "
                  "missing identity grant from a missing trust grant");
  cmd->callback([&registry, args] {
    registry.SetAction([args] {
      if (args->config.empty() && args->secret.empty()) {
        std::cerr << "cpa doctor: one of --config or --secret is required\n";
        return 2;
      }
      return RunDoctor(*args);
    });
  });
}

}  // namespace cpa::cli
