// `syncsim sweep SCENARIO --seeds A..B [--swarm] [--jobs J] [--shard K/N|auto]
// [--junit FILE] [--set k=v]... [--json] [--save-failures DIR]` (DESIGN.md
// 7; DIR: tools/syncsim/sweep_failures.h): runs one scenario
// over a range of seeds, each seed in its own `syncsim run` worker process,
// at most J at once; a shard K/N takes every N-th seed of the range starting
// with the K-th, so N machines cover the range exactly once. Prints
// progress on a terminal, then every failing seed with the command that
// replays it; writes JUnit XML on request. Exit code: 0 every seed passed,
// 1 some seed failed, 2 bad input, 3 a worker crashed.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

// Adds the `sweep` subcommand; the returned function runs it.
std::function<int()> RegisterSweepCommand(CLI::App& app);

}  // namespace syncsim::tools
