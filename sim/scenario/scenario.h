// Scenario: a multi-device history as data (DESIGN.md 5). The loader turns a
// JSON file into this, validating every field; the runner replays it. A
// scenario combines workloads (index, mutate, tag, collect) with faults
// (partitions, crashes, clock jumps, lossy links) on a timeline of steps.
#pragma once

#include <any>
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sync_settings.h"
#include "sim/action/action_bounds.h"
#include "sim/action/network_settings.h"
#include "sim/kernel/device_clock.h"
#include "sim/kernel/network.h"
#include "sim/storage/storage_settings.h"

namespace syncsim::sim {

// Bounds that keep a typo from asking for a run that never ends or exhausts
// memory. The loader rejects anything beyond them (and those of the steps,
// sim/action/action_bounds.h).
inline constexpr uint32_t kScenarioDevicesMax = 16;
inline constexpr uint32_t kScenarioStepsMax = 10'000;
// Entries all index steps write, counted once per device that will hold
// them (every device holds every entry): 1,000,000 files on 4 devices.
inline constexpr uint64_t kScenarioDeviceEntriesMax = 4'000'000;
inline constexpr int64_t kScenarioDriftPpmMax = 100'000;
inline constexpr uint32_t kScenarioBatchSizeMax = 100'000;
inline constexpr uint32_t kScenarioBufferMax = 1'000'000;
inline constexpr size_t kScenarioNameLengthMax = 64;
// A scenario file larger than this is refused before it is parsed. The
// largest scenario of the repository is a few kilobytes; a file of steps at
// kScenarioStepsMax is about 2 MB.
inline constexpr size_t kScenarioFileBytesMax = 4 * 1024 * 1024;
// The default of Scenario::stall_window_ms.
inline constexpr int64_t kScenarioStallWindowMsDefault = 30'000;

struct ScenarioDevice {
  std::string name;
  DeviceClockSettings clock;
  bool start = true;  // false: off until a `start` step (a late joiner)
  DeviceStorageOverrides storage;  // its own fault probabilities, if any
};

// One step of the timeline: when, which action, and the settings the
// action's parser made of the step's keys (sim/action/action.h): a value of
// the action's own settings type (sim/faults/fault_settings.h,
// sim/control/control_settings.h, the workloads' settings).
struct ScenarioStep {
  std::optional<int64_t> at_ms;  // absent: right after the step before
  std::string action;
  std::any settings;
};

struct ScenarioExpect {
  std::optional<bool> converged;
  std::optional<bool> stall;
  std::optional<double> linkage_min;
  std::optional<int64_t> orphans_max;
  // Anti-entropy work, summed over devices: (owner, model)s whose digests
  // disagreed after a watermark exchange, and records those re-syncs had to
  // apply. A scenario without faults that lose data needs none.
  std::optional<int64_t> resyncs_max;
  std::optional<int64_t> repaired_max;
  // Liveness: once the last fault step has run (and every workload is
  // done), every device converges within this much virtual time
  // (sim/check/liveness.h).
  std::optional<int64_t> converge_within_ms;
  // A negative scenario's checks that must fail (the planted bug is caught);
  // every other check must hold.
  std::set<std::string, std::less<>> must_fail;
  // device -> model -> expected row count
  std::map<std::string, std::map<std::string, int64_t>> counts;
};

struct Scenario {
  std::string name;
  std::string description;
  uint64_t seed = 1;
  std::vector<ScenarioDevice> devices;
  ScenarioNetwork network;
  core::SyncSettings sync;
  ScenarioStorage storage;
  // How long without progress, while work is pending or devices disagree,
  // counts as a stall (virtual time).
  int64_t stall_window_ms = kScenarioStallWindowMsDefault;
  std::vector<ScenarioStep> steps;
  ScenarioExpect expect;
};

}  // namespace syncsim::sim
