#include "sim/scenario/device_power_rules.h"

#include <map>
#include <string>

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

enum class Power { kNotStarted, kRunning, kCrashed };

struct DeviceHistory {
  Power power = Power::kRunning;
  std::string last_change_path;  // the step that last changed it, for messages
};

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

// Why `action` cannot apply to a device in `history`, or "" when it can.
std::string Refusal(const std::string& action, const std::string& device, const DeviceHistory& history) {
  const std::string since = history.last_change_path.empty() ? "" : " (since " + history.last_change_path + ")";
  if (action == "start") {
    if (history.power == Power::kNotStarted) return "";
    if (history.power == Power::kCrashed) return Quoted(device) + " crashed" + since + ": use restart";
    return Quoted(device) + " is already running" + since +
           "; start is for a device declared \"start\": false";
  }
  if (action == "crash") {
    if (history.power == Power::kRunning) return "";
    if (history.power == Power::kCrashed) return Quoted(device) + " has already crashed" + since;
    return Quoted(device) + " has not started yet (declared \"start\": false): add a start step before";
  }
  SYNCSIM_ASSERT(action == "restart");
  if (history.power == Power::kCrashed) return "";
  if (history.power == Power::kNotStarted) {
    return Quoted(device) + " has never started (declared \"start\": false): use start";
  }
  return Quoted(device) + " is running" + since + "; restart follows a crash";
}

}  // namespace

core::Status CheckDevicePowerSteps(const Scenario& scenario) {
  std::map<std::string, DeviceHistory> devices;
  for (const ScenarioDevice& device : scenario.devices) {
    devices[device.name].power = device.start ? Power::kRunning : Power::kNotStarted;
  }
  for (size_t index = 0; index < scenario.steps.size(); ++index) {
    const ScenarioStep& step = scenario.steps[index];
    if (step.action != "start" && step.action != "crash" && step.action != "restart") continue;
    auto found = devices.find(step.device);
    SYNCSIM_ASSERT(found != devices.end());
    const std::string path = "steps[" + std::to_string(index) + "]";
    const std::string refusal = Refusal(step.action, step.device, found->second);
    if (!refusal.empty()) return core::Status::InvalidArgument(path + ".device: " + refusal);
    found->second.power = step.action == "crash" ? Power::kCrashed : Power::kRunning;
    found->second.last_change_path = path;
  }
  return core::Status::Ok();
}

}  // namespace syncsim::sim
