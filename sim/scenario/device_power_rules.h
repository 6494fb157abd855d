// Device power rules: which of a scenario's start, crash and restart steps
// make sense, in step order (DESIGN.md 5). A device declared with
// "start": false is off until its one `start` step; a running device may
// crash; only a crashed device may restart. Anything else (restarting a
// running device, crashing a crashed one, starting a device twice) is a
// mistake in the scenario, refused at load time instead of being silently
// ignored by the runner.
#pragma once

#include "core/status.h"
#include "sim/scenario/scenario.h"

namespace syncsim::sim {

// Returns InvalidArgument naming the first offending step's JSON path
// ("steps[4].device: ..."), or Ok.
// REQUIRES: every step's device names a device of the scenario.
core::Status CheckDevicePowerSteps(const Scenario& scenario);

}  // namespace syncsim::sim
