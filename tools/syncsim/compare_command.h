// `syncsim compare SCENARIO --engines a,b,...`: one scenario and seed run
// under several sync engines (each run is the scenario with `sync.engine`
// set to one of them), printed side by side so that the designs can be
// judged on the same history: verdict, convergence, virtual time, message
// and byte totals, records pulled and foreign-key linkage.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

// Adds the `compare` subcommand; the returned function runs it.
std::function<int()> RegisterCompareCommand(CLI::App& app);

}  // namespace syncsim::tools
