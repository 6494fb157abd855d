#include "tools/syncsim/report_command.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "sim/snapshot/report_rebuild.h"
#include "tools/syncsim/commands.h"

namespace syncsim::tools {
namespace {

int Report(const std::string& dir) {
  sim::RebuiltReport report;
  core::Status status = sim::RebuildReport(dir, &report);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  for (const sim::ReportPhase& phase : report.phases) {
    const nlohmann::json& summary = phase.summary;
    fmt::print("phase {:<14} {}\n", phase.name,
               summary["convergence"].value("converged", false) ? "converged" : "NOT converged");
    for (const auto& [name, device] : summary["devices"].items()) {
      if (!device.contains("linkage")) continue;
      for (const nlohmann::json& link : device["linkage"]) fmt::print("      {:<14} {}\n", "", link.value("text", ""));
    }
    if (!phase.svg.rendered) fmt::print("      {:<14} no linkage.svg: {}\n", "", phase.svg.problem);
  }
  fmt::print("report        {}\n", (report.run_dir / "report.html").string());
  return kExitOk;
}

}  // namespace

std::function<int()> RegisterReportCommand(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "report", "Rebuild a snapshot's summaries, linkage graphs and report.html from its databases");
  command->add_option("snapshot_dir", *dir, "A run folder (<out>/<scenario>/seed-<seed>) or one phase folder")
      ->required();
  return [dir] { return Report(*dir); };
}

}  // namespace syncsim::tools
