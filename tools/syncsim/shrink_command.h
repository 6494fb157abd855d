// `syncsim shrink SCENARIO --seed N [--swarm] [--set k=v]... [--out
// REPRO.json]` (DESIGN.md 7): makes a failing run small (see
// sim/scenario/shrinker.h) and writes the smallest scenario found, with the
// seed and any swarm faults made explicit, so that `syncsim run REPRO.json`
// gives the same verdict. Exit code: 0 written, 2 bad input (including a
// scenario that does not fail), 3 internal error.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "sim/scenario/shrinker.h"

namespace syncsim::tools {

std::function<int()> RegisterShrinkCommand(CLI::App& app);

// A failing seed of a scenario file, as `syncsim run` would load it.
struct ShrinkRequest {
  std::string scenario_path;
  std::vector<std::string> overrides;  // --set key=value
  std::optional<uint64_t> seed;        // absent: the file's
  bool swarm = false;                  // draw the seed's swarm faults into the scenario
};

// Loads the request's scenario and shrinks it (also for `sweep
// --save-failures`). InvalidArgument (bad input, exit 2) when the file is
// not valid or the seed does not fail.
core::Status ShrinkSeedOfFile(const ShrinkRequest& request, const std::function<void(uint64_t, bool)>& progress,
                              sim::ShrinkResult* result);

// "S -> S steps, D -> D devices, F -> F files".
std::string ShrinkSizeLine(const sim::ShrinkResult& result);

}  // namespace syncsim::tools
