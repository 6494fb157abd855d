#include "sim/scenario/shrinker.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/shrink_candidates.h"

namespace syncsim::sim {
namespace {

using json = nlohmann::json;

bool SameFailure(const CandidateOutcome& original, const CandidateOutcome& candidate) {
  if (original.kind == CandidateOutcome::Kind::kCrashed) {
    return candidate.kind == CandidateOutcome::Kind::kCrashed && candidate.crash == original.crash;
  }
  if (candidate.kind != CandidateOutcome::Kind::kRan) return false;
  return candidate.FailedNames() == original.FailedNames() &&
         std::includes(original.difference_keys.begin(), original.difference_keys.end(),
                       candidate.difference_keys.begin(), candidate.difference_keys.end());
}

bool IsValid(const json& document) {
  Scenario scenario;
  return ParseScenario(document, &scenario).ok();
}

// `<name>_seed_<N>_shrunk`, within the loader's name length; a name that
// already says so is kept (shrinking a shrunk repro again).
std::string ShrunkName(const std::string& name, uint64_t seed) {
  const std::string suffix = fmt::format("_seed_{}_shrunk", seed);
  if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return name;
  }
  return name.substr(0, kScenarioNameLengthMax - suffix.size()) + suffix;
}

void Describe(const json& original, const ShrinkOptions& options, ShrinkResult* result) {
  const std::string name = original.value("name", "");
  const uint64_t seed = original.value("seed", uint64_t{1});
  std::string failure = "crashes: " + result->failure_detail;
  if (!result->crashed) failure = "fails " + fmt::format("{}", fmt::join(result->failed_checks, ", "));
  result->scenario["name"] = ShrunkName(name, seed);
  result->scenario["description"] = fmt::format(
      "Shrunk repro of scenario {}{} with seed {} ({} -> {} steps, {} -> {} devices, {} -> {} files): {}. "
      "The original: {}",
      name, options.source.empty() || options.source == name ? "" : " (" + options.source + ")", seed,
      result->steps_before, result->steps_after, result->devices_before, result->devices_after, result->files_before,
      result->files_after, failure, original.value("description", std::string("(no description)")));
}

void NoteOutcome(const CandidateOutcome& outcome, ShrinkResult* result) {
  result->failed_checks.clear();
  if (outcome.kind == CandidateOutcome::Kind::kCrashed) {
    result->failure = "crashed";
    result->failure_detail = outcome.crash;
    return;
  }
  for (const auto& [name, detail] : outcome.failed) result->failed_checks.push_back(name);
  const auto first = std::find_if(outcome.failed.begin(), outcome.failed.end(),
                                  [&](const auto& failed) { return failed.first == result->failure; });
  const auto& shown = first != outcome.failed.end() ? *first : outcome.failed.front();
  result->failure = shown.first;
  result->failure_detail = shown.second;
}

// Passes over the candidates of the current scenario. After a kept
// variant the next pass goes on at the same position (the variants before
// it were just refused, and likely are again); a pass that reaches the end
// after keeping any starts over from the first, and one from the first that
// keeps none ends the shrink.
json Search(const json& document, const CandidateOutcome& original, const ShrinkOptions& options,
            ShrinkResult* result) {
  json current = document;
  size_t start = 0;
  bool kept_in_pass = false;
  while (result->attempts < kShrinkAttemptsMax) {
    std::vector<json> candidates = ShrinkCandidates(current);
    bool kept = false;
    for (size_t i = start; i < candidates.size() && result->attempts < kShrinkAttemptsMax; ++i) {
      if (!IsValid(candidates[i])) continue;
      ++result->attempts;
      const CandidateOutcome outcome = RunCandidateIsolated(options.runner, candidates[i]);
      const bool same = SameFailure(original, outcome);
      if (!same && outcome.kind == CandidateOutcome::Kind::kCrashed) ++result->crashes_rejected;
      if (options.progress) options.progress(result->attempts, same);
      if (!same) continue;
      current = std::move(candidates[i]);
      NoteOutcome(outcome, result);
      ++result->accepted;
      start = i;
      kept = kept_in_pass = true;
      break;
    }
    if (kept) continue;
    if (!kept_in_pass) break;
    kept_in_pass = false;
    start = 0;
  }
  return current;
}

}  // namespace

uint64_t IndexedFiles(const json& document) {
  uint64_t files = 0;
  for (const json& step : document.value("steps", json::array())) {
    // Shrunk numbers are signed JSON integers, read ones unsigned.
    if (step.value("action", "") == "index" && step.contains("files") && step["files"].is_number_integer() &&
        step["files"].get<int64_t>() > 0) {
      files += step["files"].get<uint64_t>();
    }
  }
  return files;
}

core::Status ShrinkScenario(const json& document, const ShrinkOptions& options, ShrinkResult* result) {
  if (!IsValid(document)) return core::Status::InvalidArgument("the scenario is not valid");
  const CandidateOutcome original = RunCandidateIsolated(options.runner, document);
  if (original.kind == CandidateOutcome::Kind::kInvalid) return core::Status::InvalidArgument("the scenario is not valid");
  if (original.kind == CandidateOutcome::Kind::kRan && original.failed.empty()) {
    return core::Status::InvalidArgument("the scenario does not fail with this seed");
  }
  *result = ShrinkResult();
  result->crashed = original.kind == CandidateOutcome::Kind::kCrashed;
  NoteOutcome(original, result);
  result->attempts = 1;
  result->steps_before = document["steps"].size();
  result->devices_before = document["devices"].size();
  result->files_before = IndexedFiles(document);
  result->scenario = Search(document, original, options, result);
  result->steps_after = result->scenario["steps"].size();
  result->devices_after = result->scenario["devices"].size();
  result->files_after = IndexedFiles(result->scenario);
  Describe(document, options, result);
  return core::Status::Ok();
}

}  // namespace syncsim::sim
