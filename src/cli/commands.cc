#include "cli/commands.h"

namespace cpa::cli {

void RegisterCommands(CLI::App& app, CommandRegistry& registry) {
  RegisterPolicyCommand(app, registry);
  RegisterAwsCommands(app, registry);
  RegisterServeCommand(app, registry);
  RegisterRegistryCommand(app, registry);
  RegisterCliModelCommand(app, registry);
  RegisterShareCommand(app, registry);
  RegisterRegistriesCommand(app, registry);
  RegisterQuickstartCommand(app, registry);
  RegisterDoctorCommand(app, registry);
  RegisterAgentCommand(app, registry);
}

}  // namespace cpa::cli
