#include "cli/commands.h"

namespace cpa::cli {

void RegisterCommands(CLI::App& app, CommandRegistry& registry) {
  RegisterPolicyCommand(app, registry);
  RegisterAwsCommands(app, registry);
  RegisterServeCommand(app, registry);
}

}  // namespace cpa::cli
