#include "sim/snapshot/phase_files.h"

#include "sim/snapshot/atomic_file.h"
#include "sim/snapshot/linkage_graph.h"

namespace fs = std::filesystem;

namespace syncsim::sim {

core::Status WritePhaseFiles(const fs::path& phase_dir, const PhaseInput& input, const core::ModelRegistry& registry,
                             PhaseFiles* files) {
  std::vector<DeviceRows> rows = ReadDeviceRows(input.devices, registry);
  files->summary = BuildPhaseSummary(input, rows, registry);
  core::Status status = WriteFileAtomically((phase_dir / "summary.json").string(), files->summary.dump(2) + "\n");
  if (status.ok()) status = WriteFileAtomically((phase_dir / "summary.md").string(), RenderSummaryMarkdown(files->summary));
  if (status.ok()) {
    status = WriteFileAtomically((phase_dir / "linkage.dot").string(), BuildLinkageDot(files->summary, rows));
  }
  if (!status.ok()) return status;
  files->svg = RenderDotToSvg((phase_dir / "linkage.dot").string(), (phase_dir / "linkage.svg").string());
  if (!files->svg.rendered) {
    // No stale picture from an earlier rendering next to a newer DOT file.
    std::error_code ignored;
    fs::remove(phase_dir / "linkage.svg", ignored);
  }
  return core::Status::Ok();
}

}  // namespace syncsim::sim
