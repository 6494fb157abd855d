#include "sim/scenario/shrinker.h"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"

namespace syncsim::sim {
namespace {

using json = nlohmann::json;

// Step fields that size a workload, halved while the failure persists.
constexpr std::array<const char*, 9> kSizeFields = {"files",   "dirs",        "renames",     "moves",
                                                    "deletes", "tags",        "applications", "collections",
                                                    "entries_per_collection"};

// What a run's failure looks like: the checks that failed (with details)
// and the kinds of divergence.
struct Outcome {
  std::vector<std::pair<std::string, std::string>> failed;
  std::set<std::string> difference_keys;
};

// Runs one candidate; nullopt when it is not a valid scenario.
std::optional<Outcome> Run(const json& document) {
  Scenario scenario;
  if (!ParseScenario(document, &scenario).ok()) return std::nullopt;
  RunOptions options;
  options.out_dir.clear();  // nothing written
  RunResult result;
  if (!RunScenario(scenario, document, options, &result).ok()) return std::nullopt;
  Outcome outcome;
  for (const ExpectationResult& expectation : result.expectations) {
    if (!expectation.ok) outcome.failed.emplace_back(expectation.name, expectation.detail);
  }
  outcome.difference_keys.insert(result.difference_keys.begin(), result.difference_keys.end());
  return outcome;
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
    if (step.value("device", "") == name) continue;
    // A collect of the device's entries: without the device there are none.
    if (step.value("owner", "") == name) continue;
    if (step.contains("link") && step["link"].is_array() &&
        std::find(step["link"].begin(), step["link"].end(), name) != step["link"].end()) {
      continue;
    }
    if (step.contains("devices") && step["devices"].is_array()) {
      json names = json::array();
      for (const json& other : step["devices"]) {
        if (other != name) names.push_back(other);
      }
      const std::string action = step.value("action", "");
      const size_t needed = (action == "connect" || action == "disconnect") ? 2 : 1;
      if (names.size() < needed) continue;
      step["devices"] = names;
    }
    if (step.contains("groups") && step["groups"].is_array()) {
      json groups = json::array();
      for (const json& group : step["groups"]) {
        json members = json::array();
        for (const json& member : group) {
          if (member != name) members.push_back(member);
        }
        if (!members.empty()) groups.push_back(members);
      }
      if (groups.size() < 2) continue;
      step["groups"] = groups;
    }
    kept_steps.push_back(step);
  }
  (*document)["steps"] = kept_steps;
  if (document->contains("expect") && (*document)["expect"].contains("counts")) {
    (*document)["expect"]["counts"].erase(name);
  }
  return true;
}

// Adds `document` without each crash and the restart that follows it:
// either alone leaves a scenario the loader refuses (a restart of a running
// device), so single-step removal could never take a crash away.
void AddWithoutCrashPairs(const json& document, std::vector<json>* candidates) {
  const json& steps = document["steps"];
  for (size_t crash = 0; crash < steps.size(); ++crash) {
    if (steps[crash].value("action", "") != "crash") continue;
    const std::string device = steps[crash].value("device", "");
    for (size_t restart = crash + 1; restart < steps.size(); ++restart) {
      if (steps[restart].value("action", "") != "restart" || steps[restart].value("device", "") != device) continue;
      json candidate = document;
      candidate["steps"].erase(candidate["steps"].begin() + static_cast<long>(restart));
      candidate["steps"].erase(candidate["steps"].begin() + static_cast<long>(crash));
      if (!candidate["steps"].empty()) candidates->push_back(std::move(candidate));
      break;
    }
  }
}

// Every smaller variant of `document`, most drastic first.
std::vector<json> Candidates(const json& document) {
  std::vector<json> candidates;
  // Without one device.
  if (document["devices"].size() > 1) {
    for (const json& device : document["devices"]) {
      json candidate = document;
      if (RemoveDevice(&candidate, device.value("name", ""))) candidates.push_back(std::move(candidate));
    }
  }
  // Without one step.
  for (size_t i = 0; i < document["steps"].size(); ++i) {
    json candidate = document;
    candidate["steps"].erase(candidate["steps"].begin() + static_cast<long>(i));
    if (!candidate["steps"].empty()) candidates.push_back(std::move(candidate));
  }
  AddWithoutCrashPairs(document, &candidates);
  // Without a network fault.
  if (document.contains("network")) {
    for (const char* fault : {"drop", "duplicate"}) {
      if (document["network"].value(fault, 0.0) > 0) {
        json candidate = document;
        candidate["network"][fault] = 0.0;
        candidates.push_back(std::move(candidate));
      }
    }
  }
  // Without a clock skew.
  for (size_t i = 0; i < document["devices"].size(); ++i) {
    if (document["devices"][i].contains("clock")) {
      json candidate = document;
      candidate["devices"][i].erase("clock");
      candidates.push_back(std::move(candidate));
    }
  }
  // Smaller workloads.
  for (size_t i = 0; i < document["steps"].size(); ++i) {
    for (const char* field : kSizeFields) {
      const json& step = document["steps"][i];
      if (!step.contains(field) || !step[field].is_number_unsigned()) continue;
      const uint64_t size = step[field].get<uint64_t>();
      const uint64_t floor = std::string(field) == "dirs" ? 1 : 0;
      if (size <= floor) continue;
      json candidate = document;
      candidate["steps"][i][field] = std::max(floor, size / 2);
      candidates.push_back(std::move(candidate));
    }
  }
  return candidates;
}

}  // namespace

core::Status ShrinkScenario(const json& document, const std::function<void(uint64_t, bool)>& progress,
                            ShrinkResult* result) {
  std::optional<Outcome> original = Run(document);
  if (!original.has_value()) return core::Status::InvalidArgument("the scenario is not valid");
  if (original->failed.empty()) return core::Status::InvalidArgument("the scenario does not fail with this seed");
  *result = ShrinkResult();
  result->failure = original->failed.front().first;
  result->failure_detail = original->failed.front().second;
  std::set<std::string> original_failures;
  for (const auto& [name, detail] : original->failed) original_failures.insert(name);
  result->attempts = 1;
  result->steps_before = document["steps"].size();
  result->devices_before = document["devices"].size();
  json current = document;
  bool shrunk = true;
  while (shrunk && result->attempts < kShrinkAttemptsMax) {
    shrunk = false;
    for (json& candidate : Candidates(current)) {
      if (result->attempts >= kShrinkAttemptsMax) break;
      ++result->attempts;
      std::optional<Outcome> outcome = Run(candidate);
      // The same failure: every check that failed still fails, and the
      // devices diverge in no new way (devices that were never connected
      // also stall and diverge, but that is a different bug).
      bool same_failure = false;
      if (outcome.has_value()) {
        std::set<std::string> names;
        for (const auto& [name, detail] : outcome->failed) names.insert(name);
        same_failure =
            std::includes(names.begin(), names.end(), original_failures.begin(), original_failures.end()) &&
            std::includes(original->difference_keys.begin(), original->difference_keys.end(),
                          outcome->difference_keys.begin(), outcome->difference_keys.end());
        if (same_failure) {
          for (const auto& [name, detail] : outcome->failed) {
            if (name == result->failure) result->failure_detail = detail;
          }
        }
      }
      if (progress) progress(result->attempts, same_failure);
      if (!same_failure) continue;
      // Keep it and start over from the smaller scenario.
      current = std::move(candidate);
      ++result->accepted;
      shrunk = true;
      break;
    }
  }
  result->scenario = current;
  result->steps_after = current["steps"].size();
  result->devices_after = current["devices"].size();
  return core::Status::Ok();
}

}  // namespace syncsim::sim
