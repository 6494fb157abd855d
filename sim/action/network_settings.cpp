#include "sim/action/network_settings.h"

#include "sim/action/action_bounds.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

constexpr std::array<std::string_view, 2> kLatencyKeys = {"min", "max"};
constexpr int64_t kMicrosecondsPerMillisecond = 1000;

}  // namespace

Status ParseNetworkSettings(const json& object, const std::string& path, ScenarioNetwork* network) {
  if (const json* latency = Find(object, "latency_ms")) {
    const std::string latency_path = MemberPath(path, "latency_ms");
    SYNCSIM_RETURN_IF_ERROR(CheckObject(*latency, latency_path, kLatencyKeys, kLatencyKeys));
    int64_t min = 0;
    int64_t max = 0;
    SYNCSIM_RETURN_IF_ERROR(
        ReadInteger((*latency)["min"], MemberPath(latency_path, "min"), 0, kScenarioLatencyMsMax, &min));
    SYNCSIM_RETURN_IF_ERROR(
        ReadInteger((*latency)["max"], MemberPath(latency_path, "max"), 0, kScenarioLatencyMsMax, &max));
    if (min > max) {
      return Invalid(latency_path, "min " + std::to_string(min) + " is greater than max " + std::to_string(max));
    }
    network->latency_ms_min = min;
    network->latency_ms_max = max;
  }
  if (const json* drop = Find(object, "drop")) {
    SYNCSIM_RETURN_IF_ERROR(ReadFraction(*drop, MemberPath(path, "drop"), &network->drop));
  }
  if (const json* duplicate = Find(object, "duplicate")) {
    SYNCSIM_RETURN_IF_ERROR(ReadFraction(*duplicate, MemberPath(path, "duplicate"), &network->duplicate));
  }
  return Status::Ok();
}

LinkSettings ToLinkSettings(const ScenarioNetwork& network) {
  return LinkSettings{.latency_us_min = network.latency_ms_min * kMicrosecondsPerMillisecond,
                      .latency_us_max = network.latency_ms_max * kMicrosecondsPerMillisecond,
                      .drop = network.drop,
                      .duplicate = network.duplicate};
}

LinkSettings WithChanges(LinkSettings link, const json& changes) {
  if (changes.contains("latency_ms")) {
    const json& latency = changes["latency_ms"];
    if (latency.contains("min")) link.latency_us_min = latency["min"].get<int64_t>() * kMicrosecondsPerMillisecond;
    if (latency.contains("max")) link.latency_us_max = latency["max"].get<int64_t>() * kMicrosecondsPerMillisecond;
  }
  if (changes.contains("drop")) link.drop = changes["drop"].get<double>();
  if (changes.contains("duplicate")) link.duplicate = changes["duplicate"].get<double>();
  return link;
}

}  // namespace syncsim::sim
