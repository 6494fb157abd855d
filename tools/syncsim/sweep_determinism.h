// `sweep --check-determinism P`: re-runs P% of a sweep's seeds and compares
// each re-run with the sweep's own run of that seed: trace fingerprint and
// state fingerprint must be equal, or the sweep prints the first trace line
// where the two runs differ and exits 1. Both runs keep their trace (the
// hidden `run --trace-out FILE`) in the sweep's temporary folder.
//
// Which seeds: those whose SplitMix64 hash mod 100 is below P, so the choice
// depends on the seed alone (never on the range, shard or host): P = 100
// re-runs every seed, P = 0 none.
//
// For the test that a mismatch is caught, SYNCSIM_TEST_NONDETERMINISM=pid in
// a `run`'s environment moves the first device's clock by the process id
// (ApplyTestNondeterminism): two runs of one seed then differ. Nothing else
// reads it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.h"

namespace syncsim::tools {

inline constexpr unsigned kDeterminismPercentMax = 100;

// The seeds of `seeds` (in their order) that P% re-runs.
// REQUIRES: percent <= kDeterminismPercentMax.
std::vector<uint64_t> DeterminismSeeds(const std::vector<uint64_t>& seeds, unsigned percent);

// Where the run of `seed` in a worker folder writes its trace.
std::filesystem::path DeterminismTracePath(const std::filesystem::path& work_dir, uint64_t seed);

// One seed's run: the worker's --json object (null if it printed none) and
// its trace file.
struct DeterminismRun {
  uint64_t seed = 0;
  nlohmann::json run;
  std::filesystem::path trace_path;
};

struct DeterminismMismatch {
  uint64_t seed = 0;
  std::string what;              // which fingerprints differ, both values
  std::string first_difference;  // the first differing trace line of each run
};

struct DeterminismReport {
  unsigned percent = 0;
  std::vector<uint64_t> rechecked;
  std::vector<DeterminismMismatch> mismatches;

  nlohmann::json ToJson() const;
  // One line when every re-run matched, else one block per mismatch.
  void Print(std::FILE* out) const;
};

// Compares each first run with the re-run of the same seed.
// REQUIRES: `first` and `again` hold the same seeds in the same order.
DeterminismReport CompareDeterminismRuns(unsigned percent, const std::vector<DeterminismRun>& first,
                                         const std::vector<DeterminismRun>& again);

// "line N: first run: ...\n  re-run: ..." for the first line where the two
// files differ, or a note that they are identical.
std::string FirstTraceDifference(const std::filesystem::path& first, const std::filesystem::path& again);

// The test hook described above; a no-op unless the variable is set.
void ApplyTestNondeterminism(sim::Scenario* scenario);

}  // namespace syncsim::tools
