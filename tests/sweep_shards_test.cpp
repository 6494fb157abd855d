// Sharded sweeps on any scheduler (issue 18 item 5): `--shard auto` reads
// K/N from the environment of CI matrices and batch schedulers
// (tools/syncsim/shard_environment.h), and `syncsim merge` joins the shards'
// --json results into the sweep's, with the failing seeds, their replay
// commands and JUnit XML.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/syncsim_command.h"
#include "tests/test_files.h"
#include "tools/syncsim/shard_environment.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

tools::EnvironmentReader Reader(std::map<std::string, std::string> variables) {
  return [variables](const char* name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

// The shard `variables` name, or the error.
std::string Shard(std::map<std::string, std::string> variables) {
  tools::EnvironmentShard shard;
  std::string error;
  if (!tools::ReadEnvironmentShard(Reader(std::move(variables)), 1'000, &shard, &error)) return "error: " + error;
  return std::to_string(shard.index) + "/" + std::to_string(shard.count) + " (" + shard.source + ")";
}

TEST_CASE("shard auto: each scheduler's variables, turned into a 1-based K/N", "[cli][shard]") {
  CHECK(Shard({{"SYNCSIM_SHARD_INDEX", "0"}, {"SYNCSIM_SHARD_COUNT", "4"}}) ==
        "1/4 (syncsim: SYNCSIM_SHARD_INDEX=0 SYNCSIM_SHARD_COUNT=4)");
  CHECK(Shard({{"CI_NODE_INDEX", "4"}, {"CI_NODE_TOTAL", "4"}}) == "4/4 (GitLab: CI_NODE_INDEX=4 CI_NODE_TOTAL=4)");
  CHECK(Shard({{"JOB_COMPLETION_INDEX", "2"}, {"SYNCSIM_SHARD_COUNT", "3"}}) ==
        "3/3 (Kubernetes: JOB_COMPLETION_INDEX=2 SYNCSIM_SHARD_COUNT=3)");
  CHECK(Shard({{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "5"},
               {"SLURM_ARRAY_TASK_STEP", "1"}}) ==
        "3/4 (Slurm: SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=5)");
  CHECK(Shard({{"CIRCLE_NODE_INDEX", "0"}, {"CIRCLE_NODE_TOTAL", "2"}}) ==
        "1/2 (CircleCI: CIRCLE_NODE_INDEX=0 CIRCLE_NODE_TOTAL=2)");
  CHECK(Shard({{"BUILDKITE_PARALLEL_JOB", "1"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "2"}}) ==
        "2/2 (Buildkite: BUILDKITE_PARALLEL_JOB=1 BUILDKITE_PARALLEL_JOB_COUNT=2)");
  // syncsim's own variables come first: they can override a scheduler's.
  CHECK(Shard({{"SYNCSIM_SHARD_INDEX", "1"}, {"SYNCSIM_SHARD_COUNT", "2"}, {"CI_NODE_INDEX", "1"},
               {"CI_NODE_TOTAL", "5"}}) == "2/2 (syncsim: SYNCSIM_SHARD_INDEX=1 SYNCSIM_SHARD_COUNT=2)");
}

TEST_CASE("shard auto: a missing, malformed or out-of-range variable is an error naming it", "[cli][shard]") {
  const std::string none = Shard({});
  CHECK(none.find("no shard in the environment") != std::string::npos);
  for (const char* name : {"SYNCSIM_SHARD_INDEX", "CI_NODE_INDEX", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID",
                           "CIRCLE_NODE_INDEX", "BUILDKITE_PARALLEL_JOB"}) {
    CHECK(none.find(name) != std::string::npos);
  }
  CHECK(Shard({{"JOB_COMPLETION_INDEX", "2"}}) == "error: SYNCSIM_SHARD_COUNT is unset, expected a decimal number");
  CHECK(Shard({{"CI_NODE_INDEX", "0x1"}, {"CI_NODE_TOTAL", "4"}}) ==
        "error: CI_NODE_INDEX is \"0x1\", expected a decimal number");
  // GitLab counts from 1: 0 is outside.
  CHECK(Shard({{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "4"}}).find("expected an index from 1 to 4") !=
        std::string::npos);
  CHECK(Shard({{"SYNCSIM_SHARD_INDEX", "3"}, {"SYNCSIM_SHARD_COUNT", "3"}}).find("from 0 to 2") != std::string::npos);
  CHECK(Shard({{"SYNCSIM_SHARD_INDEX", "0"}, {"SYNCSIM_SHARD_COUNT", "0"}}).rfind("error:", 0) == 0);
  CHECK(Shard({{"SYNCSIM_SHARD_INDEX", "0"}, {"SYNCSIM_SHARD_COUNT", "1001"}}).find("count from 1 to 1000") !=
        std::string::npos);
  CHECK(Shard({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"},
               {"SLURM_ARRAY_TASK_STEP", "2"}})
            .find("an array of step 1") != std::string::npos);
}

// Every variable a source reads, unset, so that the host's own CI
// environment cannot leak into the command.
const std::string kCleanEnvironment =
    "env -u SYNCSIM_SHARD_INDEX -u SYNCSIM_SHARD_COUNT -u CI_NODE_INDEX -u CI_NODE_TOTAL -u JOB_COMPLETION_INDEX "
    "-u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT -u SLURM_ARRAY_TASK_MIN -u SLURM_ARRAY_TASK_STEP "
    "-u CIRCLE_NODE_INDEX -u CIRCLE_NODE_TOTAL -u BUILDKITE_PARALLEL_JOB -u BUILDKITE_PARALLEL_JOB_COUNT ";

// Runs the binary with `environment` (VAR=value ...) and `arguments`,
// stdout to `out` (stderr appended to `out`.err); returns the exit code.
int RunWithEnvironment(const std::string& environment, const std::string& arguments, const fs::path& out) {
  const std::string command = kCleanEnvironment + environment + " " + SYNCSIM_BINARY + " " + arguments + " >" +
                              out.string() + " 2>" + out.string() + ".err";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The "filter" regression made small, expecting a correct engine: every
// seed fails, so every seed has a failure and a replay command.
const std::string kScenario = std::string(SYNCSIM_SOURCE_DIR) +
                              "/scenarios/regression/missing_dependency_drop_stalls.json --set expect.stall=false "
                              "--set expect.converged=true --set steps[1].dirs=2 --set steps[1].files=12";

TEST_CASE("sweep --shard auto on three GitLab jobs, joined by merge, is the unsharded sweep", "[cli][shard]") {
  const fs::path dir = fs::temp_directory_path() / "syncsim-shards-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string sweep = "sweep " + kScenario + " --seeds 3..9 --json";
  REQUIRE(RunWithEnvironment("", sweep, dir / "whole.json") == 1);
  std::string results;
  for (int job = 1; job <= 3; ++job) {
    const fs::path out = dir / ("shard-" + std::to_string(job) + ".json");
    const std::string gitlab = "CI_NODE_INDEX=" + std::to_string(job) + " CI_NODE_TOTAL=3";
    REQUIRE(RunWithEnvironment(gitlab, sweep + " --shard auto", out) == 1);
    CHECK(testing::ReadFile(out.string() + ".err").find("shard         " + std::to_string(job) + "/3 from GitLab") !=
          std::string::npos);
    results += " " + out.string();
  }
  const fs::path junit = dir / "merged.xml";
  REQUIRE(RunWithEnvironment("", "merge" + results + " --json --junit " + junit.string(), dir / "merged.json") == 1);
  const nlohmann::json whole = nlohmann::json::parse(testing::ReadFile(dir / "whole.json"));
  const nlohmann::json merged = nlohmann::json::parse(testing::ReadFile(dir / "merged.json"));
  CHECK(merged["shards"] == 3);
  CHECK(merged["failed"] == 7);
  CHECK(merged["runs"] == whole["runs"]);
  CHECK(merged["coverage"] == whole["coverage"]);
  const std::string human = testing::ReadFile(dir / "merged.json.err");
  CHECK(human.find("0 of 7 seeds passed, 7 failed") != std::string::npos);
  CHECK(human.find("replay with: syncsim run") != std::string::npos);
  const std::string xml = testing::ReadFile(junit);
  CHECK(xml.find("tests=\"7\" failures=\"7\"") != std::string::npos);
  CHECK(xml.find("name=\"seed-9\"") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("merge refuses shards that are not one whole sweep, and --shard auto without a shard", "[cli][shard]") {
  const fs::path dir = fs::temp_directory_path() / "syncsim-shards-refused-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string sweep = "sweep " + kScenario + " --seeds 1..4 --json";
  REQUIRE(RunWithEnvironment("", sweep + " --shard 1/2", dir / "one.json") == 1);
  REQUIRE(RunWithEnvironment("", sweep + " --shard 2/2 --set steps[1].files=10", dir / "other.json") == 1);
  const std::string one = (dir / "one.json").string();
  auto merge_error = [&](const std::string& files) {
    const fs::path out = dir / "merge.out";
    CHECK(RunWithEnvironment("", "merge " + files, out) == 2);
    return testing::ReadFile(out.string() + ".err");
  };
  CHECK(merge_error(one).find("missing shard(s) 2/2") != std::string::npos);
  CHECK(merge_error(one + " " + one).find("is given twice") != std::string::npos);
  std::ofstream(dir / "not.json") << "{\"scenario\": 1}";
  CHECK(merge_error((dir / "not.json").string()).find("scenario: expected a string") != std::string::npos);
  CHECK(merge_error((dir / "missing.json").string()).find("missing.json") != std::string::npos);
  // The second shard ran with another --set: not the same sweep.
  CHECK(merge_error(one + " " + (dir / "other.json").string()).find("overrides is") != std::string::npos);
  CHECK(RunWithEnvironment("", sweep + " --shard auto", dir / "auto.out") == 2);
  CHECK(testing::ReadFile((dir / "auto.out").string() + ".err").find("--shard auto: no shard in the environment") !=
        std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace syncsim
