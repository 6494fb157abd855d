// Checks: the registry of what a finished run is judged by. Each check is
// one file in sim/check/ (check_*.cpp) that registers itself: the
// expectation it produces ("invariant.paths"), the `expect` keys it reads
// ("linkage_min") and a function from the run's facts to its verdicts. The
// runner gathers the facts once (RunFacts) and loops over the registry; the
// loader takes the keys `expect` accepts and the names `expect.must_fail`
// may give from here, so a new check is one new file.
//
// The order of the expectations in result.json is the checks' `order`, not
// the order of registration (static initialisation across translation units
// has none): stall, converge_within_ms, converged, quiescent, linkage_min,
// counts.DEVICE.MODEL, orphans_max, resyncs_max, repaired_max,
// invariant.acks, invariant.dangling, invariant.closure, invariant.paths,
// invariant.hlc, invariant.hlc_bounds, workloads. `expect.must_fail` is not
// a check but a pass after them all (ApplyMustFail): it turns the verdicts
// of the checks it names.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/engine.h"
#include "sim/check/convergence.h"
#include "sim/check/engine_events.h"
#include "sim/check/database_facts.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/run_result.h"

namespace syncsim::sim {

struct Verdict {
  bool ok = true;
  std::string detail;
};

// Shared changes a device made that one peer has not acked yet.
struct UnackedChanges {
  std::string peer;
  int64_t changes = 0;
};

// One device whose library database exists at the end of the run.
// What the device's storage went through (sim/cluster/device_storage.h).
struct StorageFacts {
  uint64_t integrity_checks = 0;                // one after each death
  std::vector<std::string> integrity_failures;  // failed checks and reopens
  uint64_t acked_changes_verified = 0;          // durable acks looked for after restarts
  std::vector<std::string> lost_acked_changes;  // ... and not found
};

struct DeviceRunFacts {
  std::string name;
  StorageFacts storage;
  DatabaseFacts database;
  core::EngineCounters counters;
  // max(hlc) of its shared_changes log; empty when the log is.
  std::optional<std::string> newest_change_hlc;
  // Per connected peer it can reach, when the device is on and the run
  // quiescent (the acks rule holds only then); empty otherwise.
  std::vector<UnackedChanges> unacked;
};

// What the checks read: the facts of the finished run, gathered once.
struct RunFacts {
  ScenarioExpect expect;
  nlohmann::json stall;  // null, or the stall diagnosis
  bool quiescent = false;
  ConvergenceResult convergence;
  std::vector<Linkage> linkage;
  std::vector<DeviceRunFacts> devices;  // in the scenario's device order
  Verdict hlc_bounds;
  std::optional<Verdict> liveness;  // with expect.converge_within_ms only
  std::vector<std::string> workload_problems;  // every workload's own check
  std::vector<DeviceEngineEvents> engine_events;  // in the scenario's device order
};

using CheckFunction = void (*)(const RunFacts& facts, std::vector<ExpectationResult>* out);

struct Check {
  // The expectation it produces. With `per_device_model` it is a pattern
  // ("counts.DEVICE.MODEL"): one expectation per device and model, named
  // in must_fail by its prefix.
  std::string_view name;
  bool per_device_model = false;
  // Position of its expectations in result.json (see above).
  int order = 0;
  // Position of its name in the list error messages give (the list of
  // must_fail's "unknown check" message has had its own order).
  int listed = 0;
  // The `expect` keys it reads.
  std::vector<std::string_view> expect_keys;
  // Appends its verdicts (none when the check does not apply to the run).
  CheckFunction evaluate = nullptr;
};

// One engine counter summed over the devices.
inline uint64_t SumOverDevices(const RunFacts& facts, uint64_t core::EngineCounters::*counter) {
  uint64_t sum = 0;
  for (const DeviceRunFacts& device : facts.devices) sum += device.counters.*counter;
  return sum;
}

// Registers a check; returns true so it can initialise a namespace-scope
// constant in the check's own file.
// REQUIRES: its name, order and listed are not registered yet.
bool RegisterCheck(Check check);
// Every check, by `order`.
const std::vector<Check>& RegisteredChecks();
// The check named `name` (a pattern by itself), or nullptr.
const Check* FindCheck(std::string_view name);
// The names `expect.must_fail` may give besides patterns, by `listed`.
std::vector<std::string_view> CheckNames();
// The keys `expect` accepts: every check's, and "must_fail", once each.
std::vector<std::string_view> ExpectKeys();

// expect.must_fail: a negative scenario passes when the checks it names
// fail, so their verdicts turn; a name no check produced fails.
void ApplyMustFail(const std::set<std::string, std::less<>>& must_fail, std::vector<ExpectationResult>* expectations);

}  // namespace syncsim::sim
