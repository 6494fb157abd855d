// The settings of the control actions (sim/control/*.cpp): steps that shape
// the timeline rather than the world.
#pragma once

#include <cstdint>
#include <string>

namespace syncsim::sim {

struct RunUntilQuiescentSettings {
  int64_t max_ms = 0;
};

struct SnapshotSettings {
  std::string phase;
};

}  // namespace syncsim::sim
