// restart: turns a crashed device on again: a new engine resumes from the
// database the crash left.
#include <any>

#include "sim/action/action.h"
#include "sim/faults/device_power_steps.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  return ParseDevicePowerStep("restart", step, path, context, settings);
}

const bool kRegistered = RegisterAction({.name = "restart",
                                         .kind = ActionKind::kFault,
                                         .listing_order = 80,
                                         .keys = {{"device", true, "a device name"}},
                                         .parse = Parse,
                                         .run = TurnDeviceOn,
                                         .power = PowerEffect::kTurnsOn});

}  // namespace
}  // namespace syncsim::sim
