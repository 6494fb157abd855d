// `syncsim validate FILE...` (issue 18 item 2, the command): every scenario
// file of the project is valid, every malformed scenario of the tests is
// refused with its expected message, and a mixed list says which is which.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "tests/syncsim_command.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

using testing::RunSyncsim;

TEST_CASE("validate: every scenario file of the project is valid", "[cli][validate]") {
  std::string files;
  size_t count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(SYNCSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".json") continue;
    files += " " + entry.path().string();
    ++count;
  }
  REQUIRE(count > 50);
  const testing::CommandResult result = RunSyncsim("validate" + files);
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.find(fmt::format("result   {} of {} files valid", count, count)) != std::string::npos);
}

TEST_CASE("validate: a malformed scenario is refused with the loader's message, and exit 2", "[cli][validate]") {
  const fs::path malformed = fs::path(SYNCSIM_SOURCE_DIR) / "tests/malformed_scenarios";
  const fs::path good = fs::path(SYNCSIM_SOURCE_DIR) / "scenarios/regression/realtime_alice_to_bob.json";
  size_t checked = 0;
  for (const char* name : {"at_ms_over_bound", "retry_timeout_max_below_min"}) {
    const fs::path file = malformed / (std::string(name) + ".json");
    std::string expected = testing::ReadFile(malformed / (std::string(name) + ".expected"));
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    const testing::CommandResult result = RunSyncsim("validate " + good.string() + " " + file.string());
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("ok       " + good.string()) != std::string::npos);
    CHECK(result.output.find("invalid  " + file.string() + ": " + expected) != std::string::npos);
    CHECK(result.output.find("result   1 of 2 files valid") != std::string::npos);
    ++checked;
  }
  CHECK(checked == 2);
  CHECK(RunSyncsim("validate " + (malformed / "no_such_file.json").string()).exit_code == 2);
}

}  // namespace
}  // namespace syncsim
