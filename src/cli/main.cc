// cpa: Curated Packages Access. Entry point; each subcommand lives in its own file and registers
// itself through cli/commands.h.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "cpa (Curated Packages Access): share EKS Anywhere curated packages across AWS accounts,\n"
      "and check every IAM decision of that chain, on a local AWS-compatible endpoint or on AWS.",
      "cpa"};
  app.set_version_flag("--version", std::string("cpa ") + cpa::cli::kVersion);
  app.require_subcommand(0, 1);

  cpa::cli::CommandRegistry registry;
  cpa::cli::RegisterCommands(app, registry);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  return registry.Run();
}
