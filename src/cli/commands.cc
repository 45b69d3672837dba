#include "cli/commands.h"

namespace cpa::cli {

void RegisterCommands(CLI::App& app, CommandRegistry& registry) {
  (void)app;
  (void)registry;
}

}  // namespace cpa::cli
