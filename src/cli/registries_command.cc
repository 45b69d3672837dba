// `cpa registries [REGION]`: the region -> EKS Anywhere curated packages registry account table
// (core/packages_registries.h), or one region's account and registry host.
// `cpa secret --config FILE`: the `aws-secret` manifest (spec step 7) for an existing AWS config
// file.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/status.h"
#include "profile/config_file.h"
#include "profile/files.h"
#include "share/config.h"
#include "share/registries.h"

namespace cpa::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

struct RegistriesArgs {
  std::string region;
  std::string output = "text";
};

int RunRegistries(const RegistriesArgs& args) {
  const bool as_json = args.output == "json";
  if (args.region.empty()) {
    std::cout << (as_json ? share::RenderRegistryTableJson() : share::RenderRegistryTableText());
    return kExitOk;
  }
  auto row = share::RegistryForRegion(args.region);
  if (!row.ok()) {
    std::cerr << "cpa registries: " << row.status().message() << "\n";
    return kExitError;
  }
  std::cout << (as_json ? share::RenderRegistryJson(*row) : share::RenderRegistryText(*row));
  return kExitOk;
}

struct SecretArgs {
  std::string config;
  std::string region;
};

int RunSecret(const SecretArgs& args) {
  auto text = profile::ReadTextFile(args.config);
  if (!text.ok()) {
    std::cerr << "cpa secret: "
              << (text.status().code() == core::ErrorCode::kNotFound
                      ? args.config + " does not exist"
                      : text.status().message())
              << "\n";
    return kExitError;
  }
  if (text->empty()) {
    std::cerr << "cpa secret: " << args.config << " is empty\n";
    return kExitError;
  }
  // The file goes into the cluster verbatim, so it must at least parse as an AWS config file.
  auto parsed = profile::ParseFile(*text, profile::FileKind::kConfig, args.config);
  if (!parsed.ok()) {
    std::cerr << "cpa secret: " << parsed.status().message() << "\n";
    return kExitError;
  }
  if (auto shape = share::ParseShareConfig(*text, args.config); !shape.ok()) {
    std::cerr << "cpa secret: warning: not in the shape `cpa share` writes: "
              << shape.status().message() << "\n";
  }
  std::cout << share::RenderAwsSecret(*text, args.region);
  return kExitOk;
}

}  // namespace

void RegisterRegistriesCommand(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<RegistriesArgs>();
  CLI::App* cmd = app.add_subcommand(
      "registries",
      "Show the EKS Anywhere curated packages registry account of every AWS Region (32 regions; "
      "three of them are not in the docs table), or of one region with its registry host");
  cmd->add_option("region", args->region, "Only this region: prints ACCOUNT<TAB>REGISTRY_HOST");
  cmd->add_option("--output", args->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback(
      [args, &registry]() { registry.SetAction([args] { return RunRegistries(*args); }); });

  auto secret_args = std::make_shared<SecretArgs>();
  CLI::App* secret = app.add_subcommand(
      "secret",
      "Print the `aws-secret` Secret (namespace eksa-packages) for an AWS config file, as spec "
      "step 7 builds it: `config` is the file in base64, the other keys empty; apply it with "
      "`kubectl apply -f -`");
  secret->add_option("--config", secret_args->config, "The AWS config file (e.g. DIR/config)")
      ->required();
  secret->add_option("--region", secret_args->region,
                     "Also fill REGION (base64); by default it is empty, as in the spec");
  secret->callback([secret_args, &registry]() {
    registry.SetAction([secret_args] { return RunSecret(*secret_args); });
  });
}

}  // namespace cpa::cli
