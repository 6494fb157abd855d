// StepParser: validates a scenario's `steps` array, step by step, into
// ScenarioSteps (the table of actions and their keys is in step_parser.cpp
// and docs/scenario-format.md).
//
// Steps are checked against what came before them: at_ms never goes back,
// a location is indexed once per device, a mutation names a location an
// earlier step indexed, each snapshot phase is named once. Failures are
// InvalidArgument naming the JSON path, like every loader error.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/scenario/scenario.h"

namespace syncsim::sim {

// The keys of a network object (the scenario's, or a set_network step's).
inline constexpr std::array<std::string_view, 3> kNetworkKeys = {"latency_ms", "drop", "duplicate"};

// Reads the network keys (latency_ms, drop, duplicate) that `object` holds
// into *network; the caller has checked that `object` holds no other key it
// does not allow. Used for the `network` object and for set_network steps.
// REQUIRES: object is an object, network != nullptr.
core::Status ParseNetworkSettings(const nlohmann::json& object, const std::string& path, ScenarioNetwork* network);

class StepParser {
 public:
  // `device_names`: the scenario's declared devices. Must outlive the parser.
  explicit StepParser(const std::set<std::string, std::less<>>& device_names) : device_names_(device_names) {}

  // Validates the array `value` at `path` into *steps (unchanged on failure).
  // REQUIRES: steps != nullptr; called once per parser.
  core::Status Parse(const nlohmann::json& value, const std::string& path, std::vector<ScenarioStep>* steps);

 private:
  core::Status ParseStep(const nlohmann::json& value, const std::string& path, ScenarioStep* step);
  // Adds `step` to the running totals and fails, naming `path`, when they
  // pass kScenarioDeviceEntriesMax or kScenarioOperationsMax.
  core::Status CheckTotals(const ScenarioStep& step, const std::string& path, uint64_t* files_total,
                           uint64_t* operations_total) const;
  // A declared device's name.
  core::Status ReadDevice(const nlohmann::json& value, const std::string& path, std::string* out);
  // At least `min_count` distinct declared devices.
  core::Status ReadDeviceList(const nlohmann::json& value, const std::string& path, size_t min_count,
                              std::vector<std::string>* out);
  core::Status ParsePartition(const nlohmann::json& value, const std::string& path, ScenarioStep* step);
  core::Status ParseSetNetwork(const nlohmann::json& value, const std::string& path, ScenarioStep* step);
  core::Status ParseIndex(const nlohmann::json& value, const std::string& path, ScenarioStep* step);
  core::Status ParseMutate(const nlohmann::json& value, const std::string& path, ScenarioStep* step);
  core::Status ParseTag(const nlohmann::json& value, const std::string& path, ScenarioStep* step);
  core::Status ParseCollect(const nlohmann::json& value, const std::string& path, ScenarioStep* step);

  const std::set<std::string, std::less<>>& device_names_;
  // The latest at_ms so far and the path of its step.
  std::optional<int64_t> last_at_ms_;
  std::string last_at_ms_path_;
  // (device, location) -> the path of the step that indexes it.
  std::map<std::pair<std::string, std::string>, std::string> indexing_step_of_location_;
  // phase -> the path of its first snapshot step's `phase`.
  std::map<std::string, std::string, std::less<>> first_path_of_phase_;
};

}  // namespace syncsim::sim
