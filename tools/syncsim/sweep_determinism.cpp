#include "tools/syncsim/sweep_determinism.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string_view>

#include <fmt/format.h>

namespace syncsim::tools {
namespace {

constexpr std::string_view kNondeterminismVariable = "SYNCSIM_TEST_NONDETERMINISM";
// Trace lines compared at most (a run is far below it; a bigger file is
// reported as differing beyond it rather than read forever).
constexpr uint64_t kTraceLinesMax = 1'000'000'000;

// SplitMix64's finaliser: spreads consecutive seeds evenly over 0..99.
uint64_t MixSeed(uint64_t seed) {
  uint64_t value = seed + 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

std::string Fingerprint(const nlohmann::json& run, const char* key) {
  return run.is_object() ? run.value(key, std::string("(none)")) : std::string("(no result)");
}

}  // namespace

std::vector<uint64_t> DeterminismSeeds(const std::vector<uint64_t>& seeds, unsigned percent) {
  std::vector<uint64_t> chosen;
  for (uint64_t seed : seeds) {
    if (MixSeed(seed) % kDeterminismPercentMax < percent) chosen.push_back(seed);
  }
  return chosen;
}

std::filesystem::path DeterminismTracePath(const std::filesystem::path& work_dir, uint64_t seed) {
  return work_dir / fmt::format("seed-{}.trace.jsonl", seed);
}

std::string FirstTraceDifference(const std::filesystem::path& first, const std::filesystem::path& again) {
  std::ifstream first_file(first);
  std::ifstream again_file(again);
  if (!first_file || !again_file) {
    return fmt::format("no trace to compare ({} missing)", !first_file ? first.string() : again.string());
  }
  std::string first_line;
  std::string again_line;
  for (uint64_t line = 1; line <= kTraceLinesMax; ++line) {
    const bool first_more = static_cast<bool>(std::getline(first_file, first_line));
    const bool again_more = static_cast<bool>(std::getline(again_file, again_line));
    if (!first_more && !again_more) return fmt::format("the traces are identical ({} lines)", line - 1);
    if (first_more && again_more && first_line == again_line) continue;
    return fmt::format("first difference at trace line {}:\n    first run: {}\n    re-run:    {}", line,
                       first_more ? first_line : std::string("(end of trace)"),
                       again_more ? again_line : std::string("(end of trace)"));
  }
  return fmt::format("the traces agree on their first {} lines", kTraceLinesMax);
}

DeterminismReport CompareDeterminismRuns(unsigned percent, const std::vector<DeterminismRun>& first,
                                         const std::vector<DeterminismRun>& again) {
  DeterminismReport report;
  report.percent = percent;
  for (size_t i = 0; i < first.size() && i < again.size(); ++i) {
    report.rechecked.push_back(first[i].seed);
    std::string what;
    for (const char* key : {"fingerprint", "state_fingerprint"}) {
      const std::string before = Fingerprint(first[i].run, key);
      const std::string after = Fingerprint(again[i].run, key);
      if (before != after || !first[i].run.is_object()) {
        what += fmt::format("{}{} {} then {}", what.empty() ? "" : "; ", key, before, after);
      }
    }
    if (what.empty()) continue;
    report.mismatches.push_back({first[i].seed, what, FirstTraceDifference(first[i].trace_path, again[i].trace_path)});
  }
  return report;
}

nlohmann::json DeterminismReport::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const DeterminismMismatch& mismatch : mismatches) {
    list.push_back({{"seed", mismatch.seed}, {"what", mismatch.what}, {"first_difference", mismatch.first_difference}});
  }
  return {{"percent", percent}, {"rechecked", rechecked}, {"mismatches", list}};
}

void DeterminismReport::Print(std::FILE* out) const {
  if (mismatches.empty()) {
    fmt::print(out, "determinism   {} of the seeds re-run ({}%): same trace and state fingerprints\n", rechecked.size(),
               percent);
    return;
  }
  fmt::print(out, "determinism   {} of {} re-run seeds ({}%) differ from their first run:\n", mismatches.size(),
             rechecked.size(), percent);
  for (const DeterminismMismatch& mismatch : mismatches) {
    fmt::print(out, "  seed {:<10} {}\n  {}\n", mismatch.seed, mismatch.what, mismatch.first_difference);
  }
}

void ApplyTestNondeterminism(sim::Scenario* scenario) {
  const char* value = std::getenv(std::string(kNondeterminismVariable).c_str());
  if (value == nullptr || std::string_view(value) != "pid" || scenario->devices.empty()) return;
  // A sweep's worker processes get different pids, so two runs of one seed
  // see different clocks, HLCs and traces.
  scenario->devices.front().clock.offset_ms += getpid();
}

}  // namespace syncsim::tools
