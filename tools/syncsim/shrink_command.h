// `syncsim shrink SCENARIO --seed N [--swarm] [--set k=v]... [--out
// REPRO.json]` (DESIGN.md 7): makes a failing run small (see
// sim/scenario/shrinker.h) and writes the smallest scenario found, with the
// seed and any swarm faults made explicit, so that `syncsim run REPRO.json`
// gives the same verdict. Exit code: 0 written, 2 bad input (including a
// scenario that does not fail), 3 internal error.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterShrinkCommand(CLI::App& app);

}  // namespace syncsim::tools
