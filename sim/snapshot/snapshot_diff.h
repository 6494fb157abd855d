// SnapshotDiff: compares two snapshot phases, or two runs phase by phase
// (`syncsim diff A B`): devices, their state digests, row counts per model,
// linkage relative to each owner, the convergence verdict, and record by
// record every device's synced rows (uuid and wire fields, never local
// ids). Two runs "differ in synced content" when a device, a phase or any
// synced record differs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace syncsim::sim {

struct RecordDifference {
  std::string device;
  std::string model;
  std::string kind;  // "only_in_a", "only_in_b" or "field_mismatch"
  int64_t count = 0;
  std::vector<std::string> sample_uuids;
  std::vector<std::string> sample_fields;  // field_mismatch: fields that differ in the first sample
  // field_mismatch: "field: A value -> B value" for the first sample.
  std::vector<std::string> sample_changes;
};

struct PhaseDiff {
  std::string phase_a;
  std::string phase_b;
  // Human lines for what differs outside the records: devices present on
  // one side only, state digests, counts, linkage, convergence verdicts.
  std::vector<std::string> summary_differences;
  std::vector<RecordDifference> records;  // sorted by device, model, kind
  bool content_differs = false;
};

struct SnapshotDiff {
  std::string a;
  std::string b;
  std::vector<std::string> phases_only_in_a;
  std::vector<std::string> phases_only_in_b;
  std::vector<PhaseDiff> phases;
  bool content_differs = false;
};

// Compares `a` and `b`: two phase folders, or two run folders (phases paired
// by name). Returns InvalidArgument when one is a phase folder and the other
// a run folder, NotFound / Corruption for a missing or damaged snapshot file.
core::Status DiffSnapshots(const std::filesystem::path& a, const std::filesystem::path& b, SnapshotDiff* diff);

nlohmann::json ToJson(const SnapshotDiff& diff);

// The comparison for a person: one paragraph per phase.
std::string RenderDiffText(const SnapshotDiff& diff);

}  // namespace syncsim::sim
