// crash: a device loses everything volatile (its engine, batches, buffers,
// timers; its connections close); its database survives for a restart.
// With "power_loss" its disk also loses, keeps or tears each write not yet
// synced; with "at_io": N the crash strikes at the device's N-th write or
// sync of its database from the step on, inside whatever transaction runs
// then (at its restart step at the latest). The swarm draws crashes with
// their restarts.
#include <any>
#include <algorithm>
#include <map>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/action/swarm_bounds.h"
#include "sim/base/json_readers.h"
#include "sim/faults/device_power_steps.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

// The largest at_io: far more writes and syncs than any scenario's device
// makes, so a typo cannot arm a crash that can never strike by mistake.
constexpr int64_t kCrashAtIoMax = 100'000'000;

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  SYNCSIM_RETURN_IF_ERROR(ParseDevicePowerStep("crash", step, path, context, settings));
  DevicePowerSettings& parsed = std::any_cast<DevicePowerSettings&>(*settings);
  if (const nlohmann::json* value = Find(step, "power_loss")) {
    SYNCSIM_RETURN_IF_ERROR(ReadBool(*value, MemberPath(path, "power_loss"), &parsed.power_loss));
  }
  if (const nlohmann::json* value = Find(step, "at_io")) {
    int64_t at_io = 0;
    SYNCSIM_RETURN_IF_ERROR(ReadInteger(*value, MemberPath(path, "at_io"), 1, kCrashAtIoMax, &at_io));
    parsed.at_io = static_cast<uint64_t>(at_io);
  }
  return core::Status::Ok();
}

core::Status Run(const std::any& settings, ActionRun* run) {
  const DevicePowerSettings& crash = std::any_cast<const DevicePowerSettings&>(settings);
  run->cluster().device(crash.device).Crash(CrashSettings{.power_loss = crash.power_loss, .at_io = crash.at_io});
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
                                         .keys = {{"device", true, "a device name"},
                                                  {"power_loss", false, "true: unsynced writes are lost or torn"},
                                                  {"at_io", false, "strike at the N-th write or sync from the step"}},
                                         .parse = Parse,
                                         .run = Run,
                                         .power = PowerEffect::kTurnsOff,
                                         .swarm = Draw,
                                         .swarm_order = 20,
                                         .shrink = {.removed_with = "restart"}});

}  // namespace
}  // namespace syncsim::sim
