// Rare-path coverage (sim/check/coverage.h): every path of the table is
// counted from the run's counters, and a run that takes a rare path reports
// it: a catch-up of more records than a page crosses page boundaries, a
// crash with parked records resolves them after the restart.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/check/coverage.h"
#include "tests/run_document.h"

namespace syncsim {
namespace {

using json = nlohmann::json;

using testing::RunDocument;

// Bob joins after Alice indexed: he backfills page by page.
json LateJoiner(int64_t page_size) {
  return {{"name", "coverage_late_joiner"},
          {"seed", 5},
          {"devices", {{{"name", "alice"}}, {{"name", "bob"}}}},
          {"sync", {{"page_size", page_size}}},
          {"steps",
           {{{"at_ms", 0}, {"action", "index"}, {"device", "alice"}, {"location", "Photos"}, {"dirs", 2},
             {"files", 30}, {"files_per_s", 1000}},
            {{"action", "connect"}, {"devices", {"alice", "bob"}}},
            {{"action", "run_until_quiescent"}, {"max_ms", 600000}}}},
          {"expect", {{"converged", true}}}};
}

TEST_CASE("coverage: the table names each path once and every run reports all of them", "[coverage]") {
  std::set<std::string> names;
  for (const sim::CoveragePath& path : sim::CoveragePaths()) {
    CHECK(names.insert(std::string(path.name)).second);
    CHECK_FALSE(path.meaning.empty());
  }
  const sim::RunResult result = RunDocument(LateJoiner(200));
  CHECK(result.passed);
  CHECK(result.coverage.size() == names.size());
  for (const std::string& name : names) CHECK(result.coverage.contains(name));
}

TEST_CASE("coverage: a backfill larger than a page crosses page boundaries, a smaller one does not", "[coverage]") {
  const sim::RunResult one_page = RunDocument(LateJoiner(200));
  CHECK(one_page.passed);
  CHECK(one_page.coverage["page_boundary_crossed"].get<uint64_t>() == 0);
  const sim::RunResult paged = RunDocument(LateJoiner(4));
  CHECK(paged.passed);
  // 32 entries (2 dirs, 30 files, root) and their content in pages of 4.
  CHECK(paged.coverage["page_boundary_crossed"].get<uint64_t>() >= 7);
}

TEST_CASE("coverage: counts come from the engine, applier and network counters", "[coverage]") {
  sim::CoverageTotals totals;
  totals.engine.pages_continued = 3;
  totals.engine.cascade_deletes = 2;
  totals.apply.parked_resolved_after_restart = 1;
  totals.apply.obsolete = 4;
  totals.messages.duplicated = 5;
  const json coverage = sim::CoverageOf(totals);
  CHECK(coverage["page_boundary_crossed"] == 3);
  CHECK(coverage["cascade_delete_shared"] == 2);
  CHECK(coverage["parked_resolved_after_restart"] == 1);
  CHECK(coverage["tombstone_beat_late_insert"] == 4);
  CHECK(coverage["message_duplicated"] == 5);
  CHECK(coverage["buffer_overflow_round"] == 0);
}

}  // namespace
}  // namespace syncsim
