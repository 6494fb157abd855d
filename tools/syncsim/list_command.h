// `syncsim list [DIR]`: the scenarios under DIR (default scenarios/) with
// their descriptions and whether they load, and the runs under a snapshot
// folder with their verdicts.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterListCommand(CLI::App& app);

}  // namespace syncsim::tools
