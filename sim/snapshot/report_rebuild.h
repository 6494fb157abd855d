// RebuildReport: `syncsim report SNAPSHOT_DIR`. Rebuilds every derived file
// of a snapshot (each phase's summary.json, summary.md, linkage.dot and
// linkage.svg, then report.html) from its device databases and live state,
// so a snapshot copied from another machine can be inspected, and a run's
// summary.json can be checked against its databases.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "sim/snapshot/report_html.h"

namespace syncsim::sim {

struct RebuiltReport {
  std::filesystem::path run_dir;  // where report.html went
  std::vector<ReportPhase> phases;
};

// `dir` is a run folder (<out>/<scenario>/seed-<seed>) or a single phase
// folder (then report.html goes into that folder). Every phase is loaded
// and checked before anything is written, so a damaged snapshot is left as
// it was: NotFound for a missing folder or database, Corruption for a
// damaged database or JSON file, IoError when a file cannot be written.
core::Status RebuildReport(const std::filesystem::path& dir, RebuiltReport* report);

}  // namespace syncsim::sim
