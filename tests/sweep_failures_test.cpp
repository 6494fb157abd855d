// `syncsim sweep --save-failures DIR` (issue #13, item 7): each failing seed
// is shrunk and written as a negative scenario that passes while exactly its
// failing checks fail; an unwritable DIR is refused before any seed runs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/syncsim_command.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

using testing::RunSyncsim;

// The "filter" regression, made small, with the expectations of a correct
// engine: every seed fails.
const std::string kFailing = std::string(SYNCSIM_SOURCE_DIR) +
                             "/scenarios/regression/missing_dependency_drop_stalls.json --set expect.stall=false "
                             "--set expect.converged=true --set steps[1].dirs=4 --set steps[1].files=40";

TEST_CASE("sweep --save-failures writes each failing seed shrunk, as a negative scenario that replays", "[cli][sweep]") {
  const fs::path dir = fs::temp_directory_path() / "syncsim-save-failures-test" / "found";
  fs::remove_all(dir.parent_path());
  const testing::CommandResult sweep =
      RunSyncsim("sweep " + kFailing + " --seeds 1..2 --save-failures " + dir.string());
  INFO(sweep.output);
  REQUIRE(sweep.exit_code == 1);
  for (const char* seed : {"1", "2"}) {
    const fs::path file = dir / ("missing_dependency_drop_stalls_seed_" + std::string(seed) + "_shrunk.json");
    INFO(file.string());
    REQUIRE(fs::exists(file));
    CHECK(sweep.output.find("saved         " + file.string()) != std::string::npos);
    const nlohmann::json saved = nlohmann::json::parse(testing::ReadFile(file));
    CHECK(saved["name"] == file.stem().string());
    CHECK(saved["seed"] == std::stoi(seed));
    CHECK(saved["sync"]["missing_dependency"] == "drop");
    CHECK(saved["expect"]["must_fail"].size() >= 1);
    CHECK(saved["steps"].size() < 4);
    // It passes as a negative test, and fails with its must_fail emptied.
    CHECK(RunSyncsim("run " + file.string() + " --no-snapshot").exit_code == 0);
    CHECK(RunSyncsim("run " + file.string() + " --no-snapshot --set expect.must_fail=[]").exit_code == 1);
  }
  fs::remove_all(dir.parent_path());
}

TEST_CASE("sweep --save-failures refuses a folder it cannot write before any seed runs", "[cli][sweep]") {
  const fs::path file = fs::temp_directory_path() / "syncsim-save-failures-not-a-folder";
  std::ofstream(file) << "a file, not a folder\n";
  const testing::CommandResult sweep =
      RunSyncsim("sweep " + kFailing + " --seeds 1..2 --save-failures " + (file / "found").string());
  INFO(sweep.output);
  CHECK(sweep.exit_code == 2);
  CHECK(sweep.output.find("--save-failures") != std::string::npos);
  CHECK(sweep.output.find("seeds passed") == std::string::npos);  // no seed ran
  fs::remove(file);
}

}  // namespace
}  // namespace syncsim
