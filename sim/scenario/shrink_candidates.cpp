#include "sim/scenario/shrink_candidates.h"

#include <algorithm>
#include <string>

#include "sim/action/action.h"
#include "sim/scenario/shrink_numbers.h"

namespace syncsim::sim {
namespace {

using json = nlohmann::json;

// `list` without the elements equal to `name`.
json Without(const json& list, const std::string& name) {
  json kept = json::array();
  for (const json& element : list) {
    if (element != name) kept.push_back(element);
  }
  return kept;
}

// Partition groups without `name`, empty groups left out.
json GroupsWithout(const json& groups, const std::string& name) {
  json kept = json::array();
  for (const json& group : groups) {
    json members = Without(group, name);
    if (!members.empty()) kept.push_back(std::move(members));
  }
  return kept;
}

// The fewest devices a step's `devices` list needs.
size_t DevicesNeeded(const json& step) { return ShrinkHintsOf(step).devices_min; }

// `step` without device `name`; false when the step makes no sense
// without it (it acts on the device, or lists too few devices then).
bool StepWithoutDevice(json* step, const std::string& name) {
  if (step->value("device", "") == name) return false;
  // A collect of the device's entries: without the device there are none.
  if (step->value("owner", "") == name) return false;
  if (step->contains("link") && (*step)["link"].is_array() &&
      std::find((*step)["link"].begin(), (*step)["link"].end(), name) != (*step)["link"].end()) {
    return false;
  }
  if (step->contains("devices") && (*step)["devices"].is_array()) {
    json names = Without((*step)["devices"], name);
    if (names.size() < DevicesNeeded(*step)) return false;
    (*step)["devices"] = std::move(names);
  }
  if (step->contains("groups") && (*step)["groups"].is_array()) {
    json groups = GroupsWithout((*step)["groups"], name);
    if (groups.size() < 2) return false;
    (*step)["groups"] = std::move(groups);
  }
  return true;
}

// Removes every mention of device `name`; returns false when that leaves no
// device.
bool RemoveDevice(json* document, const std::string& name) {
  json& devices = (*document)["devices"];
  json kept_devices = json::array();
  for (const json& device : devices) {
    if (device.value("name", "") != name) kept_devices.push_back(device);
  }
  if (kept_devices.empty()) return false;
  devices = kept_devices;
  json kept_steps = json::array();
  for (json step : (*document)["steps"]) {
    if (StepWithoutDevice(&step, name)) kept_steps.push_back(std::move(step));
  }
  (*document)["steps"] = kept_steps;
  if (document->contains("expect") && (*document)["expect"].contains("counts")) {
    (*document)["expect"]["counts"].erase(name);
  }
  return true;
}

void AddWithoutDevices(const json& document, std::vector<json>* candidates) {
  if (document["devices"].size() <= 1) return;
  for (const json& device : document["devices"]) {
    json candidate = document;
    if (RemoveDevice(&candidate, device.value("name", ""))) candidates->push_back(std::move(candidate));
  }
}

void AddWithoutSteps(const json& document, std::vector<json>* candidates) {
  for (size_t i = 0; i < document["steps"].size(); ++i) {
    json candidate = document;
    candidate["steps"].erase(candidate["steps"].begin() + static_cast<long>(i));
    if (!candidate["steps"].empty()) candidates->push_back(std::move(candidate));
  }
}

// Adds `document` without each step that must go with a later one (a
// crash and the restart that follows it: either alone leaves a scenario the
// loader refuses, a restart of a running device, so single-step removal
// could never take a crash away). The action says which (removed_with).
void AddWithoutStepPairs(const json& document, std::vector<json>* candidates) {
  const json& steps = document["steps"];
  for (size_t first = 0; first < steps.size(); ++first) {
    const std::string_view partner = ShrinkHintsOf(steps[first]).removed_with;
    if (partner.empty()) continue;
    const std::string device = steps[first].value("device", "");
    for (size_t second = first + 1; second < steps.size(); ++second) {
      if (steps[second].value("action", "") != partner || steps[second].value("device", "") != device) continue;
      json candidate = document;
      candidate["steps"].erase(candidate["steps"].begin() + static_cast<long>(second));
      candidate["steps"].erase(candidate["steps"].begin() + static_cast<long>(first));
      if (!candidate["steps"].empty()) candidates->push_back(std::move(candidate));
      break;
    }
  }
}

// Sync knobs back to their defaults (the key left out), one defect of
// several left out, and the stall window back to its default. A defect
// alone is kept: without it there is nothing left to find.
void AddDefaultKnobs(const json& document, std::vector<json>* candidates) {
  if (document.contains("stall_window_ms")) {
    json candidate = document;
    candidate.erase("stall_window_ms");
    candidates->push_back(std::move(candidate));
  }
  if (!document.contains("sync") || !document["sync"].is_object()) return;
  for (const auto& [key, value] : document["sync"].items()) {
    if (key == "defects" && !value.empty()) continue;
    json candidate = document;
    candidate["sync"].erase(key);
    candidates->push_back(std::move(candidate));
  }
  const json& defects = document["sync"].value("defects", json::array());
  if (!defects.is_array() || defects.size() < 2) return;
  for (const json& defect : defects) {
    json candidate = document;
    candidate["sync"]["defects"] = Without(defects, defect.get<std::string>());
    candidates->push_back(std::move(candidate));
  }
}

// A device out of a step's device list (a connect of three, a tag by two)
// or out of a partition group (it joins the group of the unnamed devices).
void AddFewerStepDevices(const json& document, std::vector<json>* candidates) {
  const json& steps = document["steps"];
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps[i];
    if (step.contains("devices") && step["devices"].is_array() && step["devices"].size() > DevicesNeeded(step)) {
      for (const json& name : step["devices"]) {
        json candidate = document;
        candidate["steps"][i]["devices"] = Without(step["devices"], name.get<std::string>());
        candidates->push_back(std::move(candidate));
      }
    }
    if (!step.contains("groups") || !step["groups"].is_array()) continue;
    for (const json& group : step["groups"]) {
      for (const json& name : group) {
        json groups = GroupsWithout(step["groups"], name.get<std::string>());
        if (groups.empty()) continue;
        json candidate = document;
        candidate["steps"][i]["groups"] = std::move(groups);
        candidates->push_back(std::move(candidate));
      }
    }
  }
}

// Without a network fault or a clock skew.
void AddWithoutFaults(const json& document, std::vector<json>* candidates) {
  if (document.contains("network")) {
    for (const char* fault : {"drop", "duplicate"}) {
      if (document["network"].value(fault, 0.0) > 0) {
        json candidate = document;
        candidate["network"][fault] = 0.0;
        candidates->push_back(std::move(candidate));
      }
    }
  }
  for (size_t i = 0; i < document["devices"].size(); ++i) {
    if (document["devices"][i].contains("clock")) {
      json candidate = document;
      candidate["devices"][i].erase("clock");
      candidates->push_back(std::move(candidate));
    }
  }
}

// Without a step's fixed time: it then runs right after the step before.
void AddWithoutFixedTimes(const json& document, std::vector<json>* candidates) {
  for (size_t i = 0; i < document["steps"].size(); ++i) {
    if (!document["steps"][i].contains("at_ms")) continue;
    json candidate = document;
    candidate["steps"][i].erase("at_ms");
    candidates->push_back(std::move(candidate));
  }
}

}  // namespace

std::vector<json> ShrinkCandidates(const json& document) {
  std::vector<json> candidates;
  AddWithoutDevices(document, &candidates);
  AddWithoutSteps(document, &candidates);
  AddWithoutStepPairs(document, &candidates);
  AddFewerStepDevices(document, &candidates);
  AddSizeCandidates(document, &candidates);
  AddWithoutFaults(document, &candidates);
  AddDefaultKnobs(document, &candidates);
  AddOtherNumberCandidates(document, &candidates);
  AddWithoutFixedTimes(document, &candidates);
  return candidates;
}

}  // namespace syncsim::sim
