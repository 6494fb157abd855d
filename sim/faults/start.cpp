// start: turns on a device declared "start": false (a late joiner): it
// opens its database, starts its engine and joins the network.
#include <any>

#include "sim/action/action.h"
#include "sim/faults/device_power_steps.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  return ParseDevicePowerStep("start", step, path, context, settings);
}

const bool kRegistered = RegisterAction({.name = "start",
                                         .kind = ActionKind::kFault,
                                         .listing_order = 60,
                                         .keys = {{"device", true, "a device name"}},
                                         .parse = Parse,
                                         .run = TurnDeviceOn,
                                         .power = PowerEffect::kTurnsOn});

}  // namespace
}  // namespace syncsim::sim
