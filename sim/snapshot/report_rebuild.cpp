#include "sim/snapshot/report_rebuild.h"

#include <memory>

#include "core/model_registry.h"
#include "core/storage_error.h"
#include "sim/snapshot/phase_files.h"
#include "sim/snapshot/snapshot_reader.h"

namespace fs = std::filesystem;

namespace syncsim::sim {

core::Status RebuildReport(const fs::path& dir, RebuiltReport* report) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return core::Status::NotFound(dir.string() + ": no such snapshot folder");
  std::vector<fs::path> phase_dirs;
  if (IsPhaseFolder(dir)) {
    report->run_dir = dir;
    phase_dirs.push_back(dir);
  } else {
    report->run_dir = dir;
    std::vector<std::string> names;
    core::Status status = ListPhases(dir, &names);
    if (!status.ok()) return status;
    for (const std::string& name : names) phase_dirs.push_back(dir / name);
  }
  // Load (and so check) everything first.
  std::vector<std::unique_ptr<LoadedPhase>> loaded;
  for (const fs::path& phase_dir : phase_dirs) {
    std::unique_ptr<LoadedPhase> phase;
    core::Status status = LoadPhase(phase_dir, &phase);
    if (!status.ok()) return status;
    loaded.push_back(std::move(phase));
  }
  report->phases.clear();
  for (const std::unique_ptr<LoadedPhase>& phase : loaded) {
    PhaseFiles files;
    // A database that passed its checks can still fail a read (a damaged
    // page integrity_check did not reach, or the read budget spent): the
    // snapshot is bad input, not an internal error.
    try {
      core::Status status = WritePhaseFiles(phase->dir, phase->input, core::ModelRegistry::Default(), &files);
      if (!status.ok()) return status;
    } catch (const core::StorageError& failure) {
      return core::Status::Corruption(phase->dir.string() + ": a device database failed a read: " + failure.what());
    }
    report->phases.push_back({phase->dir.filename().string(), phase->dir, std::move(files.summary), files.svg});
  }
  return WriteRunReport(report->run_dir, report->run_dir.string(), report->phases);
}

}  // namespace syncsim::sim
