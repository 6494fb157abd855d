#include "sim/scenario/shrink_numbers.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sim/action/action.h"

namespace syncsim::sim {
namespace {

using json = nlohmann::json;
using Pointer = json::json_pointer;

// A probability below this goes straight to 0: halving it further only
// spends runs.
constexpr double kProbabilityHalvingMin = 0.001;
// Probabilities are written with this many decimals at most.
constexpr double kProbabilityScale = 1e6;

// A workload's size shrunk with the timeline after it: the fixed times of
// later steps move toward the workload's start in proportion, so a crash
// timed to fall in the middle of an index still does with fewer files.
struct Timeline {
  size_t step = 0;        // the workload's step
  int64_t start_ms = 0;   // its at_ms, or the latest one before it
};

// One number of the document and the value it shrinks toward.
struct NumberSite {
  Pointer where;
  int64_t target = 0;  // integers
  bool probability = false;
  std::optional<Timeline> timeline;  // sizes only
};

// A variant of one number: how drastic (0 = the target itself) and the
// document with it.
struct NumberVariant {
  size_t level = 0;
  json document;
};

// The values from `value` toward `target`, most drastic first: value - d,
// value - d/2, value - d/4, ..., one step away (d = value - target). At
// most 64 of them: d halves each time.
std::vector<int64_t> TowardTarget(int64_t value, int64_t target) {
  std::vector<int64_t> values;
  for (int64_t distance = value - target; distance != 0; distance /= 2) values.push_back(value - distance);
  return values;
}

std::vector<double> TowardZero(double value) {
  if (!(value > 0)) return {};
  if (value < kProbabilityHalvingMin) return {0.0};
  return {0.0, std::round(value / 2 * kProbabilityScale) / kProbabilityScale};
}

void AddIntegerSite(const json& document, const Pointer& where, int64_t target, std::vector<NumberSite>* sites) {
  if (!document.contains(where) || !document[where].is_number_integer()) return;
  sites->push_back({where, target, false});
}

void AddProbabilitySite(const json& document, const Pointer& where, std::vector<NumberSite>* sites) {
  if (!document.contains(where) || !document[where].is_number()) return;
  sites->push_back({where, 0, true});
}

// A network object's numbers: drop and duplicate toward 0, the latency's
// max toward its min (no reordering), its min toward 0.
void AddNetworkSites(const json& document, const Pointer& network, std::vector<NumberSite>* sites) {
  AddProbabilitySite(document, network / "drop", sites);
  AddProbabilitySite(document, network / "duplicate", sites);
  const Pointer latency = network / "latency_ms";
  if (!document.contains(latency / "min") || !document[latency / "min"].is_number_integer()) return;
  AddIntegerSite(document, latency / "max", document[latency / "min"].get<int64_t>(), sites);
  AddIntegerSite(document, latency / "min", 0, sites);
}

// A step's workload sizes toward their minimum and an index step's
// probabilities toward 0.
void AddStepSizeSites(const json& document, size_t index, std::vector<NumberSite>* sites) {
  const Pointer step = Pointer("/steps") / index;
  const ShrinkHints& hints = ShrinkHintsOf(document[step]);
  for (const SizeKey& key : hints.size_keys) AddIntegerSite(document, step / std::string(key.name), key.floor, sites);
  for (std::string_view key : hints.probability_keys) AddProbabilitySite(document, step / std::string(key), sites);
}

// A set_network step's numbers, the step's durations (every key ending in
// "_ms" but at_ms and max_ms) toward 0, and at_ms toward the at_ms before it.
void AddStepOtherSites(const json& document, size_t index, int64_t previous_at_ms, std::vector<NumberSite>* sites) {
  const Pointer step = Pointer("/steps") / index;
  if (ShrinkHintsOf(document[step]).network_keys) AddNetworkSites(document, step, sites);
  for (const auto& [key, value] : document[step].items()) {
    const bool duration = key.size() > 3 && key.compare(key.size() - 3, 3, "_ms") == 0;
    if (!duration || key == "max_ms" || key == "latency_ms") continue;
    AddIntegerSite(document, step / key, key == "at_ms" ? previous_at_ms : 0, sites);
  }
}

// The workload sizes of every step: of all numbers, they make a repro big
// the most, so every one of their values is tried before the others'.
std::vector<NumberSite> SizeSites(const json& document) {
  std::vector<NumberSite> sites;
  for (size_t i = 0; i < document["steps"].size(); ++i) AddStepSizeSites(document, i, &sites);
  return sites;
}

// The at_ms of step `index`, or the latest before it (0 when none).
int64_t StartMs(const json& document, size_t index) {
  int64_t start_ms = 0;
  for (size_t i = 0; i <= index; ++i) {
    const json& step = document["steps"][i];
    if (step.contains("at_ms") && step["at_ms"].is_number_integer()) start_ms = step["at_ms"].get<int64_t>();
  }
  return start_ms;
}

// The sizes again, each with the timeline after its step, for the steps
// followed by a step at a later fixed time. Only the sizes that set a
// workload's duration (its operations or files over its rate), not dirs.
std::vector<NumberSite> TimelineSizeSites(const json& document) {
  std::vector<NumberSite> sites;
  const json& steps = document["steps"];
  for (size_t i = 0; i < steps.size(); ++i) {
    const int64_t start_ms = StartMs(document, i);
    bool later = false;
    for (size_t j = i + 1; j < steps.size(); ++j) {
      later = later || (steps[j].contains("at_ms") && steps[j]["at_ms"].is_number_integer() &&
                        steps[j]["at_ms"].get<int64_t>() > start_ms);
    }
    if (!later) continue;
    for (const SizeKey& key : ShrinkHintsOf(steps[i]).size_keys) {
      if (!key.sets_duration) continue;
      const size_t before = sites.size();
      AddIntegerSite(document, Pointer("/steps") / i / std::string(key.name), key.floor, &sites);
      if (sites.size() > before) sites.back().timeline = Timeline{i, start_ms};
    }
  }
  return sites;
}

// Moves the fixed times after `timeline`'s step toward its start by
// value/old (both sizes; old > 0).
void ScaleTimeline(const Timeline& timeline, int64_t value, int64_t old, json* document) {
  json& steps = (*document)["steps"];
  for (size_t j = timeline.step + 1; j < steps.size(); ++j) {
    if (!steps[j].contains("at_ms") || !steps[j]["at_ms"].is_number_integer()) continue;
    const int64_t at_ms = steps[j]["at_ms"].get<int64_t>();
    if (at_ms <= timeline.start_ms) continue;
    steps[j]["at_ms"] = timeline.start_ms + (at_ms - timeline.start_ms) * value / old;
  }
}

// Every other number: the network, the clocks, the step times.
std::vector<NumberSite> OtherSites(const json& document) {
  std::vector<NumberSite> sites;
  if (document.contains("network")) AddNetworkSites(document, Pointer("/network"), &sites);
  for (size_t i = 0; i < document["devices"].size(); ++i) {
    const Pointer clock = Pointer("/devices") / i / "clock";
    AddIntegerSite(document, clock / "offset_ms", 0, &sites);
    AddIntegerSite(document, clock / "drift_ppm", 0, &sites);
  }
  int64_t previous_at_ms = 0;
  for (size_t i = 0; i < document["steps"].size(); ++i) {
    AddStepOtherSites(document, i, previous_at_ms, &sites);
    const json& step = document["steps"][i];
    if (step.contains("at_ms") && step["at_ms"].is_number_integer()) previous_at_ms = step["at_ms"].get<int64_t>();
  }
  return sites;
}

void AddSiteVariants(const json& document, const NumberSite& site, std::vector<NumberVariant>* variants) {
  if (site.probability) {
    const std::vector<double> values = TowardZero(document[site.where].get<double>());
    for (size_t level = 0; level < values.size(); ++level) {
      NumberVariant variant{level, document};
      variant.document[site.where] = values[level];
      variants->push_back(std::move(variant));
    }
    return;
  }
  const int64_t old = document[site.where].get<int64_t>();
  const std::vector<int64_t> values = TowardTarget(old, site.target);
  for (size_t level = 0; level < values.size(); ++level) {
    NumberVariant variant{level, document};
    variant.document[site.where] = values[level];
    if (site.timeline.has_value() && old > 0) ScaleTimeline(*site.timeline, values[level], old, &variant.document);
    variants->push_back(std::move(variant));
  }
}

// Every variant of `sites`, every number's most drastic value before any
// number's next one.
void AddVariantsByLevel(const json& document, const std::vector<NumberSite>& sites, std::vector<json>* candidates) {
  std::vector<NumberVariant> variants;
  for (const NumberSite& site : sites) AddSiteVariants(document, site, &variants);
  std::stable_sort(variants.begin(), variants.end(),
                   [](const NumberVariant& a, const NumberVariant& b) { return a.level < b.level; });
  for (NumberVariant& variant : variants) candidates->push_back(std::move(variant.document));
}

}  // namespace

void AddSizeCandidates(const json& document, std::vector<json>* candidates) {
  AddVariantsByLevel(document, SizeSites(document), candidates);
  AddVariantsByLevel(document, TimelineSizeSites(document), candidates);
}

void AddOtherNumberCandidates(const json& document, std::vector<json>* candidates) {
  AddVariantsByLevel(document, OtherSites(document), candidates);
}

}  // namespace syncsim::sim
