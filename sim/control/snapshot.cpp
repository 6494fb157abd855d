// snapshot: writes the phase's snapshot (every device's database, the
// summaries, the linkage graph); each phase is named once.
#include <any>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/json_readers.h"
#include "sim/control/control_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  SnapshotSettings parsed;
  const std::string phase_path = MemberPath(path, "phase");
  SYNCSIM_RETURN_IF_ERROR(ReadName(step["phase"], phase_path, &parsed.phase));
  if (std::optional<std::string> first = context->FirstPathOf("phase", parsed.phase)) {
    return Invalid(phase_path, "duplicate phase " + Quoted(parsed.phase) + " (first at " + *first + ")");
  }
  context->Record("phase", parsed.phase, phase_path);
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status Run(const std::any& settings, ActionRun* run) {
  return run->WritePhase(std::any_cast<const SnapshotSettings&>(settings).phase);
}

const bool kRegistered = RegisterAction({.name = "snapshot",
                                         .kind = ActionKind::kControl,
                                         .listing_order = 150,
                                         .keys = {{"phase", true, "a name (letters, digits, _ and -), unique"}},
                                         .parse = Parse,
                                         .run = Run,
                                         .records_step = false});

}  // namespace
}  // namespace syncsim::sim
