// The EngineEvents of a run (core/engine.h) as the simulated devices
// recorded them, for the checks that judge an engine by what it did
// (sim/check/check_leader_*.cpp). Engines without events leave them empty.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/engine.h"

namespace syncsim::sim {

// An EngineEvent as one device recorded it, with the virtual time.
struct RecordedEngineEvent {
  int64_t time_us = 0;
  core::EngineEvent event;
};

// One device's events, named.
struct DeviceEngineEvents {
  std::string device;
  std::vector<RecordedEngineEvent> events;
};

}  // namespace syncsim::sim
