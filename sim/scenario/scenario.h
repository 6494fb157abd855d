// Scenario: a multi-device history as data (DESIGN.md 5). The loader turns a
// JSON file into this, validating every field; the runner replays it. A
// scenario combines workloads (index, mutate, tag, collect) with faults
// (partitions, crashes, clock jumps, lossy links) on a timeline of steps.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sync_settings.h"
#include "sim/kernel/device_clock.h"
#include "sim/kernel/network.h"

namespace syncsim::sim {

// Bounds that keep a typo from asking for a run that never ends or exhausts
// memory. The loader rejects anything beyond them.
inline constexpr uint32_t kScenarioDevicesMax = 16;
inline constexpr uint32_t kScenarioStepsMax = 10'000;
inline constexpr uint32_t kScenarioDirsMax = 100'000;
inline constexpr uint32_t kScenarioFilesMax = 1'000'000;
inline constexpr uint32_t kScenarioOperationsMax = 1'000'000;  // per step, and over all steps
// Entries all index steps write, counted once per device that will hold
// them (every device holds every entry): 1,000,000 files on 4 devices.
inline constexpr uint64_t kScenarioDeviceEntriesMax = 4'000'000;
inline constexpr int64_t kScenarioTimeMsMax = 86'400'000;  // one virtual day
inline constexpr int64_t kScenarioLatencyMsMax = 600'000;
inline constexpr int64_t kScenarioClockOffsetMsMax = 10LL * 365 * 86'400'000;
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
};

struct ScenarioNetwork {
  int64_t latency_ms_min = 1;
  int64_t latency_ms_max = 40;
  double drop = 0;
  double duplicate = 0;
};

// One step of the timeline. `action` names what it does; the fields used
// depend on the action (see DESIGN.md 5); unused ones keep their defaults.
struct ScenarioStep {
  std::optional<int64_t> at_ms;  // absent: right after the step before
  std::string action;
  std::vector<std::string> devices;              // connect, disconnect, tag
  std::vector<std::vector<std::string>> groups;  // partition
  bool one_way = false;                          // partition
  std::string device;                            // start, crash, restart, clock_jump, index, mutate, collect
  std::optional<std::pair<std::string, std::string>> link;  // set_network: one directed link
  nlohmann::json network_changes = nlohmann::json::object();  // set_network: the keys it sets
  int64_t by_ms = 0;                             // clock_jump
  std::string location;                          // index, mutate
  uint32_t dirs = 1;                             // index
  uint32_t files = 0;                            // index
  double duplicate_content = 0;                  // index
  double identify_errors = 0;                    // index
  uint32_t files_per_s = 300;                    // index
  uint32_t renames = 0;                          // mutate
  uint32_t moves = 0;                            // mutate
  uint32_t deletes = 0;                          // mutate
  uint32_t ops_per_s = 100;                      // mutate, tag
  uint32_t tags = 0;                             // tag
  uint32_t applications = 0;                     // tag
  uint32_t collections = 0;                      // collect
  uint32_t entries_per_collection = 0;           // collect
  std::string owner;                             // collect: whose entries (empty: the collecting device's own)
  int64_t max_ms = 0;                            // run_until_quiescent
  std::string phase;                             // snapshot
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
  // How long without progress, while work is pending or devices disagree,
  // counts as a stall (virtual time).
  int64_t stall_window_ms = kScenarioStallWindowMsDefault;
  std::vector<ScenarioStep> steps;
  ScenarioExpect expect;
};

}  // namespace syncsim::sim
