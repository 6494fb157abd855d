// `syncsim engines` and `syncsim compare`, run as a user runs them: the
// engines listed, one scenario and seed under each, the table and --json
// naming every engine with its own run, no snapshot written, exit codes.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/syncsim_command.h"

namespace syncsim {
namespace {

using testing::CommandResult;
using testing::RunSyncsim;

const std::string kScenario = std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/regression/concurrent_tagging.json";

TEST_CASE("syncsim engines lists the default first, then every other engine once", "[command][engines]") {
  const CommandResult result = RunSyncsim("engines");
  REQUIRE(result.exit_code == 0);
  CHECK(result.output.rfind("leaderless\n", 0) == 0);
  for (const char* engine : {"changelog\n", "leader\n"}) CHECK(result.output.find(engine) != std::string::npos);
}

TEST_CASE("syncsim compare runs one seed under each engine and names each in the table and the JSON",
          "[command][compare]") {
  // The scenario has a snapshot step: a run would write here.
  const std::filesystem::path would_be_snapshot = std::filesystem::current_path() / "snapshots/concurrent_tagging/seed-3";
  std::filesystem::remove_all(would_be_snapshot);
  const CommandResult result =
      RunSyncsim("compare " + kScenario + " --engines leaderless,changelog,leader --seed 3 --json");
  REQUIRE(result.exit_code == 0);
  // The table goes to stderr; stdout's one JSON object is the last line.
  CHECK(result.output.find("fingerprint") != std::string::npos);
  const size_t last_line = result.output.rfind('\n', result.output.size() - 2);
  const nlohmann::json comparison = nlohmann::json::parse(result.output.substr(last_line + 1));
  CHECK(comparison["seed"] == 3);
  REQUIRE(comparison["engines"].size() == 3);
  const char* expected[] = {"leaderless", "changelog", "leader"};
  for (size_t i = 0; i < 3; ++i) {
    const nlohmann::json& run = comparison["engines"][i];
    CHECK(run["engine"] == expected[i]);
    CHECK(run["passed"] == true);
    CHECK(run["messages"]["sent"].get<uint64_t>() > 0);
    CHECK(run["messages"]["bytes_sent"].get<uint64_t>() > run["messages"]["sent"].get<uint64_t>());
  }
  // Different engines send different messages: three runs, not one run
  // printed three times.
  CHECK(comparison["engines"][0]["messages"]["bytes_sent"] != comparison["engines"][1]["messages"]["bytes_sent"]);
  CHECK(comparison["engines"][1]["messages"]["bytes_sent"] != comparison["engines"][2]["messages"]["bytes_sent"]);
  CHECK_FALSE(std::filesystem::exists(would_be_snapshot));
}

TEST_CASE("syncsim compare refuses an unknown engine with exit code 2", "[command][compare]") {
  const CommandResult result = RunSyncsim("compare " + kScenario + " --engines leaderless,raft");
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("unknown engine \"raft\"") != std::string::npos);
}

TEST_CASE("syncsim compare exits 1 when an engine's run fails, and says which check", "[command][compare]") {
  const CommandResult result =
      RunSyncsim("compare " + kScenario + " --engines leaderless,changelog --set expect.counts.alice.tag=999");
  CHECK(result.exit_code == 1);
  CHECK(result.output.find("leaderless         FAIL counts.alice.tag") != std::string::npos);
  CHECK(result.output.find("changelog          FAIL counts.alice.tag") != std::string::npos);
}

}  // namespace
}  // namespace syncsim
