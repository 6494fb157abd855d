// disconnect: closes the connection between every pair of the listed
// devices (both sides forget the session).
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
  const std::vector<std::string>& devices = std::any_cast<const DevicePairsSettings&>(settings).devices;
  for (size_t i = 0; i < devices.size(); ++i) {
    for (size_t j = i + 1; j < devices.size(); ++j) run->cluster().network().Disconnect(devices[i], devices[j]);
  }
  return core::Status::Ok();
}

const bool kRegistered = RegisterAction({.name = "disconnect",
                                         .kind = ActionKind::kFault,
                                         .listing_order = 20,
                                         .keys = {{"devices", true, "two or more distinct device names"}},
                                         .parse = Parse,
                                         .run = Run,
                                         .shrink = {.devices_min = 2}});

}  // namespace
}  // namespace syncsim::sim
