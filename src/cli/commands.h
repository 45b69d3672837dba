#pragma once
// Subcommand registration. Each command file defines one Register* function that adds its
// CLI11 subcommand and stores the action to run after parsing.
#include <CLI/CLI.hpp>
#include <functional>

namespace cpa::cli {

class CommandRegistry {
 public:
  // Stores the action of the parsed subcommand; the exit code comes from it.
  void SetAction(std::function<int()> action) { action_ = std::move(action); }
  int Run() const { return action_ ? action_() : 0; }

 private:
  std::function<int()> action_;
};

// Adds every subcommand to `app`.
void RegisterCommands(CLI::App& app, CommandRegistry& registry);

// `cpa policy check|simulate` (policy_command.cc).
void RegisterPolicyCommand(CLI::App& app, CommandRegistry& registry);

// `cpa whoami` and `cpa ecr-login` (aws_commands.cc).
void RegisterAwsCommands(CLI::App& app, CommandRegistry& registry);

// `cpa serve` (serve_command.cc).
void RegisterServeCommand(CLI::App& app, CommandRegistry& registry);

// `cpa registry publish|list` (registry_command.cc).
void RegisterRegistryCommand(CLI::App& app, CommandRegistry& registry);

// `cpa cli-model` (cli_model_command.cc).
void RegisterCliModelCommand(CLI::App& app, CommandRegistry& registry);

// `cpa share` and `cpa share rotate-key` (share_command.cc).
void RegisterShareCommand(CLI::App& app, CommandRegistry& registry);

// `cpa registries` and `cpa secret` (registries_command.cc).
void RegisterRegistriesCommand(CLI::App& app, CommandRegistry& registry);

// `cpa quickstart` (quickstart_command.cc).
void RegisterQuickstartCommand(CLI::App& app, CommandRegistry& registry);

// `cpa doctor` (doctor_command.cc).
void RegisterDoctorCommand(CLI::App& app, CommandRegistry& registry);

// `cpa agent` and `cpa kubelet-credential-provider` (agent_command.cc).
void RegisterAgentCommand(CLI::App& app, CommandRegistry& registry);

}  // namespace cpa::cli
