// run_until_quiescent: runs the cluster until nothing is in flight, no
// device has pending work and every workload is done, or `max_ms` of
// virtual time passed; devices that disagree then get the stall window to
// make progress before the run calls it a stall.
#include <any>

#include "sim/action/action.h"
#include "sim/action/action_bounds.h"
#include "sim/action/action_run.h"
#include "sim/base/json_readers.h"
#include "sim/control/control_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext*, std::any* settings) {
  RunUntilQuiescentSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(ReadInteger(step["max_ms"], MemberPath(path, "max_ms"), 1, kScenarioTimeMsMax, &parsed.max_ms));
  *settings = parsed;
  return core::Status::Ok();
}

core::Status Run(const std::any& settings, ActionRun* run) {
  run->RunUntilQuiescent(std::any_cast<const RunUntilQuiescentSettings&>(settings).max_ms);
  return core::Status::Ok();
}

const bool kRegistered =
    RegisterAction({.name = "run_until_quiescent",
                    .kind = ActionKind::kControl,
                    .listing_order = 140,
                    .keys = {{"max_ms", true, "an integer of milliseconds from 1 to 86400000"}},
                    .parse = Parse,
                    .run = Run});

}  // namespace
}  // namespace syncsim::sim
