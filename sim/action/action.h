// Action: one kind of scenario step, in the manner of FoundationDB's
// workloads: a fault that changes the world (partition, crash, clock_jump,
// ...), a workload that writes (index, mutate, ...) or a control step of the
// timeline (run_until_quiescent, snapshot). Each action is one file that
// declares its name and keys, parses its own settings, runs them, and may
// offer hooks to the swarm (to draw it) and to the shrinker (to make it
// smaller). The step parser, the runner, the swarm and the shrinker know
// actions only through this registry.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/kernel/random.h"

namespace syncsim::sim {

class ActionRun;
class StepParseContext;

enum class ActionKind {
  kFault,     // changes the network, a device's power or its clock
  kWorkload,  // devices write; runs until its workload is done
  kControl,   // shapes the timeline itself (waits, snapshots)
};

// One key a step of the action may have, besides `at_ms` and `action`.
struct ActionKey {
  std::string_view name;
  bool required = false;
  // What the key holds and its bounds, as the documentation says it
  // ("a count from 1 to 100000").
  std::string_view holds;
};

// What a running device becomes after the step: the swarm only crashes a
// device that runs where its drawn steps go.
enum class PowerEffect { kNone, kTurnsOn, kTurnsOff };

// A step the swarm drew, at `offset_ms` after the last explicit time before
// the drawn steps. Steps of one fault (a partition and its heal) share a
// group: they are kept or dropped together.
struct DrawnStep {
  int64_t offset_ms = 0;
  nlohmann::json step;
  size_t group = 0;
};

// What the swarm knows when it asks an action to draw steps.
struct SwarmWorld {
  std::vector<std::string> devices;  // every device, in declaration order
  std::vector<std::string> running;  // those running where the drawn steps go
};

// Draws this action's steps (any number, maybe none) from `random`.
using SwarmDraw = std::function<void(const SwarmWorld& world, Random* random, std::vector<DrawnStep>* steps)>;

// An integer key that sizes a step's work, and the smallest value it takes.
struct SizeKey {
  std::string_view name;
  int64_t floor = 0;
  // The key sets how long the workload runs (its operations over its
  // rate): shrinking it moves later fixed times closer.
  bool sets_duration = true;
};

// How the shrinker may make a step of this action smaller.
struct ShrinkHints {
  // The fewest names the step's `devices` list needs.
  size_t devices_min = 1;
  // A step that must go together with the next step of this action on the
  // same device (a crash with its restart: either alone is refused).
  std::string_view removed_with;
  // Integer keys that size the work, tried in this order.
  std::vector<SizeKey> size_keys;
  // Probabilities shrunk toward 0.
  std::vector<std::string_view> probability_keys;
  // The step holds network keys (latency_ms, drop, duplicate) that shrink
  // like the scenario's network.
  bool network_keys = false;
};

// Validates a step (an object holding only the declared keys, every
// required one among them; checked before) at JSON path `path` into
// *settings, a value of the action's own settings type. Errors name the
// JSON path (sim/base/json_readers.h). REQUIRES: settings != nullptr.
using ActionParse = std::function<core::Status(const nlohmann::json& step, const std::string& path,
                                               StepParseContext* context, std::any* settings)>;
// Runs a step whose settings `parse` produced. Returns a failure only for
// what the scenario cannot control (a database that cannot be opened, a
// snapshot that cannot be written).
using ActionRunner = std::function<core::Status(const std::any& settings, ActionRun* run)>;

struct Action {
  std::string_view name;
  ActionKind kind = ActionKind::kFault;
  // The place of the action where actions are listed (the "actions: ..."
  // of an unknown-action error, docs/scenario-format.md, `syncsim list`):
  // connections, faults, workloads, control.
  int listing_order = 0;
  // Required keys first, in the order a missing one is reported.
  std::vector<ActionKey> keys;
  ActionParse parse;
  ActionRunner run;
  PowerEffect power = PowerEffect::kNone;
  // The trace records a "step" line after the step ran. Snapshot steps
  // have never recorded one: recording it now would change every
  // fingerprint taken so far.
  bool records_step = true;
  // Drawn by the swarm when set, in the order of `swarm_order` (the order
  // in which actions draw from the swarm's one random stream).
  SwarmDraw swarm;
  int swarm_order = 0;
  ShrinkHints shrink;

  std::vector<std::string_view> RequiredKeys() const;
  std::vector<std::string_view> OptionalKeys() const;
};

// Registers an action; returns true so it can initialise a namespace-scope
// constant in the action's own file.
// REQUIRES: name, parse and run set; the name and listing_order not taken.
bool RegisterAction(Action action);
// The action named `name`, or nullptr.
const Action* FindAction(std::string_view name);
// The shrink hints of a step document's action; empty hints when the step
// names no known action.
const ShrinkHints& ShrinkHintsOf(const nlohmann::json& step);
// Every registered action, by listing_order.
std::vector<const Action*> RegisteredActions();

}  // namespace syncsim::sim
