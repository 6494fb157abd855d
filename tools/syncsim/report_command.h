// `syncsim report SNAPSHOT_DIR`: rebuilds a snapshot's summaries, linkage
// graphs and report.html from its databases (sim/snapshot/report_rebuild.h)
// and prints where the report is.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterReportCommand(CLI::App& app);

}  // namespace syncsim::tools
