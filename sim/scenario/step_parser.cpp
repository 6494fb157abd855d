#include "sim/scenario/step_parser.h"

#include <array>
#include <string_view>

#include "sim/base/assert.h"
#include "sim/base/json_readers.h"

namespace syncsim::sim {
namespace {

using core::Status;
using nlohmann::json;

constexpr std::array<std::string_view, 2> kLatencyKeys = {"min", "max"};

// What a step action requires and allows besides `at_ms` and `action`
// (the table of DESIGN.md 5).
struct ActionSpec {
  std::string_view name;
  std::vector<std::string_view> required;
  std::vector<std::string_view> optional;
};

const std::vector<ActionSpec>& Actions() {
  static const std::vector<ActionSpec> kActions = {
      {"connect", {"devices"}, {}},
      {"disconnect", {"devices"}, {}},
      {"partition", {"groups"}, {"one_way"}},
      {"heal", {}, {}},
      {"set_network", {}, {"latency_ms", "drop", "duplicate", "link"}},
      {"start", {"device"}, {}},
      {"crash", {"device"}, {}},
      {"restart", {"device"}, {}},
      {"clock_jump", {"device", "by_ms"}, {}},
      {"index",
       {"device", "location", "dirs", "files"},
       {"duplicate_content", "identify_errors", "files_per_s"}},
      {"mutate", {"device", "location"}, {"renames", "moves", "deletes", "ops_per_s"}},
      {"tag", {"devices", "tags", "applications"}, {"ops_per_s"}},
      {"collect", {"device", "collections", "entries_per_collection"}, {"owner"}},
      {"run_until_quiescent", {"max_ms"}, {}},
      {"snapshot", {"phase"}, {}},
  };
  return kActions;
}

// Returns the spec of `name`, or nullptr when no action has that name.
const ActionSpec* FindAction(std::string_view name) {
  for (const ActionSpec& spec : Actions()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

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

Status StepParser::Parse(const json& value, const std::string& path, std::vector<ScenarioStep>* steps) {
  SYNCSIM_ASSERT(steps != nullptr);
  if (!value.is_array()) return Invalid(path, "expected an array of steps, got " + Describe(value));
  if (value.empty()) return Invalid(path, "expected at least one step");
  if (value.size() > kScenarioStepsMax) {
    return Invalid(path, "expected at most " + std::to_string(kScenarioStepsMax) + " steps, got " +
                             std::to_string(value.size()));
  }
  std::vector<ScenarioStep> parsed;
  uint64_t files_total = 0;
  uint64_t operations_total = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    ScenarioStep step;
    const std::string step_path = ElementPath(path, i);
    SYNCSIM_RETURN_IF_ERROR(ParseStep(value[i], step_path, &step));
    SYNCSIM_RETURN_IF_ERROR(CheckTotals(step, step_path, &files_total, &operations_total));
    parsed.push_back(std::move(step));
  }
  *steps = std::move(parsed);
  return Status::Ok();
}

// Each step is within its own bounds; these keep their sum within what a
// machine can hold. Every entry an index step writes ends on every device,
// so the entries of all index steps count once per device.
Status StepParser::CheckTotals(const ScenarioStep& step, const std::string& path, uint64_t* files_total,
                               uint64_t* operations_total) const {
  *files_total += step.action == "index" ? step.files : 0;
  const uint64_t device_entries = *files_total * device_names_.size();
  if (device_entries > kScenarioDeviceEntriesMax) {
    return Invalid(path, "the index steps up to here write " + std::to_string(*files_total) + " files, " +
                             std::to_string(device_entries) + " entries over " +
                             std::to_string(device_names_.size()) + " devices; at most " +
                             std::to_string(kScenarioDeviceEntriesMax) + " in all (kScenarioDeviceEntriesMax)");
  }
  if (step.action == "mutate") *operations_total += uint64_t{step.renames} + step.moves + step.deletes;
  if (step.action == "tag") *operations_total += uint64_t{step.tags} + step.applications;
  if (step.action == "collect") *operations_total += uint64_t{step.collections} * step.entries_per_collection;
  if (*operations_total > kScenarioOperationsMax) {
    return Invalid(path, "the mutate, tag and collect steps up to here ask for " +
                             std::to_string(*operations_total) + " operations; at most " +
                             std::to_string(kScenarioOperationsMax) + " in all (kScenarioOperationsMax)");
  }
  return Status::Ok();
}

Status StepParser::ParseStep(const json& value, const std::string& path, ScenarioStep* step) {
  if (!value.is_object()) return Invalid(path, "expected an object, got " + Describe(value));
  const json* action = Find(value, "action");
  if (action == nullptr) return Invalid(path, "missing required key \"action\"");
  const std::string action_path = MemberPath(path, "action");
  if (!action->is_string()) return Invalid(action_path, "expected an action name, got " + Describe(*action));
  const std::string& action_name = action->get_ref<const std::string&>();
  const ActionSpec* spec = FindAction(action_name);
  if (spec == nullptr) {
    std::vector<std::string_view> names;
    std::string listed;
    for (const ActionSpec& known : Actions()) {
      names.push_back(known.name);
      listed += (listed.empty() ? "" : ", ") + std::string(known.name);
    }
    return Invalid(action_path,
                   "unknown action " + Describe(*action) + Suggestion(action_name, names) + "; actions: " + listed);
  }
  step->action = action_name;

  std::vector<std::string_view> allowed = {"at_ms", "action"};
  allowed.insert(allowed.end(), spec->required.begin(), spec->required.end());
  allowed.insert(allowed.end(), spec->optional.begin(), spec->optional.end());
  SYNCSIM_RETURN_IF_ERROR(
      CheckObject(value, path, allowed, spec->required, " for action " + Quoted(action_name)));

  if (const json* at = Find(value, "at_ms")) {
    const std::string at_path = MemberPath(path, "at_ms");
    int64_t at_ms = 0;
    SYNCSIM_RETURN_IF_ERROR(ReadInteger(*at, at_path, 0, kScenarioTimeMsMax, &at_ms));
    if (last_at_ms_.has_value() && at_ms < *last_at_ms_) {
      return Invalid(at_path, std::to_string(at_ms) + " is earlier than " + std::to_string(*last_at_ms_) +
                                  ", the at_ms of " + last_at_ms_path_ + " (steps run in order)");
    }
    last_at_ms_ = at_ms;
    last_at_ms_path_ = path;
    step->at_ms = at_ms;
  }

  if (action_name == "connect" || action_name == "disconnect") {
    return ReadDeviceList(value["devices"], MemberPath(path, "devices"), 2, &step->devices);
  }
  if (action_name == "partition") return ParsePartition(value, path, step);
  if (action_name == "heal") return Status::Ok();
  if (action_name == "set_network") return ParseSetNetwork(value, path, step);
  if (action_name == "start" || action_name == "crash" || action_name == "restart") {
    return ReadDevice(value["device"], MemberPath(path, "device"), &step->device);
  }
  if (action_name == "clock_jump") {
    SYNCSIM_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
    return ReadInteger(value["by_ms"], MemberPath(path, "by_ms"), -kScenarioClockOffsetMsMax,
                       kScenarioClockOffsetMsMax, &step->by_ms);
  }
  if (action_name == "index") return ParseIndex(value, path, step);
  if (action_name == "mutate") return ParseMutate(value, path, step);
  if (action_name == "tag") return ParseTag(value, path, step);
  if (action_name == "collect") return ParseCollect(value, path, step);
  if (action_name == "run_until_quiescent") {
    return ReadInteger(value["max_ms"], MemberPath(path, "max_ms"), 1, kScenarioTimeMsMax, &step->max_ms);
  }
  SYNCSIM_ASSERT(action_name == "snapshot");
  const std::string phase_path = MemberPath(path, "phase");
  SYNCSIM_RETURN_IF_ERROR(ReadName(value["phase"], phase_path, &step->phase));
  if (auto [it, inserted] = first_path_of_phase_.emplace(step->phase, phase_path); !inserted) {
    return Invalid(phase_path, "duplicate phase " + Quoted(step->phase) + " (first at " + it->second + ")");
  }
  return Status::Ok();
}

// A declared device's name.
Status StepParser::ReadDevice(const json& value, const std::string& path, std::string* out) {
  if (!value.is_string()) return Invalid(path, "expected a device name, got " + Describe(value));
  const std::string& name = value.get_ref<const std::string&>();
  if (device_names_.count(name) == 0) {
    return Invalid(path, "unknown device " + Quoted(name) + Suggestion(name, device_names_));
  }
  *out = name;
  return Status::Ok();
}

// At least `min_count` distinct declared devices.
Status StepParser::ReadDeviceList(const json& value, const std::string& path, size_t min_count,
                      std::vector<std::string>* out) {
  if (!value.is_array()) return Invalid(path, "expected an array of device names, got " + Describe(value));
  if (value.size() < min_count) {
    return Invalid(path, "expected at least " + std::to_string(min_count) + " device name" +
                             (min_count == 1 ? "" : "s") + ", got " + std::to_string(value.size()));
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string element_path = ElementPath(path, i);
    std::string name;
    SYNCSIM_RETURN_IF_ERROR(ReadDevice(value[i], element_path, &name));
    for (const std::string& listed : names) {
      if (listed == name) return Invalid(element_path, "device " + Quoted(name) + " is listed twice");
    }
    names.push_back(std::move(name));
  }
  *out = std::move(names);
  return Status::Ok();
}

Status StepParser::ParsePartition(const json& value, const std::string& path, ScenarioStep* step) {
  const std::string groups_path = MemberPath(path, "groups");
  const json& groups = value["groups"];
  if (!groups.is_array()) return Invalid(groups_path, "expected an array of groups, got " + Describe(groups));
  if (groups.empty()) return Invalid(groups_path, "expected at least one group");
  std::map<std::string, std::string, std::less<>> group_path_of_device;
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string group_path = ElementPath(groups_path, g);
    const json& group = groups[g];
    if (!group.is_array() || group.empty()) {
      return Invalid(group_path, "expected a non-empty list of device names, got " + Describe(group));
    }
    std::vector<std::string> members;
    for (size_t i = 0; i < group.size(); ++i) {
      const std::string member_path = ElementPath(group_path, i);
      std::string name;
      SYNCSIM_RETURN_IF_ERROR(ReadDevice(group[i], member_path, &name));
      const std::string shown_group = "groups[" + std::to_string(g) + "]";
      if (auto [it, inserted] = group_path_of_device.emplace(name, shown_group); !inserted) {
        return Invalid(member_path, "device " + Quoted(name) + " is already in " + it->second);
      }
      members.push_back(std::move(name));
    }
    step->groups.push_back(std::move(members));
  }
  if (const json* one_way = Find(value, "one_way")) {
    SYNCSIM_RETURN_IF_ERROR(ReadBool(*one_way, MemberPath(path, "one_way"), &step->one_way));
  }
  return Status::Ok();
}

Status StepParser::ParseSetNetwork(const json& value, const std::string& path, ScenarioStep* step) {
  bool any = false;
  for (std::string_view key : kNetworkKeys) any = any || value.contains(key);
  if (!any) return Invalid(path, "set_network needs at least one of " + QuotedAlternatives(kNetworkKeys));
  ScenarioNetwork checked;
  SYNCSIM_RETURN_IF_ERROR(ParseNetworkSettings(value, path, &checked));
  for (std::string_view key : kNetworkKeys) {
    if (const json* given = Find(value, key)) step->network_changes[std::string(key)] = *given;
  }
  if (const json* link = Find(value, "link")) {
    const std::string link_path = MemberPath(path, "link");
    if (!link->is_array() || link->size() != 2) {
      return Invalid(link_path, "expected [from, to], two device names, got " + Describe(*link));
    }
    std::string from;
    std::string to;
    SYNCSIM_RETURN_IF_ERROR(ReadDevice((*link)[0], ElementPath(link_path, 0), &from));
    SYNCSIM_RETURN_IF_ERROR(ReadDevice((*link)[1], ElementPath(link_path, 1), &to));
    if (from == to) return Invalid(link_path, "a link joins two different devices, got " + Quoted(from) + " twice");
    step->link = std::make_pair(std::move(from), std::move(to));
  }
  return Status::Ok();
}

Status StepParser::ParseIndex(const json& value, const std::string& path, ScenarioStep* step) {
  SYNCSIM_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
  const std::string location_path = MemberPath(path, "location");
  SYNCSIM_RETURN_IF_ERROR(ReadName(value["location"], location_path, &step->location));
  auto [it, inserted] = indexing_step_of_location_.emplace(std::make_pair(step->device, step->location), path);
  if (!inserted) {
    return Invalid(location_path, "location " + Quoted(step->location) + " is already indexed on device " +
                                      Quoted(step->device) + " by " + it->second);
  }
  SYNCSIM_RETURN_IF_ERROR(ReadCount(value["dirs"], MemberPath(path, "dirs"), 1, kScenarioDirsMax, &step->dirs));
  SYNCSIM_RETURN_IF_ERROR(
      ReadCount(value["files"], MemberPath(path, "files"), 0, kScenarioFilesMax, &step->files));
  if (const json* ratio = Find(value, "duplicate_content")) {
    SYNCSIM_RETURN_IF_ERROR(
        ReadFraction(*ratio, MemberPath(path, "duplicate_content"), &step->duplicate_content));
  }
  if (const json* ratio = Find(value, "identify_errors")) {
    SYNCSIM_RETURN_IF_ERROR(ReadFraction(*ratio, MemberPath(path, "identify_errors"), &step->identify_errors));
  }
  if (const json* rate = Find(value, "files_per_s")) {
    SYNCSIM_RETURN_IF_ERROR(
        ReadCount(*rate, MemberPath(path, "files_per_s"), 1, kScenarioFilesMax, &step->files_per_s));
  }
  return Status::Ok();
}

Status StepParser::ParseMutate(const json& value, const std::string& path, ScenarioStep* step) {
  SYNCSIM_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
  const std::string location_path = MemberPath(path, "location");
  SYNCSIM_RETURN_IF_ERROR(ReadName(value["location"], location_path, &step->location));
  if (indexing_step_of_location_.count(std::make_pair(step->device, step->location)) == 0) {
    return Invalid(location_path, "location " + Quoted(step->location) + " is not indexed on device " +
                                      Quoted(step->device) + " by an earlier step");
  }
  const std::array<std::pair<std::string_view, uint32_t*>, 3> counts = {
      std::make_pair(std::string_view("renames"), &step->renames),
      std::make_pair(std::string_view("moves"), &step->moves),
      std::make_pair(std::string_view("deletes"), &step->deletes),
  };
  for (const auto& [key, out] : counts) {
    if (const json* count = Find(value, key)) {
      SYNCSIM_RETURN_IF_ERROR(ReadCount(*count, MemberPath(path, key), 0, kScenarioOperationsMax, out));
    }
  }
  if (const json* rate = Find(value, "ops_per_s")) {
    SYNCSIM_RETURN_IF_ERROR(
        ReadCount(*rate, MemberPath(path, "ops_per_s"), 1, kScenarioOperationsMax, &step->ops_per_s));
  }
  return Status::Ok();
}

Status StepParser::ParseTag(const json& value, const std::string& path, ScenarioStep* step) {
  SYNCSIM_RETURN_IF_ERROR(ReadDeviceList(value["devices"], MemberPath(path, "devices"), 1, &step->devices));
  SYNCSIM_RETURN_IF_ERROR(
      ReadCount(value["tags"], MemberPath(path, "tags"), 1, kScenarioOperationsMax, &step->tags));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(value["applications"], MemberPath(path, "applications"), 0,
                                           kScenarioOperationsMax, &step->applications));
  if (const json* rate = Find(value, "ops_per_s")) {
    SYNCSIM_RETURN_IF_ERROR(
        ReadCount(*rate, MemberPath(path, "ops_per_s"), 1, kScenarioOperationsMax, &step->ops_per_s));
  }
  return Status::Ok();
}

Status StepParser::ParseCollect(const json& value, const std::string& path, ScenarioStep* step) {
  SYNCSIM_RETURN_IF_ERROR(ReadDevice(value["device"], MemberPath(path, "device"), &step->device));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(value["collections"], MemberPath(path, "collections"), 0,
                                           kScenarioOperationsMax, &step->collections));
  SYNCSIM_RETURN_IF_ERROR(ReadCount(value["entries_per_collection"],
                                           MemberPath(path, "entries_per_collection"), 0, kScenarioOperationsMax,
                                           &step->entries_per_collection));
  if (const json* owner = Find(value, "owner")) {
    SYNCSIM_RETURN_IF_ERROR(ReadDevice(*owner, MemberPath(path, "owner"), &step->owner));
  }
  const uint64_t total = uint64_t{step->collections} * step->entries_per_collection;
  if (total > kScenarioOperationsMax) {
    return Invalid(path, "collections * entries_per_collection is " + std::to_string(total) +
                             " collection entries, the maximum is " + std::to_string(kScenarioOperationsMax));
  }
  return Status::Ok();
}

// expect.must_fail: known check names (or counts.DEVICE.MODEL), each once.

}  // namespace syncsim::sim
