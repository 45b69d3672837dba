// `cpa share` and `cpa share rotate-key`: the spec's sharing procedure (steps 1-7) as one
// idempotent command, and key rotation without a moment of broken access. The procedure lives in
// share/ (share.h, rotate.h); this file resolves the two profiles the way the AWS SDKs do
// (awsapi/profile_credentials.h), prints each step as it happens (text) or one JSON document, and
// tells how to use the files.
//
// Errors: one line on stderr (text) or {"error": ...} (JSON), exit code 1. Secrets are never
// printed: dry runs show the config file with its secret masked.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "awsapi/profile_credentials.h"
#include "cli/commands.h"
#include "core/status.h"
#include "profile/files.h"
#include "share/aws_backend.h"
#include "share/config.h"
#include "share/local_files.h"
#include "share/rotate.h"
#include "share/share.h"

namespace cpa::cli {
namespace {

using core::ErrorCode;
using core::Result;
using core::Status;
using nlohmann::ordered_json;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

struct CommonArgs {
  std::string source_profile;
  std::string target_profile;
  std::string region;
  std::string endpoint_url;
  std::string out;
  std::string user_name = "curated-packages-user";
  std::string output = "text";
  int verify_attempts = 6;  // hidden: IAM propagation retries after changes
};

struct ShareArgs {
  CommonArgs common;
  std::string subscription_id;
  share::Names names;
  bool dry_run = false;
  bool new_key = false;
  bool no_verify = false;
};

struct RotateArgs {
  CommonArgs common;
  std::string fail_after;  // hidden test hook
};

// ---- output ----

class Printer {
 public:
  Printer(std::string command, bool as_json) : command_(std::move(command)), json_(as_json) {}

  bool json() const { return json_; }

  void Report(const share::Event& e) {
    if (json_) {
      ordered_json docs = ordered_json::array();
      for (const auto& [title, text] : e.documents) {
        docs.push_back({{"Title", title}, {"Text", text}});
      }
      ordered_json step = {{"Step", e.step},
                           {"Subject", e.subject},
                           {"Status", e.status},
                           {"Detail", e.detail},
                           {"Changed", e.change}};
      if (!docs.empty()) step["Documents"] = docs;
      steps_.push_back(step);
      return;
    }
    std::cout << "[" << e.step << "] " << e.subject << ": " << e.status;
    if (!e.detail.empty()) std::cout << " (" << e.detail << ")";
    std::cout << "\n";
    for (const auto& [title, text] : e.documents) {
      std::cout << "      --- " << title << " ---\n";
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::cout << "      " << text.substr(start, end - start) << "\n";
        start = end + 1;
      }
    }
    std::cout.flush();
  }

  int Fail(const Status& status) {
    std::string message = status.message();
    for (char& c : message) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    if (json_) {
      ordered_json out = {
          {"error",
           {{"code", std::string(core::ErrorCodeName(status.code()))}, {"message", message}}},
          {"Steps", steps_}};
      std::cout << out.dump(2) << "\n";
    } else {
      std::cerr << "cpa " << command_ << ": " << message << "\n";
    }
    return kExitError;
  }

  ordered_json& steps() { return steps_; }

 private:
  std::string command_;
  bool json_;
  ordered_json steps_ = ordered_json::array();
};

std::string Absolute(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

// ---- AWS wiring ----

struct Wiring {
  profile::Environment env;
  awsapi::SharedConfig shared;
};

Result<awsapi::ClientConfig> ProfileClientConfig(const Wiring& w, const CommonArgs& args,
                                                 const std::string& profile_name,
                                                 const std::string& region) {
  awsapi::ProfileProviderOptions options;
  options.profile = profile_name;
  options.region = region;
  auto provider = awsapi::ProfileCredentialsProvider::Create(w.shared, w.env, options);
  if (!provider.ok()) return provider.status();
  awsapi::ClientConfig config;
  config.region = region;
  config.endpoints = awsapi::EndpointOverridesFor(w.shared.files, w.env, profile_name);
  config.endpoints.explicit_url = args.endpoint_url;
  config.credentials = *provider;
  config.user_agent = "cpa-cli";
  return config;
}

// The shared key's calls see what a cluster using the config file sees: no profile endpoint
// settings, only the environment's (and --endpoint-url).
awsapi::ClientConfig ProbeConfig(const CommonArgs& args, const std::string& region) {
  awsapi::ClientConfig config;
  config.region = region;
  config.endpoints.LoadEnvironment(awsapi::ProcessEnvironment());
  config.endpoints.explicit_url = args.endpoint_url;
  config.user_agent = "cpa-cli";
  return config;
}

Result<std::unique_ptr<share::AccountApi>> OpenAccount(const Wiring& w, const CommonArgs& args,
                                                       const std::string& flag,
                                                       const std::string& profile_name,
                                                       const std::string& region) {
  auto config = ProfileClientConfig(w, args, profile_name, region);
  if (!config.ok()) {
    return Status(config.status().code(),
                  flag + " " + profile_name + ": " + config.status().message());
  }
  return share::MakeAwsAccountApi(*config);
}

Result<Wiring> LoadWiring() {
  Wiring w;
  w.env = profile::ProcessEnvironment();
  CPA_ASSIGN_OR_RETURN(w.shared,
                       awsapi::LoadSharedConfig(w.env, nullptr, profile::PasswdHomeDirectory()));
  return w;
}

share::RetryPolicy Retry(int attempts) {
  share::RetryPolicy retry;
  retry.attempts = std::max(1, attempts);
  retry.delay = std::chrono::milliseconds(2000);
  retry.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  return retry;
}

ordered_json VerifiedJson(const std::optional<share::VerifyResult>& v) {
  if (!v) return nullptr;
  return {{"UserArn", v->user_arn},
          {"AssumedRoleArn", v->assumed_role_arn},
          {"EcrChecked", v->ecr_checked},
          {"EcrEndpoint", v->ecr_endpoint},
          {"EcrNote", v->ecr_note}};
}

// ---- share ----

int RunShare(const ShareArgs& args) {
  Printer out("share", args.common.output == "json");
  const CommonArgs& c = args.common;
  for (const auto& [flag, value] :
       {std::pair<std::string, std::string>{"--source-profile", c.source_profile},
        {"--target-profile", c.target_profile},
        {"--region", c.region},
        {"--out", c.out}}) {
    if (value.empty()) return out.Fail(Status(ErrorCode::kMissingParameter, flag + " is required"));
  }
  auto wiring = LoadWiring();
  if (!wiring.ok()) return out.Fail(wiring.status());
  auto source = OpenAccount(*wiring, c, "--source-profile", c.source_profile, c.region);
  if (!source.ok()) return out.Fail(source.status());
  auto target = OpenAccount(*wiring, c, "--target-profile", c.target_profile, c.region);
  if (!target.ok()) return out.Fail(target.status());
  auto probe = share::MakeAwsChainProbe(ProbeConfig(c, c.region));
  share::LocalFiles files;

  share::ShareOptions options;
  options.region = c.region;
  options.subscription_id = args.subscription_id;
  options.names = args.names;
  options.names.user_name = c.user_name;
  options.out_dir = c.out;
  options.dry_run = args.dry_run;
  options.new_key = args.new_key;
  options.verify = !args.no_verify;
  options.retry = Retry(c.verify_attempts);

  if (!out.json()) {
    std::cout << (args.dry_run ? "Dry run: nothing is written.\n" : "");
  }
  auto result = share::RunShare(options, **source, **target, *probe, files,
                                [&](const share::Event& e) { out.Report(e); });
  if (!result.ok()) return out.Fail(result.status());
  const share::ShareOutcome& r = *result;
  const std::string config = Absolute(r.desired.config_path);
  const std::string secret = Absolute(r.desired.secret_path);
  const std::string new_clusters = "EKSA_AWS_CONFIG_FILE=" + config +
                                   " EKSA_AWS_REGION=" + c.region +
                                   " eksctl anywhere create cluster -f <cluster.yaml>";
  const std::string existing_clusters = "kubectl apply -f " + secret;

  if (out.json()) {
    ordered_json doc = {
        {"DryRun", args.dry_run},
        {"SourceAccount", r.source.account},
        {"TargetAccount", r.target.account},
        {"Region", c.region},
        {"PackagesAccount",
         {{"AccountId", r.packages.account_id},
          {"RegistryHost", r.packages.host},
          {"Source",
           r.packages.source == share::AccountSource::kSubscription ? "subscription" : "table"},
          {"Explanation", r.packages.explanation},
          {"Reason", r.packages.reason}}},
        {"PolicyArn", r.desired.policy_arn},
        {"RoleArn", r.desired.role_arn},
        {"AssumeRolePolicyArn", r.desired.assume_policy_arn},
        {"UserArn", r.user_arn},
        {"AccessKeyId", r.access_key_id},
        {"ConfigFile", config},
        {"SecretFile", secret},
        {"Changes", r.changes},
        {"Steps", out.steps()},
        {"Notes", r.plan.notes},
        {"Verified", VerifiedJson(r.verified)},
        {"Usage", {{"NewClusters", new_clusters}, {"ExistingClusters", existing_clusters}}},
    };
    std::cout << doc.dump(2) << "\n";
    return kExitOk;
  }
  if (args.dry_run) {
    std::cout << "Dry run: " << r.changes << " change(s) planned; nothing was written.\n";
    return kExitOk;
  }
  if (r.changes == 0) {
    std::cout << "No changes: everything was already in place.\n";
  } else {
    std::cout << "Done: " << r.changes << " change(s).\n";
  }
  std::cout << "Use it in the clusters of account " << r.target.account << ":\n"
            << "  new clusters:      " << new_clusters << "\n"
            << "  existing clusters: " << existing_clusters << "\n";
  return kExitOk;
}

// ---- rotate-key ----

int RunRotate(const RotateArgs& args) {
  Printer out("share rotate-key", args.common.output == "json");
  const CommonArgs& c = args.common;
  if (c.target_profile.empty()) {
    return out.Fail(Status(ErrorCode::kMissingParameter, "--target-profile is required"));
  }
  if (c.out.empty()) return out.Fail(Status(ErrorCode::kMissingParameter, "--out is required"));
  share::LocalFiles files;
  // The region: --region, else the config file's (read again, and checked, by RotateKey).
  std::string region = c.region;
  if (region.empty()) {
    auto existing = files.Read(share::JoinPath(c.out, "config"));
    if (existing.ok() && *existing) {
      if (auto parsed = share::ParseShareConfig((*existing)->data, "config"); parsed.ok()) {
        region = parsed->region;
      }
    }
  }
  if (region.empty()) {
    return out.Fail(
        Status(ErrorCode::kMissingParameter,
               "--region is required (" + share::JoinPath(c.out, "config") + " names none)"));
  }
  auto wiring = LoadWiring();
  if (!wiring.ok()) return out.Fail(wiring.status());
  auto target = OpenAccount(*wiring, c, "--target-profile", c.target_profile, region);
  if (!target.ok()) return out.Fail(target.status());
  std::unique_ptr<share::AccountApi> source;
  if (!c.source_profile.empty()) {
    auto opened = OpenAccount(*wiring, c, "--source-profile", c.source_profile, region);
    if (!opened.ok()) return out.Fail(opened.status());
    source = std::move(*opened);
  }
  auto probe = share::MakeAwsChainProbe(ProbeConfig(c, region));

  share::RotateOptions options;
  options.out_dir = c.out;
  options.user_name = c.user_name;
  options.region = c.region;
  options.retry = Retry(c.verify_attempts);
  options.fail_after = args.fail_after;
  auto result = share::RotateKey(options, **target, source.get(), *probe, files,
                                 [&](const share::Event& e) { out.Report(e); });
  if (!result.ok()) return out.Fail(result.status());
  const share::RotateOutcome& r = *result;
  if (out.json()) {
    ordered_json doc = {{"UserArn", r.user_arn},
                        {"OldAccessKeyId", r.old_key_id},
                        {"NewAccessKeyId", r.new_key_id},
                        {"RoleArn", r.role_arn},
                        {"ConfigFile", Absolute(share::JoinPath(c.out, "config"))},
                        {"SecretFile", Absolute(share::JoinPath(c.out, "aws-secret.yaml"))},
                        {"Steps", out.steps()},
                        {"Verified", VerifiedJson(r.verified)}};
    std::cout << doc.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "Rotated: " << (r.old_key_id.empty() ? "(no old key)" : r.old_key_id) << " -> "
            << r.new_key_id << ".\n"
            << "Existing clusters still hold the old key: apply the new secret with\n"
            << "  kubectl apply -f " << Absolute(share::JoinPath(c.out, "aws-secret.yaml")) << "\n";
  return kExitOk;
}

void AddCommonOptions(CLI::App* cmd, CommonArgs* args, bool source_required) {
  cmd->add_option("--source-profile", args->source_profile,
                  source_required
                      ? "Profile of the account that holds the subscription (e.g. 111111111111)"
                      : "Profile of the subscription account (optional: checks the config's "
                        "role is in it)");
  cmd->add_option("--target-profile", args->target_profile,
                  "Profile of the account receiving access (e.g. 999999999999)");
  cmd->add_option("--region", args->region, "The AWS Region that hosts the subscription");
  cmd->add_option("--out", args->out,
                  "Directory for `config` and `aws-secret.yaml` (created with mode 0700)");
  cmd->add_option("--user-name", args->user_name,
                  "IAM user in the target account (also the config's source profile name)")
      ->capture_default_str();
  cmd->add_option("--endpoint-url", args->endpoint_url,
                  "Endpoint for every call (IAM, STS, EKS, ECR), e.g. a local `cpa serve`; "
                  "AWS_ENDPOINT_URL works too");
  cmd->add_option("--output", args->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--verify-attempts", args->verify_attempts)->group("");  // hidden
}

}  // namespace

void RegisterShareCommand(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<ShareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "share",
      "Share EKS Anywhere curated packages with another account (spec steps 1-7): the ECR read "
      "policy and the role in the source account, the assume-role policy, user and access key in "
      "the target account, then DIR/config and DIR/aws-secret.yaml. Idempotent: a second run "
      "changes nothing, drift is repaired and reported");
  cmd->require_subcommand(0, 1);
  AddCommonOptions(cmd, &args->common, true);
  cmd->add_option("--subscription-id", args->subscription_id,
                  "EKS Anywhere subscription whose packageRegistry names the packages account "
                  "(default: the account's active subscription; else the region table)");
  cmd->add_option("--policy-name", args->names.policy_name, "ECR read policy (source account)")
      ->capture_default_str();
  cmd->add_option("--role-name", args->names.role_name, "Role (source account)")
      ->capture_default_str();
  cmd->add_option("--assume-role-policy-name", args->names.assume_policy_name,
                  "Assume-role policy (target account)")
      ->capture_default_str();
  cmd->add_flag("--dry-run", args->dry_run,
                "Print the plan and every document; make no write call");
  cmd->add_flag("--new-key", args->new_key,
                "Create a new access key even if the user has one (IAM allows two per user)");
  cmd->add_flag("--no-verify", args->no_verify,
                "Skip the final check (GetCallerIdentity with the key, AssumeRole, ECR token)");

  auto rotate_args = std::make_shared<RotateArgs>();
  CLI::App* rotate = cmd->add_subcommand(
      "rotate-key",
      "Replace the access key in DIR/config: create a new key, prove it works through the whole "
      "chain, rewrite config and aws-secret.yaml atomically, then deactivate and delete the old "
      "key. On any failure the old key stays active and the files stay as they were");
  AddCommonOptions(rotate, &rotate_args->common, false);
  rotate->add_option("--fail-after", rotate_args->fail_after)->group("");  // hidden: tests only

  cmd->callback([args, rotate, &registry]() {
    if (rotate->parsed()) return;
    registry.SetAction([args] { return RunShare(*args); });
  });
  rotate->callback([rotate_args, &registry]() {
    registry.SetAction([rotate_args] { return RunRotate(*rotate_args); });
  });
}

}  // namespace cpa::cli
