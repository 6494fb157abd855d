// Where a run and `report` write (issue 19 item 4, issue 20 items 1, 6): a
// planted link in a snapshot folder is never written through; a phase
// folder that is a link is refused; a run's work folder is its own, removed
// when the run fails, with the empty folders it made; --force replaces a
// snapshot without a moment with none; `list` skips work in progress.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/snapshot/snapshot_work_folder.h"
#include "tests/syncsim_command.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;
using testing::RunSyncsim, testing::ReadFile, testing::CommandResult;

const std::string kSmallRun = std::string(SYNCSIM_SOURCE_DIR) +
                              "/scenarios/regression/realtime_alice_to_bob.json --set steps[1].dirs=8 "
                              "--set steps[1].files=300 --set expect.counts.bob.entry=308";

fs::path Fresh(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("syncsim-publication-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Names in `dir` that start with '.': work folders left behind.
int HiddenEntries(const fs::path& dir) {
  int count = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) count += entry.path().filename().string()[0] == '.';
  return count;
}

TEST_CASE("publication: report never writes through a link planted in the snapshot", "[snapshot][publication]") {
  const fs::path out = Fresh("links");
  REQUIRE(RunSyncsim("run " + kSmallRun + " --force --out " + out.string()).exit_code == 0);
  const fs::path run = out / "realtime_alice_to_bob" / "seed-1";
  const fs::path phase = run / "final_state";
  REQUIRE(fs::is_directory(phase));
  // Each name an older report wrote its temporary under, and the final
  // names themselves, point at a file outside that must stay as it is.
  const fs::path victim = out / "victim.txt";
  std::ofstream(victim) << "keep me";
  for (const fs::path& link : {phase / "summary.json.partial", phase / "linkage.svg.partial",
                               run / "report.html.partial", phase / "summary.md.partial"}) {
    fs::create_symlink(victim, link);
  }
  fs::remove(phase / "summary.md");
  fs::create_symlink(victim, phase / "summary.md");
  const CommandResult report = RunSyncsim("report " + run.string());
  INFO(report.output);
  CHECK(report.exit_code == 0);
  CHECK(ReadFile(victim) == "keep me");
  // The link at a final name is replaced by the file, not followed.
  CHECK_FALSE(fs::is_symlink(phase / "summary.md"));
  CHECK(ReadFile(phase / "summary.md").find("final_state") != std::string::npos);

  SECTION("a phase folder that is a link is refused, and nothing is written where it points") {
    const fs::path elsewhere = out / "elsewhere";
    fs::rename(phase, elsewhere);
    fs::create_symlink(elsewhere, phase);
    fs::remove(elsewhere / "summary.json");
    const CommandResult refused = RunSyncsim("report " + run.string());
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find("a symbolic link, not a phase folder") != std::string::npos);
    CHECK_FALSE(fs::exists(elsewhere / "summary.json"));
  }
}

TEST_CASE("publication: a work folder never published is removed with the empty folders it made",
          "[snapshot][publication]") {
  const fs::path out = Fresh("work");
  const fs::path final_dir = out / "a" / "b" / "seed-3";
  fs::path work_dir;
  {
    sim::SnapshotWorkFolder work;
    REQUIRE(work.Create(final_dir).ok());
    work_dir = work.dir();
    CHECK(work_dir.parent_path() == final_dir.parent_path());
    CHECK(work_dir.filename().string().rfind(".seed-3.partial-", 0) == 0);
    std::ofstream(work_dir / "scenario.json") << "{}";
    // A second process's folder for the same snapshot is another folder.
    sim::SnapshotWorkFolder other;
    REQUIRE(other.Create(final_dir).ok());
    CHECK(other.dir() != work_dir);
  }
  CHECK_FALSE(fs::exists(work_dir));
  CHECK_FALSE(fs::exists(out / "a"));
  CHECK(fs::exists(out));
}

TEST_CASE("publication: publishing replaces an existing snapshot and leaves nothing aside", "[snapshot][publication]") {
  const fs::path out = Fresh("replace");
  const fs::path final_dir = out / "seed-1";
  fs::create_directories(final_dir);
  std::ofstream(final_dir / "scenario.json") << "old";
  sim::SnapshotWorkFolder work;
  REQUIRE(work.Create(final_dir).ok());
  std::ofstream(work.dir() / "scenario.json") << "new";
  REQUIRE(work.Publish(final_dir).ok());
  CHECK(ReadFile(final_dir / "scenario.json") == "new");
  CHECK(HiddenEntries(out) == 0);
}

TEST_CASE("publication: a failed run leaves no work folder, and list skips one left by a killed run",
          "[snapshot][publication]") {
  const fs::path out = Fresh("failed");
  // Fails its expectation (exit 1): the snapshot is still published.
  CHECK(RunSyncsim("run " + kSmallRun + " --set expect.counts.bob.entry=1 --force --out " + out.string()).exit_code ==
        1);
  CHECK(fs::exists(out / "realtime_alice_to_bob" / "seed-1" / "result.json"));
  CHECK(HiddenEntries(out / "realtime_alice_to_bob") == 0);
  // Refused for an existing snapshot without --force (exit 2): nothing made.
  CHECK(RunSyncsim("run " + kSmallRun + " --out " + out.string()).exit_code == 2);
  CHECK(HiddenEntries(out / "realtime_alice_to_bob") == 0);
  // What a run killed with -9 leaves: not a scenario for `list`.
  const fs::path killed = out / "realtime_alice_to_bob" / ".seed-2.partial-abcdef";
  fs::create_directories(killed);
  fs::copy_file(out / "realtime_alice_to_bob" / "seed-1" / "scenario.json", killed / "scenario.json");
  const CommandResult list = RunSyncsim("list " + out.string());
  CHECK(list.exit_code == 0);
  CHECK(list.output.find(".seed-2.partial") == std::string::npos);
  CHECK(list.output.find("seed-1") != std::string::npos);
}

TEST_CASE("publication: two concurrent runs of one seed into one folder each publish a whole snapshot",
          "[snapshot][publication]") {
  const fs::path out = Fresh("concurrent");
  // Two runs of one scenario and seed with different sizes, started
  // together; whichever publishes last stays, whole: its scenario.json,
  // result.json and databases agree.
  const std::string first = std::string(SYNCSIM_BINARY) + " run " + kSmallRun + " --force --out " + out.string();
  const std::string second = std::string(SYNCSIM_BINARY) + " run " + kSmallRun +
                              " --set steps[1].files=200 --set expect.counts.bob.entry=208 --force --out " +
                              out.string();
  REQUIRE(std::system(("(" + first + " >/dev/null 2>&1 & " + second + " >/dev/null 2>&1 & wait)").c_str()) == 0);
  const fs::path run = out / "realtime_alice_to_bob" / "seed-1";
  const nlohmann::json scenario = nlohmann::json::parse(ReadFile(run / "scenario.json"));
  const nlohmann::json summary = nlohmann::json::parse(ReadFile(run / "final_state" / "summary.json"));
  const int64_t files = scenario["steps"][1]["files"].get<int64_t>();
  CHECK(summary["devices"]["bob"]["counts"]["entry"] == files + 8);
  CHECK(summary["devices"]["alice"]["counts"]["entry"] == files + 8);
  const CommandResult report = RunSyncsim("report " + run.string());
  CHECK(report.exit_code == 0);
  CHECK(HiddenEntries(out / "realtime_alice_to_bob") == 0);
}

}  // namespace
}  // namespace syncsim
