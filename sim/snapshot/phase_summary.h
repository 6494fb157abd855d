// PhaseSummary: the summary of one snapshot phase (DESIGN.md 6), built from
// the device databases alone (plus, in a live run, the last-writer-wins
// oracle and the run's stall diagnosis): who each device is and what it
// owns, its facts, its linkage relative to each owner, and convergence with
// the differences. summary.json is canonical: keys sorted, no host times.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_registry.h"
#include "core/sqlite_db.h"
#include "sim/check/convergence.h"

namespace syncsim::sim {

struct PhaseDevice {
  std::string name;
  core::SqliteDb* database = nullptr;  // not owned; nullptr for a device that never started
  // What only a live run knows (connections, engine state); null otherwise.
  nlohmann::json runtime;
};

struct PhaseInput {
  std::string scenario;
  uint64_t seed = 0;
  std::string engine;  // the sync engine that ran (`sync.engine`)
  std::string phase;
  int64_t virtual_time_ms = 0;
  std::vector<PhaseDevice> devices;
  const SharedOracle* oracle = nullptr;  // optional
  nlohmann::json stall;                  // null, or the stall diagnosis
};

// The rows every device holds, read once, for convergence and linkage.
std::vector<DeviceRows> ReadDeviceRows(const std::vector<PhaseDevice>& devices, const core::ModelRegistry& registry);

// The summary of one phase. `rows` are ReadDeviceRows(input.devices).
nlohmann::json BuildPhaseSummary(const PhaseInput& input, const std::vector<DeviceRows>& rows,
                                 const core::ModelRegistry& registry);

// summary.md: the same content for a person.
std::string RenderSummaryMarkdown(const nlohmann::json& summary);

}  // namespace syncsim::sim
