// The smaller variants the shrinker (sim/scenario/shrinker.h) tries of a
// scenario document, most drastic first: the structure (a device with every
// mention of it, a step, a crash with its restart, a device from a step's
// device list or a partition group), then the workload sizes
// (shrink_numbers.h), then the conditions (a network fault, a clock skew, a
// defect of several, a sync knob back to its default), then every other
// number (probabilities, latencies, clock offsets, step times), and last a
// step's fixed time left out (once gone it can no longer move earlier).
// Sizes go before conditions because a repro is big by its sizes: a small
// buffer or a lossy link kept can let the bug show with a handful of files
// where the defaults need hundreds.
// A variant may be one the loader refuses; the shrinker skips those.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace syncsim::sim {

// Every smaller variant of `document` (a valid scenario), most drastic first.
std::vector<nlohmann::json> ShrinkCandidates(const nlohmann::json& document);

}  // namespace syncsim::sim
