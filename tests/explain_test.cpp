// `syncsim explain` (issue 18 item 6): the story of one record, told by
// replaying a run. Built on the seed transcript's bug (missing_dependency
// drop): an entry's update that links its content arrives before the
// content identity, is dropped, and the receiver keeps the unlinked
// version. The story must show that order and say why the receiver differs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "tests/syncsim_command.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

using testing::RunSyncsim;

// The first value of `sql` on the database, "" when none.
std::string QueryText(const fs::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  std::string text;
  if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
    text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return text;
}

// A run of the default scenario under the "drop" regression, made smaller.
fs::path DropRun() {
  const fs::path out = fs::temp_directory_path() / "syncsim-explain-test";
  const fs::path run = out / "realtime_alice_to_bob" / "seed-1";
  if (fs::exists(run / "result.json")) return run;
  fs::remove_all(out);
  const testing::CommandResult result =
      RunSyncsim("run " + std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/regression/realtime_alice_to_bob.json "
                 "--set sync.missing_dependency=drop --set steps[1].dirs=10 --set steps[1].files=300 --out " +
                 out.string());
  INFO(result.output);
  REQUIRE(result.exit_code == 1);  // the expectations of a correct engine fail
  return run;
}

TEST_CASE("explain: a dropped update's story shows the order of arrival and why the receiver differs",
          "[cli][explain]") {
  const fs::path run = DropRun();
  // A file bob holds without the content link alice gave it.
  const std::string entry = QueryText(run / "final_state" / "bob.db",
                                      "SELECT uuid FROM entry WHERE content_id IS NULL AND kind = 0 ORDER BY uuid");
  REQUIRE(!entry.empty());
  const std::string content = QueryText(
      run / "final_state" / "alice.db",
      "SELECT c.uuid FROM entry e JOIN content_identity c ON c.id = e.content_id WHERE e.uuid = '" + entry + "'");
  REQUIRE(!content.empty());

  const testing::CommandResult story = RunSyncsim("explain " + run.string() + " --record " + entry);
  INFO(story.output);
  REQUIRE(story.exit_code == 0);
  CHECK(story.output.find("replay        the run's own") != std::string::npos);
  CHECK(story.output.find("(entry)") != std::string::npos);
  CHECK(story.output.find("alice: the record appears") != std::string::npos);
  CHECK(story.output.find("alice: changes to version") != std::string::npos);
  CHECK(story.output.find("alice -> bob: StateBatch carrying it, delivered") != std::string::npos);
  CHECK(story.output.find("bob: the record appears") != std::string::npos);
  CHECK(story.output.find("content_uuid differ; 1 message(s) carrying it reached bob after its last change and "
                          "changed nothing") != std::string::npos);

  const testing::CommandResult json = RunSyncsim("explain " + run.string() + " --record " + content + " --device bob --json");
  REQUIRE(json.exit_code == 0);
  const nlohmann::json object = nlohmann::json::parse(json.output);
  CHECK(object["replay_matches_run"] == true);
  CHECK(object["model"] == "content_identity");
  // The entry's update naming the content arrived before the content did.
  double named_ms = -1;
  double carried_ms = -1;
  for (const nlohmann::json& item : object["entries"]) {
    if (item["kind"] != "message" || item["fate"] != "delivered") continue;
    if (item["carries"] == false && named_ms < 0) named_ms = item["time_ms"].get<double>();
    if (item["carries"] == true && carried_ms < 0) carried_ms = item["time_ms"].get<double>();
  }
  CHECK(named_ms >= 0);
  CHECK(carried_ms > named_ms);
}

TEST_CASE("explain: a record nobody held, a replay of another run, and bad input", "[cli][explain]") {
  const fs::path run = DropRun();
  const testing::CommandResult unknown =
      RunSyncsim("explain " + run.string() + " --record 00000000-0000-4000-8000-000000000001");
  CHECK(unknown.exit_code == 0);
  CHECK(unknown.output.find("(never seen)") != std::string::npos);

  // A result.json from another build (or edited) does not match the replay.
  const fs::path copy = run.parent_path() / "seed-1-edited";
  fs::remove_all(copy);
  fs::copy(run, copy, fs::copy_options::recursive);
  std::string result = testing::ReadFile(copy / "result.json");
  const size_t at = result.find("\"fingerprint\": \"");
  REQUIRE(at != std::string::npos);
  result.replace(at + 16, 16, "0000000000000000");
  std::ofstream(copy / "result.json", std::ios::trunc) << result;
  const testing::CommandResult other =
      RunSyncsim("explain " + copy.string() + " --record 00000000-0000-4000-8000-000000000001");
  CHECK(other.exit_code == 0);
  CHECK(other.output.find("NOT the run's") != std::string::npos);
  fs::remove_all(copy);

  CHECK(RunSyncsim("explain " + run.string() + " --record not-a-uuid").exit_code == 2);
  CHECK(RunSyncsim("explain " + run.string() + " --record 00000000-0000-4000-8000-000000000001 --device carol")
            .exit_code == 2);
  CHECK(RunSyncsim("explain " + (run / "no-such-folder").string() + " --record 00000000-0000-4000-8000-000000000001")
            .exit_code == 2);
}

}  // namespace
}  // namespace syncsim
