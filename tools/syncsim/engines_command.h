// `syncsim engines`: the sync engines this build knows, one name per line
// (the values `sync.engine` and `compare --engines` accept).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

// Adds the `engines` subcommand; the returned function runs it.
std::function<int()> RegisterEnginesCommand(CLI::App& app);

}  // namespace syncsim::tools
