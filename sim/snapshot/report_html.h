// RunReport: report.html, one self-contained page per run (DESIGN.md 6): no
// script, no network, every picture inline. It opens with the verdict and
// the sentences a person needs first (converged or not, who links how much
// of whose files, the stall's headline), then every phase's tables and
// linkage graph, the message timeline by kind and fate, and the stall
// diagnosis.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sim/snapshot/graphviz_render.h"

namespace syncsim::sim {

struct ReportPhase {
  std::string name;
  std::filesystem::path dir;  // the phase folder (holds linkage.svg)
  nlohmann::json summary;
  SvgRendering svg;  // linkage.svg of the phase folder, read when rendered
};

// Builds the page for the run folder `run_dir` from `phases` and from the
// run folder's scenario.json, result.json and trace.jsonl when present (a
// missing one leaves its section saying so). Returns Corruption for a
// damaged trace.jsonl, IoError when report.html cannot be written.
// `display_dir` is the folder's name as the page should print it (a live run
// writes into a temporary folder that is renamed afterwards).
core::Status WriteRunReport(const std::filesystem::path& run_dir, const std::string& display_dir,
                            const std::vector<ReportPhase>& phases);

}  // namespace syncsim::sim
