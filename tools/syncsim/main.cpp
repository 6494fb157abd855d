// syncsim: the command-line tool (DESIGN.md 7). Each subcommand lives in its
// own file; this one only wires them into CLI11 and maps failures to the
// documented exit codes.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "tools/syncsim/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"syncsim: deterministic simulation of a multi-device library sync engine"};
  app.set_version_flag("--version", std::string("syncsim ") + SYNCSIM_VERSION);
  app.require_subcommand(0, 1);
  syncsim::tools::RegisterCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return syncsim::tools::kExitBadInput;
  }
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  try {
    return syncsim::tools::RunSelectedCommand(app);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "syncsim: internal error: %s\n", error.what());
    return syncsim::tools::kExitInternal;
  }
}
