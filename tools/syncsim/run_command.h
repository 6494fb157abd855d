// `syncsim run SCENARIO.json`: loads a scenario, runs it, writes its
// snapshot and prints its verdict (DESIGN.md 7).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

// Adds the subcommand to `app`; returns the function that runs it once the
// command line is parsed.
std::function<int()> RegisterRunCommand(CLI::App& app);

}  // namespace syncsim::tools
