// LinkageGraph: the DOT text of a phase's linkage.dot (DESIGN.md 6). One box
// per device with its models and their row counts, and one edge per foreign
// key labelled with the share of the links the device should hold that it
// does (edges below 100% in red). Then, for every location small enough to
// read (kTreeEntriesMax), the entry tree each device holds of it: entries the
// owner has and the device lacks drawn dashed, orphans (no parent row) and
// files whose content link is missing or different from the owner's marked.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/check/convergence.h"

namespace syncsim::sim {

// Above this many entries a location's tree is left out (and the graph says
// so): a tree of thousands of nodes is unreadable and slow to lay out.
inline constexpr size_t kTreeEntriesMax = 120;

// REQUIRES: `summary` is BuildPhaseSummary's output for these `rows`.
std::string BuildLinkageDot(const nlohmann::json& summary, const std::vector<DeviceRows>& rows);

}  // namespace syncsim::sim
