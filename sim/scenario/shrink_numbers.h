// Number shrinking for the shrinker's candidates (shrink_candidates.h):
// every number of a scenario that makes a run bigger or slower, moved
// toward its smallest meaningful value — workload sizes toward their
// minimum, network probabilities and latencies, clock offsets and drifts,
// clock jumps and other step durations toward 0, and a step's `at_ms`
// toward the `at_ms` before it (earlier). Each number's values come most
// drastic first (QuickCheck's integral shrinking): the target itself, then
// halfway, then a quarter of the way back, ... down to one step away, so a
// size that must stay above a page boundary ends just past it (e.g. 201)
// rather than at the last power-of-two fraction that still failed.
// A size is also tried with the fixed times of the steps after it moved
// toward its step's start in proportion (half the files, half as long
// until the crash), after the sizes alone.
// Workload sizes come first, every value of theirs before any other
// number's (a repro is big by its sizes, and a latency shrunk first can
// leave more files needed to hit the bug); then the others.
// `max_ms` of run_until_quiescent is a bound, not a time, and is kept.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace syncsim::sim {

// Appends to `candidates` the variants of every workload size (with an
// index step's probabilities), every size's most drastic value before any
// size's next one.
void AddSizeCandidates(const nlohmann::json& document, std::vector<nlohmann::json>* candidates);

// The same for every other number: the network, the clocks, step times.
void AddOtherNumberCandidates(const nlohmann::json& document, std::vector<nlohmann::json>* candidates);

}  // namespace syncsim::sim
