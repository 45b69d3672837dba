#include "cli/commands.h"

namespace cpa::cli {

void RegisterCommands(CLI::App& app, CommandRegistry& registry) {
  RegisterPolicyCommand(app, registry);
}

}  // namespace cpa::cli
