// set_network: changes latency, drop or duplicate from now on, on one
// directed link or, without `link`, on every link (from the scenario's
// network settings, not from an earlier set_network).
#include <any>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/action/network_settings.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/json_readers.h"
#include "sim/faults/fault_settings.h"

namespace syncsim::sim {
namespace {

using nlohmann::json;

core::Status ParseLink(const json& link, const std::string& link_path, const StepParseContext& context,
                       SetNetworkSettings* parsed) {
  if (!link.is_array() || link.size() != 2) {
    return Invalid(link_path, "expected [from, to], two device names, got " + Describe(link));
  }
  std::string from;
  std::string to;
  SYNCSIM_RETURN_IF_ERROR(context.ReadDevice(link[0], ElementPath(link_path, 0), &from));
  SYNCSIM_RETURN_IF_ERROR(context.ReadDevice(link[1], ElementPath(link_path, 1), &to));
  if (from == to) return Invalid(link_path, "a link joins two different devices, got " + Quoted(from) + " twice");
  parsed->link = std::make_pair(std::move(from), std::move(to));
  return core::Status::Ok();
}

core::Status Parse(const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
  bool any = false;
  for (std::string_view key : kNetworkKeys) any = any || step.contains(key);
  if (!any) return Invalid(path, "set_network needs at least one of " + QuotedAlternatives(kNetworkKeys));
  ScenarioNetwork checked;
  SYNCSIM_RETURN_IF_ERROR(ParseNetworkSettings(step, path, &checked));
  SetNetworkSettings parsed;
  for (std::string_view key : kNetworkKeys) {
    if (const json* given = Find(step, key)) parsed.changes[std::string(key)] = *given;
  }
  if (const json* link = Find(step, "link")) {
    SYNCSIM_RETURN_IF_ERROR(ParseLink(*link, MemberPath(path, "link"), *context, &parsed));
  }
  *settings = std::move(parsed);
  return core::Status::Ok();
}

core::Status Run(const std::any& settings, ActionRun* run) {
  const SetNetworkSettings& change = std::any_cast<const SetNetworkSettings&>(settings);
  Network& network = run->cluster().network();
  if (change.link.has_value()) {
    const auto& [from, to] = *change.link;
    network.SetLink(from, to, WithChanges(network.Link(from, to), change.changes));
  } else {
    network.SetDefaultLink(WithChanges(run->scenario_link(), change.changes));
  }
  return core::Status::Ok();
}

const bool kRegistered = RegisterAction(
    {.name = "set_network",
     .kind = ActionKind::kFault,
     .listing_order = 50,
     .keys = {{"latency_ms", false, "{\"min\": ms, \"max\": ms}, 0 to 600000, min <= max"},
              {"drop", false, "a probability from 0 to 1"},
              {"duplicate", false, "a probability from 0 to 1"},
              {"link", false, "[from, to]: two different device names"}},
     .parse = Parse,
     .run = Run,
     .shrink = {.network_keys = true}});

}  // namespace
}  // namespace syncsim::sim
