// LiveState: what only the live run knew about a phase, written beside the
// device databases as live_state.json: each device's runtime (connections,
// engine sessions and counters, clock), whether it ever started, the stall
// diagnosis, and the last-writer-wins oracle. With it, `syncsim report`
// rebuilds a phase's summary.json byte for byte from the snapshot alone;
// without it (a folder of databases from elsewhere), the summary holds what
// the databases say and convergence of shared records is judged by majority.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/check/convergence.h"
#include "sim/snapshot/phase_summary.h"

namespace syncsim::sim {

// The most devices a live_state.json may list: a scenario's maximum
// (kScenarioDevicesMax), so that a crafted file cannot make a reader open,
// summarise and draw thousands.
inline constexpr size_t kLiveStateDevicesMax = 16;

struct LiveDevice {
  std::string name;
  bool started = false;
  nlohmann::json runtime;  // null when unknown
};

struct LiveState {
  std::string scenario;
  uint64_t seed = 0;
  // `sync.engine`; snapshots written before engines had names were all
  // made by the leaderless engine, so an absent key reads as that.
  std::string engine;
  std::string phase;
  int64_t virtual_time_ms = 0;
  std::vector<LiveDevice> devices;  // in scenario order
  nlohmann::json stall;             // null, or the diagnosis
  std::optional<SharedOracle> oracle;
};

// The live state of `input` (whose devices carry their runtime).
nlohmann::json LiveStateToJson(const PhaseInput& input);

// Parses a live_state.json document. On a missing key or a wrong type returns
// Corruption naming `file` and the JSON path (`devices[1].name: ...`).
core::Status LiveStateFromJson(const nlohmann::json& document, const std::string& file, LiveState* state);

}  // namespace syncsim::sim
