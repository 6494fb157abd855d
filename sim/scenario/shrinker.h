// Shrinker: makes a failing scenario small (DESIGN.md 7, `syncsim shrink`).
// Starting from a scenario document that fails with some seed, it tries
// smaller variants — without a step, without a device (and every mention of
// it), without a network fault or a clock skew, with a workload's sizes
// halved — and keeps each variant that still fails the same way, until no
// variant does or the attempt budget is spent. "The same way" means every
// check that failed in the original still fails (a stall stays a stall, a
// divergence a divergence, a bound a bound) and the devices diverge in no
// new way (a variant that stalls because its devices never connect lacks
// records the original did not: a different failure).
//
// Every attempt is a full deterministic run of the candidate with the same
// seed, so the result replays with `syncsim run` and gives the same verdict.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace syncsim::sim {

struct ShrinkResult {
  nlohmann::json scenario;     // the smallest failing document found
  std::string failure;         // the check that fails, e.g. "converged"
  std::string failure_detail;  // its detail in the smallest scenario
  uint64_t attempts = 0;       // runs made, the original's included
  uint64_t accepted = 0;       // variants kept
  size_t steps_before = 0, steps_after = 0;
  size_t devices_before = 0, devices_after = 0;
};

// Runs made by one shrink at most.
inline constexpr uint64_t kShrinkAttemptsMax = 400;

// Shrinks `document` (a valid scenario whose "seed" is the failing seed).
// `progress` (may be empty) is called after each attempt with the attempt
// count and whether the variant was kept. Returns InvalidArgument when the
// document is not a valid scenario or does not fail with its seed.
core::Status ShrinkScenario(const nlohmann::json& document, const std::function<void(uint64_t, bool)>& progress,
                            ShrinkResult* result);

}  // namespace syncsim::sim
