// RunResult: the verdict and the figures of one scenario run, as
// result.json and `run --json` give them: fingerprints, time, messages,
// the expectations the checks judged, coverage and each device's summary.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/kernel/message_counts.h"

namespace syncsim::sim {

struct DeviceRows;
struct RunFacts;

struct ExpectationResult {
  std::string name;
  bool ok = true;
  std::string detail;
};

struct RunResult {
  std::string scenario;
  uint64_t seed = 0;
  std::string engine;  // `sync.engine`
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
  uint64_t bytes_sent = 0;  // every message's size, header included
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

// Fills result->devices: each device's counts, linkage as receiver, sync
// counters and state digest, from the run's facts and rows.
// REQUIRES: result != nullptr.
void DescribeDevices(const RunFacts& facts, const std::vector<DeviceRows>& rows, RunResult* result);

}  // namespace syncsim::sim
