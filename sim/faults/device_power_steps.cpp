#include "sim/faults/device_power_steps.h"

#include "sim/base/json_readers.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {

core::Status ParseDevicePowerStep(std::string_view action, const nlohmann::json& step, const std::string& path,
                                  StepParseContext* context, std::any* settings) {
  DevicePowerSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(step["device"], MemberPath(path, "device"), &parsed.device));
  SYNCSIM_RETURN_IF_ERROR(context->ChangePower(action, parsed.device, path));
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status TurnDeviceOn(const std::any& settings, ActionRun* run) {
  return run->cluster().device(std::any_cast<const DevicePowerSettings&>(settings).device).TurnOn();
}

}  // namespace syncsim::sim
