// Coverage of rare paths (Antithesis' "sometimes" assertions): named
// counters for the paths a sync engine rarely takes, counted over a whole
// run. A run reports how often each fired; a sweep reports in how many seeds
// each fired and names those that never did, so that a sweep which never
// reaches a path says so instead of passing silently.
//
// The table is the one list of these paths: runs, sweeps and the docs read
// it. Counts are sums over every device and every start of a device.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/record_applier.h"
#include "core/engine.h"
#include "sim/kernel/message_counts.h"

namespace syncsim::sim {

// What the coverage counters are computed from.
struct CoverageTotals {
  core::EngineCounters engine;
  core::ApplyCounters apply;
  MessageCounts messages;
};

struct CoveragePath {
  std::string_view name;     // e.g. "page_boundary_crossed"
  std::string_view meaning;  // one line for people
  uint64_t (*count)(const CoverageTotals& totals);
};

// Every path, in the order reports list them.
const std::vector<CoveragePath>& CoveragePaths();

// name -> count for every path of CoveragePaths() (the JSON object orders
// its keys by name; CoveragePaths() gives the table order).
nlohmann::json CoverageOf(const CoverageTotals& totals);

}  // namespace syncsim::sim
