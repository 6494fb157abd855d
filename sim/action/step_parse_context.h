// StepParseContext: what an action's parser may consult and record while
// the steps of one scenario are read in order: the declared devices (a
// step names only those), the devices' power so far, facts earlier steps
// established (a location indexed, a phase named), and the work all steps
// ask for together (kept within what one machine can hold).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/action/device_power.h"

namespace syncsim::sim {

class StepParseContext {
 public:
  // The scenario's devices, by name, with whether each runs from the start.
  explicit StepParseContext(const std::vector<std::pair<std::string, bool>>& devices);

  const std::set<std::string, std::less<>>& device_names() const { return device_names_; }

  // A declared device's name at `path` into *out.
  core::Status ReadDevice(const nlohmann::json& value, const std::string& path, std::string* out) const;
  // At least `min_count` distinct declared devices.
  core::Status ReadDeviceList(const nlohmann::json& value, const std::string& path, size_t min_count,
                              std::vector<std::string>* out) const;

  // A start, crash or restart of `device` by the step at `step_path`;
  // refused when the device's power so far forbids it.
  core::Status ChangePower(std::string_view action, const std::string& device, const std::string& step_path) {
    return power_.Change(action, device, step_path);
  }

  // Facts of earlier steps, by topic ("indexed location", "phase") and key:
  // the JSON path that first recorded the key, or nothing.
  std::optional<std::string> FirstPathOf(std::string_view topic, const std::string& key) const;
  // REQUIRES: !FirstPathOf(topic, key).
  void Record(std::string_view topic, const std::string& key, std::string path);

  // The work a step asks for, added to the totals the step parser bounds:
  // files an index step writes, operations of mutate, tag and collect.
  void CountFiles(uint64_t files) { files_total_ += files; }
  void CountOperations(uint64_t operations) { operations_total_ += operations; }
  uint64_t files_total() const { return files_total_; }
  uint64_t operations_total() const { return operations_total_; }

 private:
  std::set<std::string, std::less<>> device_names_;
  DevicePowerHistory power_;
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> first_paths_;
  uint64_t files_total_ = 0;
  uint64_t operations_total_ = 0;
};

}  // namespace syncsim::sim
