// connect: opens a connection between every pair of the listed devices
// (each announces itself to the other: a watermark exchange starts).
#include <any>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/json_readers.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

core::Status Parse(const nlohmann::json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  DevicePairsSettings parsed;
  SYNCSIM_RETURN_IF_ERROR(context->ReadDeviceList(step["devices"], MemberPath(path, "devices"), 2, &parsed.devices));
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status Run(const std::any& settings, ActionRun* run) {
  run->cluster().ConnectAll(std::any_cast<const DevicePairsSettings&>(settings).devices);
  return core::Status::Ok();
}

const bool kRegistered = RegisterAction({.name = "connect",
                                         .kind = ActionKind::kFault,
                                         .listing_order = 10,
                                         .keys = {{"devices", true, "two or more distinct device names"}},
                                         .parse = Parse,
                                         .run = Run,
                                         .shrink = {.devices_min = 2}});

}  // namespace
}  // namespace syncsim::sim
