// SnapshotReader: reads a snapshot folder back from disk (DESIGN.md 6), for
// `syncsim report` and `syncsim diff`, which must work on a snapshot copied
// from another machine. Every file is checked before it is used: a device
// database must be an intact SQLite file with the library schema, a JSON
// file must parse; anything else is a Status naming the file, never an
// assertion.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/sqlite_db.h"
#include "core/status.h"
#include "sim/check/convergence.h"
#include "sim/snapshot/live_state.h"
#include "sim/snapshot/phase_summary.h"

namespace syncsim::sim {

// Opens a device database of a snapshot. Returns NotFound when the file is
// missing, Corruption when it is not an intact SQLite database or lacks a
// table or column of the library schema.
core::Status OpenSnapshotDatabase(const std::filesystem::path& path, std::unique_ptr<core::SqliteDb>* database);

// One phase folder, loaded. Owns the databases and the oracle `input` points
// into, so it is neither copied nor moved.
struct LoadedPhase {
  LoadedPhase() = default;
  LoadedPhase(const LoadedPhase&) = delete;
  LoadedPhase& operator=(const LoadedPhase&) = delete;

  std::filesystem::path dir;
  bool has_live_state = false;  // live_state.json was there
  std::vector<std::unique_ptr<core::SqliteDb>> databases;
  SharedOracle oracle;
  PhaseInput input;
};

// Loads `phase_dir`: live_state.json when present (device list, runtime,
// stall, oracle), else every <device>.db in name order, with the scenario
// name and seed from ../scenario.json when readable. Returns NotFound when
// the folder or a database the live state names is missing, Corruption for
// a damaged file.
core::Status LoadPhase(const std::filesystem::path& phase_dir, std::unique_ptr<LoadedPhase>* phase);

// The phase folders of a run folder, in the order the scenario's snapshot
// steps wrote them (from scenario.json), then any other phase folder by
// name. A phase folder is a subfolder holding a .db file or a summary.json.
// Returns NotFound when `run_dir` is not a folder or holds no phase.
core::Status ListPhases(const std::filesystem::path& run_dir, std::vector<std::string>* phases);

// True when `dir` is itself a phase folder (holds a .db or summary.json).
bool IsPhaseFolder(const std::filesystem::path& dir);

}  // namespace syncsim::sim
