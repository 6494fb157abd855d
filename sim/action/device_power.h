// DevicePowerHistory: which start, crash and restart steps make sense, in
// step order (docs/scenario-format.md). A device declared with
// "start": false is off until its one `start` step; a running device may
// crash; only a crashed device may restart. Anything else (restarting a
// running device, crashing a crashed one, starting a device twice) is a
// mistake in the scenario, refused at load time instead of being silently
// ignored by the runner.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace syncsim::sim {

class DevicePowerHistory {
 public:
  // A device of the scenario, running from the start or not.
  // REQUIRES: not declared yet.
  void Declare(const std::string& device, bool starts);
  // Applies `action` ("start", "crash" or "restart") of the step at
  // `step_path` to `device`. Returns InvalidArgument at `step_path`.device
  // when the device's power forbids it; then nothing changes.
  // REQUIRES: device declared.
  core::Status Change(std::string_view action, const std::string& device, const std::string& step_path);

 private:
  enum class Power { kNotStarted, kRunning, kCrashed };
  struct History {
    Power power = Power::kRunning;
    std::string last_change_path;  // the step that last changed it, for messages
  };
  static std::string Refusal(std::string_view action, const std::string& device, const History& history);

  std::map<std::string, History, std::less<>> devices_;
};

}  // namespace syncsim::sim
