// heal: ends every partition; messages held by it go back in flight.
#include <any>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json&, const std::string&, StepParseContext*, std::any* settings) {
  *settings = HealSettings{};
  return core::Status::Ok();
}

core::Status Run(const std::any&, ActionRun* run) {
  run->cluster().network().Heal(true);
  return core::Status::Ok();
}

// The swarm draws heals with their partitions (sim/faults/partition.cpp).
const bool kRegistered = RegisterAction(
    {.name = "heal", .kind = ActionKind::kFault, .listing_order = 40, .keys = {}, .parse = Parse, .run = Run});

}  // namespace
}  // namespace syncsim::sim
