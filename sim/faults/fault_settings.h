// The settings of the fault actions (sim/faults/*.cpp), as their parsers
// leave them in a ScenarioStep: read by the faults when they run, and by
// whatever else must know a fault (the HLC bounds checker allows for clock
// jumps; tests read what the loader made of a step).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace syncsim::sim {

// connect, disconnect: every pair of the listed devices.
struct DevicePairsSettings {
  std::vector<std::string> devices;
};

struct PartitionSettings {
  std::vector<std::vector<std::string>> groups;
  bool one_way = false;
};

// start, crash, restart.
struct DevicePowerSettings {
  std::string device;
  // A crash's only (sim/faults/crash.cpp): the disk loses what was not
  // synced; the crash strikes at the device's at_io-th write or sync.
  bool power_loss = false;
  uint64_t at_io = 0;
};

struct ClockJumpSettings {
  std::string device;
  int64_t by_ms = 0;
};

struct SetNetworkSettings {
  // One directed link (from, to), or every link when absent.
  std::optional<std::pair<std::string, std::string>> link;
  nlohmann::json changes = nlohmann::json::object();  // the network keys the step sets
};

// heal has no settings.
struct HealSettings {};

}  // namespace syncsim::sim
