// The command line refuses numbers it would otherwise misread: a seed is
// decimal, from 0 to 2^64-1, and a bad one is exit 2 with the flag named
// and nothing written (issue #12, item 8).
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/syncsim_command.h"
#include "tools/syncsim/decimal_flag.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

using testing::RunSyncsim;

const std::string kScenario = std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/regression/concurrent_tagging.json";

TEST_CASE("ParseDecimalU64 takes decimal digits up to 2^64-1 and nothing else", "[cli]") {
  uint64_t value = 7;
  CHECK(tools::ParseDecimalU64("0", &value));
  CHECK(value == 0);
  CHECK(tools::ParseDecimalU64("18446744073709551615", &value));
  CHECK(value == UINT64_MAX);
  CHECK(tools::ParseDecimalU64("42", &value));
  CHECK(value == 42);
  for (const char* bad : {"", "-5", "+5", "010", "0x10", "18446744073709551616", "99999999999999999999999",
                          " 5", "5 ", "5a", "1e3"}) {
    INFO("text: \"" << bad << "\"");
    value = 42;
    CHECK_FALSE(tools::ParseDecimalU64(bad, &value));
    CHECK(value == 42);
  }
}

TEST_CASE("run and shrink refuse a seed that is not a decimal 64-bit number, naming the flag", "[cli]") {
  const fs::path out = fs::temp_directory_path() / "syncsim-cli-flags-test";
  fs::remove_all(out);
  for (const std::string bad : {"-5", "18446744073709551616", "010", "0x10", "''", "abc"}) {
    INFO("--seed " << bad);
    const testing::CommandResult run =
        RunSyncsim("run " + kScenario + " --seed " + bad + " --out " + out.string());
    CHECK(run.exit_code == 2);
    CHECK(run.output.find("--seed") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    const testing::CommandResult shrink = RunSyncsim("shrink " + kScenario + " --seed " + bad);
    CHECK(shrink.exit_code == 2);
    CHECK(shrink.output.find("--seed") != std::string::npos);
  }
}

TEST_CASE("sweep refuses seed ranges with signs, leading zeros or values above 2^64-1", "[cli]") {
  for (const std::string bad : {"-1..3", "010..12", "1..18446744073709551616", "0x1..3"}) {
    INFO("--seeds " << bad);
    const testing::CommandResult sweep = RunSyncsim("sweep " + kScenario + " --seeds " + bad);
    CHECK(sweep.exit_code == 2);
    CHECK(sweep.output.find("--seeds") != std::string::npos);
  }
}

TEST_CASE("an empty path flag is refused, naming the flag, instead of meaning no output", "[cli]") {
  const std::vector<std::string> commands = {"run " + kScenario + " --out ''", "run " + kScenario + " --db-dir ''",
                                             "shrink " + kScenario + " --seed 1 --out ''",
                                             "sweep " + kScenario + " --seeds 1..1 --junit ''",
                                             "sweep " + kScenario + " --seeds 1..1 --save-failures ''"};
  for (const std::string& command : commands) {
    INFO(command);
    const testing::CommandResult result = RunSyncsim(command);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("expected a path, got an empty string") != std::string::npos);
  }
}

TEST_CASE("sweep --junit to a path that cannot be written is refused before any seed runs", "[cli]") {
  const testing::CommandResult result =
      RunSyncsim("sweep " + kScenario + " --seeds 1..2 --junit /nonexistent-syncsim-folder/sweep.xml");
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("--junit /nonexistent-syncsim-folder/sweep.xml") != std::string::npos);
  // No seed ran: the sweep's result line is never printed.
  CHECK(result.output.find("seeds passed") == std::string::npos);
}

}  // namespace
}  // namespace syncsim
