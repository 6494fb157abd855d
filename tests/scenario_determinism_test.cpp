// Determinism is the product (DESIGN.md 2): the same scenario, seed and
// build give the same fingerprint and a byte-identical summary.json; another
// seed gives another fingerprint.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;

sim::RunResult RunSmall(uint64_t seed, const fs::path& out) {
  // The default scenario with a smaller tree, lossy links and a partition,
  // so that every random stream (network, scheduler, workload) is exercised.
  const std::string path = std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/regression/realtime_alice_to_bob.json";
  sim::Scenario scenario;
  nlohmann::json resolved;
  core::Status status = sim::LoadScenarioFile(
      path, {"steps[1].dirs=8", "steps[1].files=300", "network.duplicate=0.2", "expect.counts.bob.entry=308"}, seed,
      &scenario, &resolved);
  REQUIRE(status.ok());
  sim::RunOptions options;
  options.out_dir = out.string();
  options.force = true;
  sim::RunResult result;
  REQUIRE(sim::RunScenario(scenario, resolved, options, &result).ok());
  return result;
}

TEST_CASE("same scenario and seed: same fingerprint, byte-identical summary.json and trace", "[determinism]") {
  const fs::path root = fs::temp_directory_path() / "syncsim-determinism-test";
  fs::remove_all(root);
  sim::RunResult first = RunSmall(7, root / "first");
  sim::RunResult second = RunSmall(7, root / "second");
  CHECK(first.passed);
  CHECK(first.fingerprint == second.fingerprint);
  CHECK(first.events == second.events);
  const fs::path first_dir = first.snapshot_dir;
  const fs::path second_dir = second.snapshot_dir;
  const std::string summary = ReadFile(first_dir / "final_state" / "summary.json");
  CHECK(!summary.empty());
  CHECK(summary == ReadFile(second_dir / "final_state" / "summary.json"));
  CHECK(ReadFile(first_dir / "trace.jsonl") == ReadFile(second_dir / "trace.jsonl"));
  CHECK(ReadFile(first_dir / "result.json") == ReadFile(second_dir / "result.json"));

  sim::RunResult other = RunSmall(8, root / "third");
  CHECK(other.passed);
  CHECK(other.fingerprint != first.fingerprint);
  fs::remove_all(root);
}

}  // namespace
}  // namespace syncsim
