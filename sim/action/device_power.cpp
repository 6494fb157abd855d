#include "sim/action/device_power.h"

#include "sim/base/assert.h"

namespace syncsim::sim {
namespace {

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

void DevicePowerHistory::Declare(const std::string& device, bool starts) {
  SYNCSIM_ASSERT(!devices_.contains(device));
  devices_[device].power = starts ? Power::kRunning : Power::kNotStarted;
}

// Why `action` cannot apply to a device in `history`, or "" when it can.
std::string DevicePowerHistory::Refusal(std::string_view action, const std::string& device, const History& history) {
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

core::Status DevicePowerHistory::Change(std::string_view action, const std::string& device,
                                        const std::string& step_path) {
  auto found = devices_.find(device);
  SYNCSIM_ASSERT(found != devices_.end());
  const std::string refusal = Refusal(action, device, found->second);
  if (!refusal.empty()) return core::Status::InvalidArgument(step_path + ".device: " + refusal);
  found->second.power = action == "crash" ? Power::kCrashed : Power::kRunning;
  found->second.last_change_path = step_path;
  return core::Status::Ok();
}

}  // namespace syncsim::sim
