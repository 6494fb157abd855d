// ScenarioLoader: turns a scenario file (DESIGN.md 5) into a validated
// Scenario, after applying the command line's `--set key=value` overrides and
// `--seed`.
//
// Why so strict: a scenario is typed by hand, and a typo that the loader
// accepts ("fles": 2045, "drop": 15) silently runs a different experiment.
// So unknown keys, duplicate keys, wrong types, out-of-range values, unknown
// names and steps that contradict each other are all errors, each naming the
// JSON path of the offending value: `steps[3].files: expected a non-negative
// integer, got "abc"`. The root object's path is written `(root)`.
//
// Every failure here is bad input (exit code 2, DESIGN.md 7). The loader
// reads one file and writes nothing; it is deterministic (the same file and
// overrides give the same Scenario, the same resolved document and the same
// error message).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_overrides.h"

namespace syncsim::sim {

// Validates `document` against DESIGN.md 5 and fills `*scenario`.
//
// Fails (InvalidArgument, `<json path>: <problem>`, *scenario unchanged) on
// the first problem found, checking in this order: the root, then name,
// description, seed, devices, network, sync, stall_window_ms, steps, expect;
// within an object, unknown keys first, then missing required keys, then each
// value. Problems: unknown or missing keys, wrong types (integers written
// with a fraction or an exponent are not integers), values outside their
// range or the kScenario*Max bounds, names that are not identifiers (1 to 64
// ASCII letters, digits, `_` and `-`), duplicate device names and phases,
// references to undeclared devices, unknown actions, models and defects,
// steps going back in time, and workloads that contradict earlier steps (a
// location indexed twice on one device, a mutation of a location that no
// earlier step indexed on that device).
//
// REQUIRES: scenario != nullptr.
core::Status ParseScenario(const nlohmann::json& document, Scenario* scenario);

// Loads the scenario file at `path`: reads it, parses the JSON (duplicate
// keys are errors), applies `overrides` (each `KEY=VALUE`, see ApplyOverride)
// in order, then `seed_override` (which replaces "seed", so `--seed` wins over
// `--set seed=...`), and validates the result with ParseScenario.
//
// On success fills `*scenario` and sets `*resolved` to the final document,
// which always holds "seed": what a run writes as scenario.json, enough to
// replay it with the same build.
//
// Fails with every message starting with `path: ` and *scenario and
// *resolved unchanged: NotFound when the file does not exist; IoError when it
// cannot be read (a directory, no permission); InvalidArgument for invalid
// JSON (the message gives the byte offset, line and column), a bad override
// (`path: --set KEY: ...`) or an invalid scenario (`path: <json path>: ...`).
//
// REQUIRES: scenario != nullptr; resolved != nullptr.
// With `swarm` non-null, the fault configuration is drawn from the
// effective seed after the overrides (see swarm.h) and *swarm receives it.
core::Status LoadScenarioFile(const std::string& path, const std::vector<std::string>& overrides,
                              std::optional<uint64_t> seed_override, Scenario* scenario, nlohmann::json* resolved,
                              nlohmann::json* swarm = nullptr);

}  // namespace syncsim::sim
