// The shrinker (issue #13, item 6): candidates run in a forked child, so a
// crash in a smaller variant is refused and never ends the shrink (and a
// crashing original shrinks to a crash of the same kind); a variant that
// fails another set of checks is refused; numbers shrink toward their
// smallest values, not only by halving; the result is renamed and says what
// it is a repro of.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/base/assert.h"
#include "sim/scenario/candidate_run.h"
#include "sim/scenario/shrink_candidates.h"
#include "sim/scenario/shrinker.h"

namespace syncsim {
namespace {

using json = nlohmann::json;
using sim::CandidateOutcome;

// A small real scenario that fails with seed 1: under the "filter"
// regression (missing_dependency: drop) Bob never gets every file.
json DropScenario() {
  return json::parse(R"({
    "name": "shrink_test_drop",
    "description": "Alice indexes while Bob receives; records whose dependency is missing are dropped.",
    "seed": 1,
    "devices": [{"name": "alice"}, {"name": "bob", "clock": {"offset_ms": -1500, "drift_ppm": 40}}],
    "network": {"latency_ms": {"min": 1, "max": 40}, "drop": 0.0, "duplicate": 0.0},
    "sync": {"missing_dependency": "drop", "batch_size": 10},
    "steps": [
      {"at_ms": 0, "action": "connect", "devices": ["alice", "bob"]},
      {"at_ms": 1000, "action": "index", "device": "alice", "location": "Downloads", "dirs": 4, "files": 60},
      {"action": "run_until_quiescent", "max_ms": 600000},
      {"action": "snapshot", "phase": "final_state"}
    ],
    "expect": {"stall": false, "converged": true}
  })");
}

CandidateOutcome Failing(std::vector<std::string> names) {
  CandidateOutcome outcome;
  for (std::string& name : names) outcome.failed.emplace_back(std::move(name), "planted");
  return outcome;
}

// The file count of the document's only index step (0 without one).
uint64_t Files(const json& document) { return sim::IndexedFiles(document); }

sim::ShrinkResult Shrink(const json& document, sim::CandidateRunner runner) {
  sim::ShrinkOptions options;
  options.runner = std::move(runner);
  sim::ShrinkResult result;
  const core::Status status = sim::ShrinkScenario(document, options, &result);
  INFO(status.message());
  REQUIRE(status.ok());
  return result;
}

TEST_CASE("Candidate runs: a child that aborts, exits 3, throws or fails an assertion is a crash, not the end",
          "[shrinker]") {
  const json document = DropScenario();
  const CandidateOutcome aborted = sim::RunCandidateIsolated([](const json&) -> CandidateOutcome { std::abort(); }, document);
  CHECK(aborted.kind == CandidateOutcome::Kind::kCrashed);
  CHECK(aborted.crash.find("signal 6") != std::string::npos);
  const CandidateOutcome asserted = sim::RunCandidateIsolated(
      [](const json&) -> CandidateOutcome { sim::AssertFail("planted_invariant", "planted.cpp", 7); }, document);
  CHECK(asserted.kind == CandidateOutcome::Kind::kCrashed);
  CHECK(asserted.crash == "killed by signal 6 (Aborted): planted.cpp:7: SYNCSIM_ASSERT failed: planted_invariant");
  const CandidateOutcome exited = sim::RunCandidateIsolated([](const json&) -> CandidateOutcome { _exit(3); }, document);
  CHECK(exited.kind == CandidateOutcome::Kind::kCrashed);
  CHECK(exited.crash == "exited with code 3");
  const CandidateOutcome threw = sim::RunCandidateIsolated(
      [](const json&) -> CandidateOutcome { throw std::runtime_error("planted"); }, document);
  CHECK(threw.crash == "exited with code 3: internal error: planted");
  // A clean child's outcome comes through the pipe whole.
  const CandidateOutcome ran = sim::RunCandidateIsolated(sim::RunCandidateInProcess, document);
  REQUIRE(ran.kind == CandidateOutcome::Kind::kRan);
  CHECK(ran.FailedNames().count("converged") == 1);
  CHECK_FALSE(ran.difference_keys.empty());
}

TEST_CASE("Shrinker: a crash in a smaller candidate is refused and the shrink goes on", "[shrinker]") {
  // Every variant under 25 files hits a planted abort in its child.
  const sim::ShrinkResult result = Shrink(DropScenario(), [](const json& document) {
    if (Files(document) < 25) std::abort();
    return Failing({"converged"});
  });
  CHECK_FALSE(result.crashed);
  CHECK(result.crashes_rejected > 0);
  CHECK(result.failure == "converged");
  CHECK(Files(result.scenario) == 25);
  CHECK(result.steps_after == 1);
}

TEST_CASE("Shrinker: the real run in a forked child, aborting in small candidates, still shrinks", "[shrinker]") {
  // The real engine and checks, with an abort planted below 20 files.
  const sim::ShrinkResult result = Shrink(DropScenario(), [](const json& document) {
    if (Files(document) < 20) std::abort();
    return sim::RunCandidateInProcess(document);
  });
  CHECK(result.crashes_rejected > 0);
  CHECK(result.failed_checks == std::vector<std::string>{"stall", "converged"});
  CHECK(Files(result.scenario) == 20);
  CHECK(result.steps_after < result.steps_before);
  // The result fails as the original did when run for real.
  const CandidateOutcome replay = sim::RunCandidateIsolated(sim::RunCandidateInProcess, result.scenario);
  REQUIRE(replay.kind == CandidateOutcome::Kind::kRan);
  CHECK(replay.FailedNames() == std::set<std::string>(result.failed_checks.begin(), result.failed_checks.end()));
}

TEST_CASE("Shrinker: a crashing original shrinks to a crash of the same kind", "[shrinker]") {
  // The planted crash needs at least 10 files; smaller variants pass, and
  // another assertion is another bug.
  const sim::ShrinkResult result = Shrink(DropScenario(), [](const json& document) {
    if (Files(document) >= 10) sim::AssertFail("files < 10", "planted.cpp", 1);
    if (Files(document) >= 5) sim::AssertFail("files < 5", "planted.cpp", 2);
    return CandidateOutcome();
  });
  CHECK(result.crashed);
  CHECK(result.failure == "crashed");
  CHECK(result.failure_detail.find("planted.cpp:1: SYNCSIM_ASSERT failed: files < 10") != std::string::npos);
  CHECK(Files(result.scenario) == 10);
  CHECK(result.failed_checks.empty());
}

TEST_CASE("Shrinker: a candidate that fails a check the original held is refused", "[shrinker]") {
  // Below 30 files the planted bug also leaves orphans: a different failure.
  const sim::ShrinkResult result = Shrink(DropScenario(), [](const json& document) {
    if (Files(document) < 30) return Failing({"converged", "orphans_max"});
    return Failing({"converged"});
  });
  CHECK(Files(result.scenario) == 30);
  CHECK(result.failed_checks == std::vector<std::string>{"converged"});
}

TEST_CASE("Shrinker: a candidate that diverges in a new way is refused", "[shrinker]") {
  const sim::ShrinkResult result = Shrink(DropScenario(), [](const json& document) {
    CandidateOutcome outcome = Failing({"converged"});
    outcome.difference_keys.insert("bob missing entry of alice");
    if (Files(document) < 12) outcome.difference_keys.insert("bob missing device of alice");
    return outcome;
  });
  CHECK(Files(result.scenario) == 12);
}

TEST_CASE("Shrinker: numbers shrink to the smallest that still fails, not only by halving", "[shrinker]") {
  json document = DropScenario();
  document["steps"][1]["files"] = 1200;
  // A bug that needs a page boundary: more than 200 files.
  const sim::ShrinkResult result = Shrink(document, [](const json& candidate) {
    return Files(candidate) > 200 ? Failing({"converged"}) : CandidateOutcome();
  });
  CHECK(result.files_before == 1200);
  CHECK(result.files_after == 201);
  CHECK(result.attempts < sim::kShrinkAttemptsMax);
}

TEST_CASE("Shrink candidates: a size also shrinks with the fixed times after its step, in proportion",
          "[shrinker]") {
  json document = DropScenario();
  document["steps"][1]["files"] = 1200;
  document["steps"].insert(document["steps"].begin() + 2, json({{"at_ms", 2500}, {"action", "crash"}, {"device", "bob"}}));
  document["steps"].insert(document["steps"].begin() + 3, json({{"at_ms", 3500}, {"action", "restart"}, {"device", "bob"}}));
  bool plain = false;
  bool scaled = false;
  for (const json& candidate : sim::ShrinkCandidates(document)) {
    if (candidate["steps"].size() != 6 || candidate["steps"][1]["files"] != 600) continue;
    const json& crash = candidate["steps"][2];
    const json& restart = candidate["steps"][3];
    plain = plain || (crash["at_ms"] == 2500 && restart["at_ms"] == 3500);
    // Half the files from at_ms 1000: half as long until the crash and the restart.
    scaled = scaled || (crash["at_ms"] == 1750 && restart["at_ms"] == 2250);
  }
  CHECK(plain);
  CHECK(scaled);
}

TEST_CASE("Shrinker: times, latencies, probabilities, knobs and partition groups shrink too", "[shrinker]") {
  json document = DropScenario();
  document["devices"].push_back({{"name", "carol"}});
  document["stall_window_ms"] = 5000;
  document["network"] = {{"latency_ms", {{"min", 5}, {"max", 300}}}, {"drop", 0.2}, {"duplicate", 0.1}};
  document["steps"] = json::parse(R"([
    {"at_ms": 0, "action": "connect", "devices": ["alice", "bob", "carol"]},
    {"at_ms": 700, "action": "partition", "groups": [["alice"], ["bob", "carol"]]},
    {"at_ms": 2000, "action": "clock_jump", "device": "bob", "by_ms": -86400000},
    {"at_ms": 2500, "action": "index", "device": "alice", "location": "Downloads", "dirs": 9, "files": 40},
    {"at_ms": 9000, "action": "heal"},
    {"action": "run_until_quiescent", "max_ms": 600000}
  ])");
  // The planted bug needs a partition, a clock jump back by at least 5 s
  // and at least 3 files; nothing else.
  const sim::ShrinkResult result = Shrink(document, [](const json& candidate) {
    bool partition = false;
    bool jump = false;
    for (const json& step : candidate["steps"]) {
      partition = partition || step["action"] == "partition";
      jump = jump || (step["action"] == "clock_jump" && step["by_ms"].get<int64_t>() <= -5000);
    }
    return partition && jump && Files(candidate) >= 3 ? Failing({"converged"}) : CandidateOutcome();
  });
  const json& shrunk = result.scenario;
  INFO(shrunk.dump(2));
  CHECK(Files(shrunk) == 3);
  CHECK(shrunk["network"]["latency_ms"] == json({{"min", 0}, {"max", 0}}));
  CHECK(shrunk["network"]["drop"] == 0.0);
  CHECK(shrunk["network"]["duplicate"] == 0.0);
  CHECK(shrunk["sync"] == json::object());  // every knob back to its default
  CHECK_FALSE(shrunk.contains("stall_window_ms"));
  for (const json& device : shrunk["devices"]) CHECK_FALSE(device.contains("clock"));
  REQUIRE(shrunk["steps"].size() == 3);
  for (const json& step : shrunk["steps"]) {
    CHECK_FALSE(step.contains("at_ms"));
    if (step["action"] == "clock_jump") CHECK(step["by_ms"] == -5000);
    if (step["action"] == "partition") CHECK(step["groups"].size() == 1);
    if (step["action"] == "partition") CHECK(step["groups"][0].size() == 1);
    if (step["action"] == "index") CHECK(step["dirs"] == 1);
  }
  CHECK(result.devices_after == 2);
}

TEST_CASE("Shrinker: the result has a new name and says what it is a repro of", "[shrinker]") {
  json document = DropScenario();
  document["seed"] = 7;
  sim::ShrinkOptions options;
  options.runner = [](const json& candidate) { return Files(candidate) > 5 ? Failing({"converged"}) : CandidateOutcome(); };
  options.source = "scenarios/x/shrink_test_drop.json";
  sim::ShrinkResult result;
  REQUIRE(sim::ShrinkScenario(document, options, &result).ok());
  CHECK(result.scenario["name"] == "shrink_test_drop_seed_7_shrunk");
  CHECK(result.scenario["seed"] == 7);
  const std::string description = result.scenario["description"];
  CHECK(description.rfind("Shrunk repro of scenario shrink_test_drop (scenarios/x/shrink_test_drop.json) with seed 7",
                          0) == 0);
  CHECK(description.find("fails converged") != std::string::npos);
  CHECK(description.find(document["description"].get<std::string>()) != std::string::npos);
  // Shrinking the repro again keeps its name.
  sim::ShrinkResult again;
  REQUIRE(sim::ShrinkScenario(result.scenario, options, &again).ok());
  CHECK(again.scenario["name"] == "shrink_test_drop_seed_7_shrunk");
}

}  // namespace
}  // namespace syncsim
