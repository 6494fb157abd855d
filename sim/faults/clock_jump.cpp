// clock_jump: a device's wall clock jumps by `by_ms` (an NTP correction, a
// user setting the date); its monotonic timers do not. The swarm draws
// jumps, small or large.
#include <any>

#include "sim/action/action.h"
#include "sim/action/action_bounds.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/action/swarm_bounds.h"
#include "sim/base/json_readers.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  ClockJumpSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(step["device"], MemberPath(path, "device"), &parsed.device));
  SYNCSIM_RETURN_IF_ERROR(ReadInteger(step["by_ms"], MemberPath(path, "by_ms"), -kScenarioClockOffsetMsMax,
                                      kScenarioClockOffsetMsMax, &parsed.by_ms));
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status Run(const std::any& settings, ActionRun* run) {
  const ClockJumpSettings& jump = std::any_cast<const ClockJumpSettings&>(settings);
  run->cluster().device(jump.device).clock().Jump(jump.by_ms);
  return core::Status::Ok();
}

// Up to kSwarmClockJumpsMax jumps, each on any device, small or large by a
// coin flip.
void Draw(const SwarmWorld& world, Random* random, std::vector<DrawnStep>* steps) {
  const int64_t jumps = random->Bernoulli(0.25) ? random->Range(1, kSwarmClockJumpsMax) : 0;
  for (int64_t jump_index = 0; jump_index < jumps; ++jump_index) {
    const int64_t start = random->Range(0, kSwarmFaultStartMsMax);
    const std::string device = random->Choice(world.devices);
    const int64_t bound_ms = random->Bernoulli(0.5) ? kSwarmClockJumpSmallMsMax : kSwarmClockJumpLargeMsMax;
    steps->push_back({start,
                      {{"action", "clock_jump"}, {"device", device}, {"by_ms", random->Range(-bound_ms, bound_ms)}},
                      steps->size()});
  }
}

const bool kRegistered =
    RegisterAction({.name = "clock_jump",
                    .kind = ActionKind::kFault,
                    .listing_order = 90,
                    .keys = {{"device", true, "a device name"},
                             {"by_ms", true, "an integer of milliseconds, within ten years either way"}},
                    .parse = Parse,
                    .run = Run,
                    .swarm = Draw,
                    .swarm_order = 30});

}  // namespace
}  // namespace syncsim::sim
