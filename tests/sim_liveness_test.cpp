// Liveness (`expect.converge_within_ms`, sim/check/liveness.h): once the
// last fault step has run and every workload is done, the devices converge
// within the bound; a run that does not names what is still missing.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "sim/check/liveness.h"
#include "tests/run_document.h"

namespace syncsim {
namespace {

using json = nlohmann::json;

// Bob is cut off while Alice indexes; the heal at 3 s is the last fault.
json PartitionedIndexing(int64_t within_ms) {
  return {{"name", "liveness_partition"},
          {"seed", 3},
          {"devices", {{{"name", "alice"}}, {{"name", "bob"}}}},
          {"network", {{"latency_ms", {{"min", 5}, {"max", 30}}}}},
          {"steps",
           {{{"at_ms", 0}, {"action", "connect"}, {"devices", {"alice", "bob"}}},
            {{"at_ms", 0}, {"action", "partition"}, {"groups", {{"alice"}, {"bob"}}}},
            {{"at_ms", 0}, {"action", "index"}, {"device", "alice"}, {"location", "Photos"}, {"dirs", 3},
             {"files", 60}, {"files_per_s", 1000}},
            {{"at_ms", 3000}, {"action", "heal"}},
            {{"action", "run_until_quiescent"}, {"max_ms", 600000}}}},
          {"expect", {{"converged", true}, {"converge_within_ms", within_ms}}}};
}

sim::ExpectationResult RunAndFind(const json& document, const std::string& name) {
  const sim::RunResult result = testing::RunDocument(document);
  for (const sim::ExpectationResult& expectation : result.expectations) {
    if (expectation.name == name) return expectation;
  }
  FAIL("no expectation named " << name);
  return {};
}

TEST_CASE("liveness: devices that converge soon after the heal pass the bound", "[liveness]") {
  const sim::ExpectationResult liveness = RunAndFind(PartitionedIndexing(10'000), "converge_within_ms");
  CHECK(liveness.ok);
  CHECK(liveness.detail.find("after step 3 (heal) at 3000 ms") != std::string::npos);
}

TEST_CASE("liveness: a bound shorter than the repair fails and names what is missing", "[liveness]") {
  // 60 files cannot cross a 30 ms link in 1 ms.
  const sim::ExpectationResult liveness = RunAndFind(PartitionedIndexing(1), "converge_within_ms");
  CHECK_FALSE(liveness.ok);
  CHECK(liveness.detail.find("not converged 1 ms after step 3 (heal) at 3000 ms") != std::string::npos);
  CHECK(liveness.detail.find("bob lacks") != std::string::npos);
}

TEST_CASE("liveness: an engine that never repairs fails the bound even with a generous one", "[liveness]") {
  // The "filter" regression: records whose target has not arrived are lost.
  json document = PartitionedIndexing(60'000);
  document["sync"] = {{"missing_dependency", "drop"}};
  document["network"]["latency_ms"] = {{"min", 1}, {"max", 400}};
  document["expect"] = {{"converge_within_ms", 60'000}};
  const sim::ExpectationResult liveness = RunAndFind(document, "converge_within_ms");
  CHECK_FALSE(liveness.ok);
  CHECK(liveness.detail.find("lacks") != std::string::npos);
}

TEST_CASE("liveness: the window starts over while a workload still writes", "[liveness]") {
  // The last fault step is at 0 ms, but indexing runs for seconds after it:
  // the bound counts from the workload's end.
  json document = PartitionedIndexing(2'000);
  document["steps"] = {{{"at_ms", 0}, {"action", "connect"}, {"devices", {"alice", "bob"}}},
                       {{"at_ms", 0}, {"action", "index"}, {"device", "alice"}, {"location", "Photos"}, {"dirs", 3},
                        {"files", 300}, {"files_per_s", 50}},
                       {{"action", "run_until_quiescent"}, {"max_ms", 600000}}};
  const sim::ExpectationResult liveness = RunAndFind(document, "converge_within_ms");
  CHECK(liveness.ok);
  CHECK(liveness.detail.find("the last workload's end") != std::string::npos);
}

TEST_CASE("liveness: the watch decides once, at the close of its window", "[liveness]") {
  sim::LivenessWatch watch(500);
  CHECK_FALSE(watch.open());
  watch.Open(1'000'000, "step 2 (heal)");
  REQUIRE(watch.open());
  CHECK(watch.deadline_us() == 1'500'000);
  watch.Close(1'500'000, false, "bob lacks 2 entry record(s) of alice");
  CHECK_FALSE(watch.open());
  CHECK_FALSE(watch.ok());
  CHECK(watch.detail() == "not converged 500 ms after step 2 (heal) at 1000 ms: bob lacks 2 entry record(s) of alice");
  watch.Finish(9'000'000, true, "");  // decided already: unchanged
  CHECK_FALSE(watch.ok());

  sim::LivenessWatch never_opened(500);
  never_opened.Finish(2'000'000, true, "");
  CHECK_FALSE(never_opened.ok());
  CHECK(never_opened.detail().find("before its last fault step ran") != std::string::npos);
}

}  // namespace
}  // namespace syncsim
