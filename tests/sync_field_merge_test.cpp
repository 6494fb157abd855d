// `sync.shared_merge: field` end to end: two devices apart edit different
// fields of the same shared records; merged by field, both edits survive on
// both devices; merged whole, each record keeps one device's write, so one
// edit of every record is lost (and the oracle, merging whole, agrees).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/sqlite_db.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

struct TagRow {
  std::string name;
  std::string color;
};

// Runs scenarios/regression/concurrent_field_edits.json with
// sync.shared_merge set to `merge`, keeping the databases in `db_dir`.
sim::RunResult RunFieldEdits(const std::string& merge, const fs::path& db_dir) {
  sim::Scenario scenario;
  nlohmann::json resolved;
  const std::string path = std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/regression/concurrent_field_edits.json";
  const core::Status loaded =
      sim::LoadScenarioFile(path, {"sync.shared_merge=" + merge}, std::nullopt, &scenario, &resolved, nullptr);
  INFO(loaded.message());
  REQUIRE(loaded.ok());
  sim::RunOptions options;
  options.out_dir.clear();
  options.db_dir = db_dir.string();
  sim::RunResult result;
  REQUIRE(sim::RunScenario(scenario, resolved, options, &result).ok());
  return result;
}

std::map<std::string, TagRow> ReadTags(const fs::path& database) {
  std::unique_ptr<core::SqliteDb> db;
  REQUIRE(core::SqliteDb::Open(database.string(), &db).ok());
  std::map<std::string, TagRow> tags;
  core::Statement& select = db->Prepare("SELECT uuid, name, color FROM tag ORDER BY uuid");
  while (select.Step()) tags[select.Text(0)] = {select.Text(1), select.Text(2)};
  select.Reset();
  return tags;
}

bool Starts(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

TEST_CASE("merged by field, concurrent edits of different fields both survive", "[field_merge]") {
  const fs::path db_dir = fs::temp_directory_path() / "syncsim-field-merge-by-field";
  const sim::RunResult result = RunFieldEdits("field", db_dir);
  CHECK(result.passed);
  CHECK(result.converged);
  const std::map<std::string, TagRow> alice = ReadTags(db_dir / "alice.db");
  const std::map<std::string, TagRow> bob = ReadTags(db_dir / "bob.db");
  REQUIRE(alice.size() == 6);
  for (const auto& [uuid, tag] : alice) {
    INFO(uuid << ": " << tag.name << " / " << tag.color);
    // Bob's edit of the name and Alice's edit of the colour (edit_tags
    // writes "<field> N by <device>"; the tag workload wrote the first ones).
    CHECK(Starts(tag.name, "name "));
    CHECK(tag.name.find("by bob") != std::string::npos);
    CHECK(Starts(tag.color, "color "));
    CHECK(tag.color.find("by alice") != std::string::npos);
    CHECK(bob.at(uuid).name == tag.name);
    CHECK(bob.at(uuid).color == tag.color);
  }
  fs::remove_all(db_dir);
}

TEST_CASE("merged whole, one edit of each record is lost, and the oracle agrees", "[field_merge]") {
  const fs::path db_dir = fs::temp_directory_path() / "syncsim-field-merge-by-record";
  const sim::RunResult result = RunFieldEdits("record", db_dir);
  CHECK(result.passed);  // converged to the whole-record winner
  const std::map<std::string, TagRow> alice = ReadTags(db_dir / "alice.db");
  REQUIRE(alice.size() == 6);
  for (const auto& [uuid, tag] : alice) {
    INFO(uuid << ": " << tag.name << " / " << tag.color);
    const bool both = Starts(tag.name, "name ") && Starts(tag.color, "color ");
    CHECK_FALSE(both);
  }
  fs::remove_all(db_dir);
}

}  // namespace
}  // namespace syncsim
