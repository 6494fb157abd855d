// `syncsim sweep ... --save-failures DIR`: failing seeds are kept. Each
// failing seed is shrunk (sim/scenario/shrinker.h) and written atomically to
// DIR/<name>_seed_<N>_shrunk.json, its file name its scenario name. A
// completed run that fails is written as a negative scenario: its
// `expect.must_fail` lists the checks that fail, so that `syncsim run FILE`
// passes while exactly those fail (the file can go to scenarios/found/ as a
// CTest test; `--set expect.must_fail=[]` shows the failure). A crash is
// written as it is: replaying it crashes again.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/syncsim/shrink_command.h"

namespace syncsim::tools {

// Before any seed runs: creates `dir` if missing and checks that a file can
// be written in it. Prints why not to stderr and returns false otherwise.
bool PrepareFailuresDir(const std::string& dir);

// Shrinks every failing seed of `runs` (the sweep's runs: objects with
// "seed" and "passed") from the scenario of `sweep` (its file, overrides and
// swarm flag; its seed is ignored) and writes each into `dir`, adding
// "saved" (the file) to its run. Prints one line per seed to `human`.
// Returns false, with the reason on stderr, when a file cannot be written.
bool SaveFailures(const std::string& dir, const ShrinkRequest& sweep, nlohmann::json* runs, std::FILE* human);

}  // namespace syncsim::tools
