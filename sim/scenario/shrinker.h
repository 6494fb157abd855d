// Shrinker: makes a failing scenario small (DESIGN.md 7, `syncsim shrink`).
// Starting from a scenario document that fails with some seed, it tries
// smaller variants (sim/scenario/shrink_candidates.h: without a device, a
// step, a crash, a knob; smaller numbers) and keeps each variant that still
// fails the same way, until a whole pass over the variants of the current
// scenario keeps none or the attempt budget is spent.
//
// "The same way": when the original run completed, a variant must fail
// exactly the same set of checks (a variant that fails a check the
// original held is a different bug) and its devices may diverge in no new
// way (a variant that stalls because its devices never connect lacks
// records the original did not). When the original crashed (an assertion,
// a signal, an internal error), a variant must crash the same way (the
// same signal or exit code and the same last line on stderr, e.g. the same
// assertion). A variant that crashes when the original did not is
// rejected; every candidate runs in a forked child
// (sim/scenario/candidate_run.h), so a crash never ends the shrink.
//
// Every attempt is a full deterministic run of the candidate with the same
// seed, so the result replays with `syncsim run` and gives the same verdict.
// The result is renamed `<name>_seed_<N>_shrunk` (its snapshots do not
// replace the original's) and its description says what it is a repro of.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/scenario/candidate_run.h"

namespace syncsim::sim {

struct ShrinkResult {
  nlohmann::json scenario;     // the smallest failing document found, renamed and described
  std::string failure;         // the first check that fails, e.g. "converged", or "crashed"
  std::string failure_detail;  // its detail in the smallest scenario (how it crashed)
  bool crashed = false;        // the original (and so the result) crashed
  // The names of the checks that fail in the result (as the original);
  // empty when it crashed.
  std::vector<std::string> failed_checks;
  uint64_t attempts = 0;  // runs made, the original's included
  uint64_t accepted = 0;  // variants kept
  uint64_t crashes_rejected = 0;  // variants that crashed when the original did not (or differently)
  size_t steps_before = 0, steps_after = 0;
  size_t devices_before = 0, devices_after = 0;
  uint64_t files_before = 0, files_after = 0;  // files of every index step
};

// Runs made by one shrink at most. Numbers shrink by halving the distance
// to their target, so a pass over a shrunk scenario costs tens of runs; the
// README's negative checks need 30 to 250, and this leaves room for a few
// hundred kept variants (at most ~10 minutes of the largest scenarios).
inline constexpr uint64_t kShrinkAttemptsMax = 1'000;

struct ShrinkOptions {
  // Runs one candidate; always called in a forked child. The default is the
  // real run; tests plant crashes with their own.
  CandidateRunner runner = RunCandidateInProcess;
  // Called after each attempt with the attempt count and whether the
  // variant was kept (may be empty).
  std::function<void(uint64_t attempts, bool kept)> progress;
  // How the description names the original (e.g. its file); default: its name.
  std::string source;
};

// Shrinks `document` (a valid scenario whose "seed" is the failing seed).
// Returns InvalidArgument when the document is not a valid scenario or
// neither fails nor crashes with its seed.
core::Status ShrinkScenario(const nlohmann::json& document, const ShrinkOptions& options, ShrinkResult* result);

// The files indexed by `document`'s index steps, summed.
uint64_t IndexedFiles(const nlohmann::json& document);

}  // namespace syncsim::sim
