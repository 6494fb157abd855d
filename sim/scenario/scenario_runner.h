// ScenarioRunner: replays one scenario on a cluster (DESIGN.md 4, 5, 6):
// steps on the virtual timeline, workloads, faults, quiescence and stall
// detection with its diagnosis, snapshots of every phase, and the final
// check of the scenario's expectations. A run is a pure function of the
// scenario, its seed and the build.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/cluster/run_observer.h"
#include "sim/scenario/run_result.h"
#include "sim/scenario/scenario.h"

namespace syncsim::sim {

struct RunOptions {
  // Snapshots go to <out_dir>/<scenario>/seed-<seed>/. Empty: no files at
  // all (a sweep's run: fingerprint and verdict only).
  std::string out_dir = "snapshots";
  // Device databases are files in this folder; empty: in memory.
  std::string db_dir;
  // Replace an existing snapshot folder of the same scenario and seed.
  bool force = false;
  // The trace (trace.jsonl's lines) goes to this file when the run writes
  // no snapshot; empty: nowhere. A snapshot has its own trace.jsonl.
  std::string trace_path;
  // Watches the run without changing it (syncsim explain); not owned.
  RunObserver* observer = nullptr;
};

// Runs `scenario`. `resolved` is the scenario document as loaded (with
// overrides and the seed applied), written to scenario.json for replay.
// Returns InvalidArgument when the snapshot folder exists and !force, and
// IoError when a file cannot be written; in both cases nothing is left
// half-written. Otherwise the verdict is in *result.
core::Status RunScenario(const Scenario& scenario, const nlohmann::json& resolved, const RunOptions& options,
                         RunResult* result);

}  // namespace syncsim::sim
