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
#include "sim/kernel/message_counts.h"
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
};

struct ExpectationResult {
  std::string name;
  bool ok = true;
  std::string detail;
};

struct RunResult {
  std::string scenario;
  uint64_t seed = 0;
  std::string fingerprint;  // 16 hex digits
  // The state fingerprint (sim/check/state_fingerprint.h) of the devices'
  // databases at the end of the run, 16 hex digits: what the run left,
  // where `fingerprint` is what it did.
  std::string state_fingerprint;
  // phase -> the state fingerprint at that snapshot step; kept for runs that
  // write no files too. Equals the phase's summary.json "state_fingerprint".
  std::map<std::string, std::string> phase_state_fingerprints;
  int64_t virtual_time_ms = 0;
  uint64_t events = 0;
  MessageCounts messages;
  bool quiescent = false;
  bool converged = false;
  nlohmann::json stall;  // null, or the diagnosis
  // One "DEVICE KIND MODEL of OWNER" per convergence difference group (e.g.
  // "bob missing entry of alice"), sorted: what kind of divergence this is.
  std::vector<std::string> difference_keys;
  std::vector<ExpectationResult> expectations;
  // Rare-path name -> times it fired over the run (sim/check/coverage.h).
  nlohmann::json coverage = nlohmann::json::object();
  // name -> linkage summary, with "state_digest": the device's own digest
  nlohmann::json devices = nlohmann::json::object();
  std::string snapshot_dir;  // empty when nothing was written
  bool passed = false;

  nlohmann::json ToJson() const;
};

// Runs `scenario`. `resolved` is the scenario document as loaded (with
// overrides and the seed applied), written to scenario.json for replay.
// Returns InvalidArgument when the snapshot folder exists and !force, and
// IoError when a file cannot be written; in both cases nothing is left
// half-written. Otherwise the verdict is in *result.
core::Status RunScenario(const Scenario& scenario, const nlohmann::json& resolved, const RunOptions& options,
                         RunResult* result);

}  // namespace syncsim::sim
