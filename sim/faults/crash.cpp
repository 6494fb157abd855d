// crash: a device loses everything volatile (its engine, batches, buffers,
// timers; its connections close); its database survives for a restart.
// The swarm draws crashes with their restarts.
#include <any>
#include <algorithm>
#include <map>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/action/swarm_bounds.h"
#include "sim/faults/device_power_steps.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  return ParseDevicePowerStep("crash", step, path, context, settings);
}

core::Status Run(const std::any& settings, ActionRun* run) {
  SimDevice& device = run->cluster().device(std::any_cast<const DevicePowerSettings&>(settings).device);
  if (device.is_on()) device.Crash();
  return core::Status::Ok();
}

// Up to kSwarmCrashesMax crash/restart pairs of running devices. A device
// crashes again only after its restart: a crash of a crashed device is an
// invalid scenario. A single crash misses the bugs that need the second (a
// crash during a catch-up that an earlier crash forced).
void Draw(const SwarmWorld& world, Random* random, std::vector<DrawnStep>* steps) {
  const std::vector<std::string>& crashable = world.running;
  std::map<std::string, int64_t> restarted_at_ms;
  const int64_t crashes = !crashable.empty() && random->Bernoulli(0.4) ? random->Range(1, kSwarmCrashesMax) : 0;
  for (int64_t crash_index = 0; crash_index < crashes; ++crash_index) {
    const std::string device = random->Choice(crashable);
    int64_t start = random->Range(0, kSwarmFaultStartMsMax);
    if (auto earlier = restarted_at_ms.find(device); earlier != restarted_at_ms.end()) {
      start = std::max(start, earlier->second + 1);
    }
    const int64_t restart = start + random->Range(100, kSwarmFaultLengthMsMax);
    restarted_at_ms[device] = restart;
    const size_t group = steps->size();
    steps->push_back({start, {{"action", "crash"}, {"device", device}}, group});
    steps->push_back({restart, {{"action", "restart"}, {"device", device}}, group});
  }
}

const bool kRegistered = RegisterAction({.name = "crash",
                                         .kind = ActionKind::kFault,
                                         .listing_order = 70,
                                         .keys = {{"device", true, "a device name"}},
                                         .parse = Parse,
                                         .run = Run,
                                         .power = PowerEffect::kTurnsOff,
                                         .swarm = Draw,
                                         .swarm_order = 20,
                                         .shrink = {.removed_with = "restart"}});

}  // namespace
}  // namespace syncsim::sim
