// StepParser: validates a scenario's `steps` array, step by step, into
// ScenarioSteps. It checks what every step shares (an object, a known
// action, only the action's keys and every required one, at_ms never going
// back) and leaves the rest to the action's own parser (sim/action/
// action.h), which may consult what earlier steps established (a location
// indexed, a phase named, a device's power) through a StepParseContext.
// Failures are InvalidArgument naming the JSON path, like every loader
// error.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/action/step_parse_context.h"
#include "sim/scenario/scenario.h"

namespace syncsim::sim {

class StepParser {
 public:
  // `devices`: the scenario's declared devices, by name, with whether each
  // runs from the start.
  explicit StepParser(const std::vector<std::pair<std::string, bool>>& devices) : context_(devices) {}

  // Validates the array `value` at `path` into *steps (unchanged on failure).
  // REQUIRES: steps != nullptr; called once per parser.
  core::Status Parse(const nlohmann::json& value, const std::string& path, std::vector<ScenarioStep>* steps);

 private:
  core::Status ParseStep(const nlohmann::json& value, const std::string& path, ScenarioStep* step);
  core::Status ParseAt(const nlohmann::json& at, const std::string& path, ScenarioStep* step);
  // Fails, naming `path`, when the steps up to here pass
  // kScenarioDeviceEntriesMax or kScenarioOperationsMax.
  core::Status CheckTotals(const std::string& path) const;

  StepParseContext context_;
  // The latest at_ms so far and the path of its step.
  std::optional<int64_t> last_at_ms_;
  std::string last_at_ms_path_;
};

}  // namespace syncsim::sim
