// `syncsim diff DIR_A DIR_B`: compares two phases or two runs
// (sim/snapshot/snapshot_diff.h). Exit 0 when their synced content is the
// same, 1 when it differs, 2 for a missing or damaged snapshot.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterDiffCommand(CLI::App& app);

}  // namespace syncsim::tools
