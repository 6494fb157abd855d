#include "sim/scenario/step_parser.h"

#include <string_view>

#include "sim/action/action.h"
#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

// The error for an action no file registers, with the closest name and
// every name.
Status UnknownAction(const json& action, const std::string& action_path) {
  std::vector<std::string_view> names;
  std::string listed;
  for (const Action* known : RegisteredActions()) {
    names.push_back(known->name);
    listed += (listed.empty() ? "" : ", ") + std::string(known->name);
  }
  const std::string& name = action.get_ref<const std::string&>();
  return Invalid(action_path, "unknown action " + Describe(action) + Suggestion(name, names) + "; actions: " + listed);
}

}  // namespace

Status StepParser::Parse(const json& value, const std::string& path, std::vector<ScenarioStep>* steps) {
  SYNCSIM_ASSERT(steps != nullptr);
  if (!value.is_array()) return Invalid(path, "expected an array of steps, got " + Describe(value));
  if (value.empty()) return Invalid(path, "expected at least one step");
  if (value.size() > kScenarioStepsMax) {
    return Invalid(path, "expected at most " + std::to_string(kScenarioStepsMax) + " steps, got " +
                             std::to_string(value.size()));
  }
  std::vector<ScenarioStep> parsed;
  for (size_t i = 0; i < value.size(); ++i) {
    ScenarioStep step;
    const std::string step_path = ElementPath(path, i);
    SYNCSIM_RETURN_IF_ERROR(ParseStep(value[i], step_path, &step));
    SYNCSIM_RETURN_IF_ERROR(CheckTotals(step_path));
    parsed.push_back(std::move(step));
  }
  *steps = std::move(parsed);
  return Status::Ok();
}

// Each step is within its own bounds; these keep their sum within what a
// machine can hold. Every entry an index step writes ends on every device,
// so the entries of all index steps count once per device.
Status StepParser::CheckTotals(const std::string& path) const {
  const uint64_t files_total = context_.files_total();
  const size_t devices = context_.device_names().size();
  const uint64_t device_entries = files_total * devices;
  if (device_entries > kScenarioDeviceEntriesMax) {
    return Invalid(path, "the index steps up to here write " + std::to_string(files_total) + " files, " +
                             std::to_string(device_entries) + " entries over " + std::to_string(devices) +
                             " devices; at most " + std::to_string(kScenarioDeviceEntriesMax) +
                             " in all (kScenarioDeviceEntriesMax)");
  }
  if (context_.operations_total() > kScenarioOperationsMax) {
    return Invalid(path, "the mutate, tag and collect steps up to here ask for " +
                             std::to_string(context_.operations_total()) + " operations; at most " +
                             std::to_string(kScenarioOperationsMax) + " in all (kScenarioOperationsMax)");
  }
  return Status::Ok();
}

Status StepParser::ParseAt(const json& at, const std::string& path, ScenarioStep* step) {
  const std::string at_path = MemberPath(path, "at_ms");
  int64_t at_ms = 0;
  SYNCSIM_RETURN_IF_ERROR(ReadInteger(at, at_path, 0, kScenarioTimeMsMax, &at_ms));
  if (last_at_ms_.has_value() && at_ms < *last_at_ms_) {
    return Invalid(at_path, std::to_string(at_ms) + " is earlier than " + std::to_string(*last_at_ms_) +
                                ", the at_ms of " + last_at_ms_path_ + " (steps run in order)");
  }
  last_at_ms_ = at_ms;
  last_at_ms_path_ = path;
  step->at_ms = at_ms;
  return Status::Ok();
}

Status StepParser::ParseStep(const json& value, const std::string& path, ScenarioStep* step) {
  if (!value.is_object()) return Invalid(path, "expected an object, got " + Describe(value));
  const json* action_value = Find(value, "action");
  if (action_value == nullptr) return Invalid(path, "missing required key \"action\"");
  const std::string action_path = MemberPath(path, "action");
  if (!action_value->is_string()) {
    return Invalid(action_path, "expected an action name, got " + Describe(*action_value));
  }
  const Action* action = FindAction(action_value->get_ref<const std::string&>());
  if (action == nullptr) return UnknownAction(*action_value, action_path);
  step->action = std::string(action->name);

  std::vector<std::string_view> allowed = {"at_ms", "action"};
  const std::vector<std::string_view> required = action->RequiredKeys();
  const std::vector<std::string_view> optional = action->OptionalKeys();
  allowed.insert(allowed.end(), required.begin(), required.end());
  allowed.insert(allowed.end(), optional.begin(), optional.end());
  SYNCSIM_RETURN_IF_ERROR(CheckObject(value, path, allowed, required, " for action " + Quoted(step->action)));
  if (const json* at = Find(value, "at_ms")) SYNCSIM_RETURN_IF_ERROR(ParseAt(*at, path, step));
  SYNCSIM_RETURN_IF_ERROR(action->parse(value, path, &context_, &step->settings));
  SYNCSIM_ASSERT(step->settings.has_value());
  return Status::Ok();
}

}  // namespace syncsim::sim
