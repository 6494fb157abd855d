// Network settings as a scenario gives them: the `network` object and the
// keys of a set_network step (latency_ms {min, max}, drop, duplicate), in
// milliseconds, read with JSON paths in their errors and turned into the
// kernel's per-link settings.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/kernel/network.h"

namespace syncsim::sim {

struct ScenarioNetwork {
  int64_t latency_ms_min = 1;
  int64_t latency_ms_max = 40;
  double drop = 0;
  double duplicate = 0;
};

// The keys of a network object (the scenario's, or a set_network step's).
inline constexpr std::array<std::string_view, 3> kNetworkKeys = {"latency_ms", "drop", "duplicate"};

// Reads the network keys that `object` holds into *network; the caller has
// checked that `object` holds no other key it does not allow.
// REQUIRES: object is an object, network != nullptr.
core::Status ParseNetworkSettings(const nlohmann::json& object, const std::string& path, ScenarioNetwork* network);

LinkSettings ToLinkSettings(const ScenarioNetwork& network);
// `link` with the network keys `changes` holds (already validated) applied.
LinkSettings WithChanges(LinkSettings link, const nlohmann::json& changes);

}  // namespace syncsim::sim
