#include "sim/scenario/swarm.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "core/sync_settings.h"
#include "sim/action/action.h"
#include "sim/kernel/random.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/swarm_knobs.h"
#include "sim/scenario/swarm_storage.h"

namespace syncsim::sim {
namespace {

// Where the drawn steps go: before the first run_until_quiescent, or at the
// end.
size_t InsertionIndex(const nlohmann::json& steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].is_object() && steps[i].value("action", "") == "run_until_quiescent") return i;
  }
  return steps.size();
}

// Removes from `names` the devices that are not running just before step
// `insert_at` (crashed there, or not started yet), so that a drawn crash
// always hits a running device. Which steps turn a device on or off, their
// actions say (Action::power).
void KeepRunningAt(const nlohmann::json& steps, size_t insert_at, std::vector<std::string>* names) {
  for (size_t i = 0; i < insert_at && i < steps.size(); ++i) {
    if (!steps[i].is_object() || !steps[i].contains("device") || !steps[i]["device"].is_string()) continue;
    const Action* action = FindAction(steps[i].value("action", ""));
    if (action == nullptr) continue;
    const std::string device = steps[i]["device"].get<std::string>();
    if (action->power == PowerEffect::kTurnsOff) {
      names->erase(std::remove(names->begin(), names->end(), device), names->end());
    } else if (action->power == PowerEffect::kTurnsOn &&
               std::find(names->begin(), names->end(), device) == names->end()) {
      names->push_back(device);
    }
  }
}

// The page size a document sets (its own or drawn), or the default.
int64_t DocumentPageSize(const nlohmann::json& document) {
  // find, not operator[]: a document without "sync" must stay without it.
  const auto sync = document.find("sync");
  if (sync != document.end() && sync->is_object() && sync->contains("page_size") &&
      (*sync)["page_size"].is_number_integer()) {
    return std::max<int64_t>(1, (*sync)["page_size"].get<int64_t>());
  }
  return core::SyncSettings().page_size;
}

// Drawn knobs make a run slower, not wrong (a page of one record is a round
// trip per record): each run_until_quiescent gets at least
// SwarmQuiescenceMs. A run that makes no progress is still a stall after
// stall_window_ms.
void LiftQuiescenceBounds(int64_t allowance_ms, nlohmann::json* steps, nlohmann::json* drawn) {
  for (nlohmann::json& step : *steps) {
    if (!step.is_object() || step.value("action", "") != "run_until_quiescent") continue;
    if (!step.contains("max_ms") || !step["max_ms"].is_number_integer()) continue;
    if (step["max_ms"].get<int64_t>() >= allowance_ms) continue;
    step["max_ms"] = allowance_ms;
    (*drawn)["quiescence_max_ms"] = allowance_ms;
  }
}

// A scenario's converge_within_ms is written for its own network and knobs;
// drawn latency, loss and knobs make convergence slower, not wrong (seed 3
// of crash_restart_mid_sync: pages of 5 records and a catch-up buffer of 1
// take 919 pages and 3,121 catch-up rounds, converging 58 s after the
// workload's end against a bound of 2 s). Under the swarm the bound is at
// least kSwarmConvergeWithinMsMin and the stall window (raised by the drawn
// knobs where they need it), times the factor by which the page is smaller
// than the default one: a catch-up costs a round trip per page, and pages
// of 1 to 3 records made 45 of 300 seeds of crash_restart_mid_sync
// converge 5 to 27 minutes after the workload's end (4,100 records, a
// round trip per page, restarts after storage errors starting over). At
// most SwarmQuiescenceMs, the time each run_until_quiescent is given
// under the swarm. A run still apart that long after its faults end fails
// it. Recorded in `drawn`, so the printed swarm says what the check
// allowed.
void LiftLivenessBound(nlohmann::json* document, nlohmann::json* drawn) {
  nlohmann::json* expect = document->contains("expect") ? &(*document)["expect"] : nullptr;
  if (expect == nullptr || !expect->is_object() || !expect->contains("converge_within_ms") ||
      !(*expect)["converge_within_ms"].is_number_integer()) {
    return;
  }
  int64_t stall_window_ms = kScenarioStallWindowMsDefault;
  if (document->contains("stall_window_ms") && (*document)["stall_window_ms"].is_number_integer()) {
    stall_window_ms = (*document)["stall_window_ms"].get<int64_t>();
  }
  const int64_t page_size = DocumentPageSize(*document);
  const int64_t page_factor = std::max<int64_t>(1, (core::SyncSettings().page_size + page_size - 1) / page_size);
  const int64_t lifted_ms =
      std::min(SwarmQuiescenceMs(page_size), std::max(stall_window_ms, kSwarmConvergeWithinMsMin) * page_factor);
  if ((*expect)["converge_within_ms"].get<int64_t>() >= lifted_ms) return;
  (*expect)["converge_within_ms"] = lifted_ms;
  (*drawn)["converge_within_ms"] = lifted_ms;
}

// The earliest and latest time drawn steps inserted at `insert_at` may
// have: steps run in order of their at_ms.
std::pair<int64_t, int64_t> InsertionWindow(const nlohmann::json& steps, size_t insert_at) {
  int64_t base_ms = 0;
  int64_t limit_ms = kScenarioTimeMsMax;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].is_object() || !steps[i].contains("at_ms") || !steps[i]["at_ms"].is_number_integer()) continue;
    const int64_t at_ms = steps[i]["at_ms"].get<int64_t>();
    if (i < insert_at) {
      base_ms = std::max(base_ms, at_ms);
    } else {
      limit_ms = std::min(limit_ms, at_ms);
    }
  }
  return {base_ms, std::max(base_ms, limit_ms)};
}

// Drops every fault with a step later than `limit_offset_ms`, with the rest
// of its group (a crash without its restart would change the scenario after
// the window).
void DropFaultsAfter(int64_t limit_offset_ms, std::vector<DrawnStep>* faults) {
  std::set<size_t> late_groups;
  for (const DrawnStep& fault : *faults) {
    if (fault.offset_ms > limit_offset_ms) late_groups.insert(fault.group);
  }
  std::erase_if(*faults, [&](const DrawnStep& fault) { return late_groups.count(fault.group) > 0; });
}

// The network's latency, drop and duplicate, and the engine's knobs for it.
void DrawNetwork(uint64_t seed, Random* random, nlohmann::json* document, nlohmann::json* drawn) {
  nlohmann::json& network = (*document)["network"];
  if (!network.is_object()) network = nlohmann::json::object();
  const int64_t latency_min = random->Range(0, 10);
  const std::vector<int64_t> spreads = {20, 80, kSwarmLatencyMsMax - 10};
  const int64_t latency_max = latency_min + random->Range(1, random->Choice(spreads));
  network["latency_ms"] = {{"min", latency_min}, {"max", latency_max}};
  // Probabilities in thousandths, so that the file shows short numbers.
  network["drop"] = random->Bernoulli(0.5) ? static_cast<double>(random->Range(1, 300)) / 1000.0 : 0.0;
  network["duplicate"] = random->Bernoulli(0.5) ? static_cast<double>(random->Range(1, 300)) / 1000.0 : 0.0;
  (*drawn)["network"] = network;
  // The engine's knobs, for a network as slow as the slowest link this run
  // can have (a set_network step may slow one down).
  int64_t slowest_ms = latency_max;
  for (const nlohmann::json& step : (*document)["steps"]) {
    if (step.is_object() && step.contains("latency_ms") && step["latency_ms"].is_object() &&
        step["latency_ms"].contains("max") && step["latency_ms"]["max"].is_number_integer()) {
      slowest_ms = std::max(slowest_ms, step["latency_ms"]["max"].get<int64_t>());
    }
  }
  (*drawn)["sync"] = DrawSwarmKnobs(seed, slowest_ms, document);
}

// Each device's clock offset and drift; *names gets every device,
// *crashable those that run from the start (only those may crash). False
// when a device has no name (the loader then reports it).
bool DrawClocks(Random* random, nlohmann::json* document, nlohmann::json* drawn, std::vector<std::string>* names,
                std::vector<std::string>* crashable) {
  for (nlohmann::json& device : (*document)["devices"]) {
    if (!device.is_object() || !device.contains("name") || !device["name"].is_string()) return false;
    const std::string name = device["name"].get<std::string>();
    names->push_back(name);
    if (device.value("start", true)) crashable->push_back(name);
    nlohmann::json clock = nlohmann::json::object();
    if (random->Bernoulli(0.5)) clock["offset_ms"] = random->Range(-kSwarmClockOffsetMsMax, kSwarmClockOffsetMsMax);
    if (random->Bernoulli(0.5)) clock["drift_ppm"] = random->Range(-kSwarmDriftPpmMax, kSwarmDriftPpmMax);
    device["clock"] = clock;
    (*drawn)["clocks"][name] = clock;
  }
  return true;
}

// Every action's swarm hook, in swarm_order, drawing from one stream.
void DrawFaults(const SwarmWorld& world, Random* random, std::vector<DrawnStep>* faults) {
  std::vector<const Action*> drawers;
  for (const Action* action : RegisteredActions()) {
    if (action->swarm) drawers.push_back(action);
  }
  std::sort(drawers.begin(), drawers.end(),
            [](const Action* left, const Action* right) { return left->swarm_order < right->swarm_order; });
  for (const Action* action : drawers) action->swarm(world, random, faults);
}

}  // namespace

int64_t SwarmQuiescenceMs(int64_t page_size) {
  const int64_t pages = std::max<int64_t>(1, page_size);
  const int64_t factor = (kSwarmSmallPageRecords + pages - 1) / pages;
  return std::clamp(kSwarmQuiescenceMsMin * factor, kSwarmQuiescenceMsMin, kSwarmQuiescenceMsMax);
}

nlohmann::json ApplySwarm(uint64_t seed, nlohmann::json* document) {
  if (!document->is_object() || !document->contains("devices") || !(*document)["devices"].is_array() ||
      !document->contains("steps") || !(*document)["steps"].is_array()) {
    return nullptr;
  }
  Random random = SeedStreams(seed).Stream("swarm");
  nlohmann::json drawn = nlohmann::json::object();

  DrawNetwork(seed, &random, document, &drawn);
  std::vector<std::string> names;
  std::vector<std::string> crashable;
  if (!DrawClocks(&random, document, &drawn, &names, &crashable)) return nullptr;

  // Fault steps, drawn by the actions that offer a swarm hook, in their
  // swarm_order: partitions with their heals, crashes with their restarts,
  // clock jumps (sim/faults/). Several of a kind: a single fault of each
  // kind misses the bugs that need the second.
  nlohmann::json& steps = (*document)["steps"];
  const size_t insert_at = InsertionIndex(steps);
  KeepRunningAt(steps, insert_at, &crashable);
  std::vector<DrawnStep> faults;
  DrawFaults(SwarmWorld{.devices = names, .running = crashable}, &random, &faults);
  // Before the first run_until_quiescent (or at the end, followed by one),
  // no earlier than any explicit time before that point and no later than
  // the next explicit time or the scenario's time bound.
  const auto [base_ms, limit_ms] = InsertionWindow(steps, insert_at);
  DropFaultsAfter(limit_ms - base_ms, &faults);
  std::stable_sort(faults.begin(), faults.end(),
                   [](const DrawnStep& left, const DrawnStep& right) { return left.offset_ms < right.offset_ms; });
  nlohmann::json inserted = nlohmann::json::array();
  for (DrawnStep& fault : faults) {
    fault.step["at_ms"] = base_ms + fault.offset_ms;
    inserted.push_back(fault.step);
  }
  if (insert_at == steps.size() && !inserted.empty()) {
    inserted.push_back({{"action", "run_until_quiescent"}, {"max_ms", 600'000}});
  }
  steps.insert(steps.begin() + static_cast<long>(insert_at), inserted.begin(), inserted.end());
  if (!drawn["sync"].empty()) LiftQuiescenceBounds(SwarmQuiescenceMs(DocumentPageSize(*document)), &steps, &drawn);
  drawn["steps"] = inserted;
  DrawSwarmStorage(seed, document, &drawn);
  LiftLivenessBound(document, &drawn);
  return drawn;
}

}  // namespace syncsim::sim
