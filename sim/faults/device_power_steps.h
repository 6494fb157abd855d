// What start, crash and restart share: a step naming one device whose power
// it changes, checked against the device's power so far
// (sim/action/device_power.h).
#pragma once

#include <any>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"

namespace syncsim::sim {

// Reads the step's `device` into a DevicePowerSettings and records the
// power change `action` makes. REQUIRES: settings != nullptr.
core::Status ParseDevicePowerStep(std::string_view action, const nlohmann::json& step, const std::string& path,
                                  StepParseContext* context, std::any* settings);

// Starts the step's device unless it runs already (start and restart),
// after a crash armed for an I/O point it has not reached (SimDevice::
// TurnOn): the device's database Status.
core::Status TurnDeviceOn(const std::any& settings, ActionRun* run);

}  // namespace syncsim::sim
