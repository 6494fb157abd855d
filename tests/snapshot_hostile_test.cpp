// A snapshot copied from elsewhere is untrusted input for `report` and
// `diff` (issue 19 item 5, issue 20 items 2, 4, 5): each case plants one
// hostile change in a real snapshot and requires exit 2 naming the problem,
// within the test's time, with nothing read from or written outside the
// folder. Before the readers were hardened, the view case hung, the index
// case reported "no difference", and the device-name case read a database
// outside the snapshot.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sqlite_db.h"
#include "core/storage_error.h"
#include "tests/syncsim_command.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult, testing::ReadFile, testing::RunSyncsim;

// A small run of the default scenario into a fresh folder; returns its run
// folder (the one holding final_state/).
fs::path SmallRun(const std::string& name) {
  const fs::path out = fs::temp_directory_path() / ("syncsim-hostile-test-" + name);
  fs::remove_all(out);
  const CommandResult result =
      RunSyncsim(std::string("run ") + SYNCSIM_SOURCE_DIR +
                 "/scenarios/regression/realtime_alice_to_bob.json --set steps[1].dirs=8 --set steps[1].files=300 "
                 "--set expect.counts.bob.entry=308 --force --out " + out.string());
  REQUIRE(result.exit_code == 0);
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(out)) {
    if (entry.path().filename() == "final_state") return entry.path().parent_path();
  }
  FAIL("no final_state folder under " << out);
  return {};
}

void Sql(const fs::path& database, const std::string& sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(database.c_str(), &handle) == SQLITE_OK);
  char* error = nullptr;
  const int code = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
  INFO(sql << ": " << (error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(handle);
  REQUIRE(code == SQLITE_OK);
}

std::vector<std::string> Columns(const fs::path& database, const std::string& table) {
  std::unique_ptr<core::SqliteDb> db;
  REQUIRE(core::SqliteDb::OpenReadOnly(database.string(), 1'000'000, &db).ok());
  std::vector<std::string> columns;
  core::Statement& statement = db->Prepare("SELECT name FROM pragma_table_info(?)");
  statement.Bind(1, table);
  while (statement.Step()) columns.push_back(statement.Text(0));
  return columns;
}

// report and diff both refuse the folder with `expected` in the message,
// and the phase's summary.json is left as it was.
void RequireRefused(const fs::path& run, const std::string& expected) {
  const fs::path summary_path = run / "final_state" / "summary.json";
  const std::string summary = ReadFile(summary_path);
  const CommandResult report = RunSyncsim("report " + run.string());
  INFO(report.output);
  CHECK(report.exit_code == 2);
  CHECK(report.output.find(expected) != std::string::npos);
  CHECK(ReadFile(summary_path) == summary);
  const CommandResult diff = RunSyncsim("diff " + run.string() + " " + run.string());
  INFO(diff.output);
  CHECK(diff.exit_code == 2);
  CHECK(diff.output.find(expected) != std::string::npos);
}

TEST_CASE("hostile snapshot: a library table replaced by a never-ending view is refused, not run",
          "[snapshot][hostile]") {
  const fs::path run = SmallRun("view");
  const fs::path bob = run / "final_state" / "bob.db";
  // The view has every column of the table, so that only its kind gives it
  // away; reading it would never end.
  std::string select = "SELECT ";
  const std::vector<std::string> columns = Columns(bob, "tag");
  REQUIRE_FALSE(columns.empty());
  for (size_t i = 0; i < columns.size(); ++i) select += (i > 0 ? ", " : "") + std::string("n AS ") + columns[i];
  Sql(bob, "DROP TABLE tag; CREATE VIEW tag AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) " +
               select + " FROM r");
  RequireRefused(run, "bob.db: not a library database: tag is a view, not a table");
}

TEST_CASE("hostile snapshot: an index that disagrees with its table fails the integrity check", "[snapshot][hostile]") {
  const fs::path run = SmallRun("index");
  const fs::path bob = run / "final_state" / "bob.db";
  // The stored index holds descendant ids; declared over ancestor ids it
  // lies about every row whose two differ. quick_check does not compare an
  // index with its table, integrity_check does.
  Sql(bob,
      "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE INDEX entry_closure_by_descendant ON "
      "entry_closure(ancestor_id)' WHERE name = 'entry_closure_by_descendant'");
  RequireRefused(run, "bob.db: ");
  const CommandResult report = RunSyncsim("report " + run.string());
  CHECK(report.output.find("entry_closure_by_descendant") != std::string::npos);
}

TEST_CASE("hostile snapshot: a device name that is not an identifier never reaches outside the folder",
          "[snapshot][hostile]") {
  const fs::path run = SmallRun("names");
  const fs::path phase = run / "final_state";
  // A real database outside the snapshot, where the name points.
  const fs::path elsewhere = run.parent_path() / "elsewhere";
  fs::create_directories(elsewhere);
  fs::copy_file(phase / "alice.db", elsewhere / "alice.db", fs::copy_options::overwrite_existing);
  nlohmann::json live = nlohmann::json::parse(ReadFile(phase / "live_state.json"));
  const nlohmann::json original = live;
  for (const std::string& name : {std::string("../../elsewhere/alice"), (elsewhere / "alice").string()}) {
    live["devices"][0]["name"] = name;
    std::ofstream(phase / "live_state.json", std::ios::trunc) << live.dump();
    RequireRefused(run, "live_state.json: devices[0].name: ");
  }
  // Thousands of never-started devices: refused before anything is drawn.
  live = original;
  for (int i = 0; i < 5000; ++i) live["devices"].push_back({{"name", "ghost" + std::to_string(i)}, {"started", false}});
  std::ofstream(phase / "live_state.json", std::ios::trunc) << live.dump();
  RequireRefused(run, "live_state.json: devices: more than 16 devices");
}

TEST_CASE("hostile snapshot: a database that is a symbolic link is refused", "[snapshot][hostile]") {
  const fs::path run = SmallRun("symlink");
  const fs::path phase = run / "final_state";
  const fs::path target = run.parent_path() / "outside-bob.db";
  fs::copy_file(phase / "bob.db", target, fs::copy_options::overwrite_existing);
  fs::remove(phase / "bob.db");
  fs::create_symlink(target, phase / "bob.db");
  RequireRefused(run, "bob.db: a symbolic link, not a database");
}

TEST_CASE("SqliteDb::OpenReadOnly: nothing is written, and a query past the instruction budget is interrupted",
          "[snapshot][hostile]") {
  const fs::path dir = fs::temp_directory_path() / "syncsim-hostile-test-readonly";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path path = dir / "plain.db";
  Sql(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  const std::string before = ReadFile(path);
  std::unique_ptr<core::SqliteDb> db;
  REQUIRE(core::SqliteDb::OpenReadOnly(path.string(), 1'000'000, &db).ok());
  CHECK_FALSE(db->TryExecute("INSERT INTO t VALUES (2)").ok());
  CHECK_FALSE(db->TryExecute("CREATE TABLE u (y)").ok());
  // Defensive mode: the schema cannot be edited even where a writable
  // connection would allow it.
  CHECK_FALSE(db->TryExecute("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = ''").ok());
  core::Statement& endless =
      db->Prepare("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r");
  bool interrupted = false;
  try {
    endless.Step();
  } catch (const core::StorageError& error) {
    interrupted = (error.code() & 0xff) == SQLITE_INTERRUPT;
  }
  CHECK(interrupted);
  db.reset();
  CHECK(ReadFile(path) == before);
  CHECK_FALSE(fs::exists(dir / "plain.db-journal"));
  CHECK_FALSE(fs::exists(dir / "plain.db-wal"));
  // A missing file is not created.
  CHECK_FALSE(core::SqliteDb::OpenReadOnly((dir / "missing.db").string(), 1'000'000, &db).ok());
  CHECK_FALSE(fs::exists(dir / "missing.db"));
}

TEST_CASE("hostile snapshot: a negative time or a value of the wrong type is exit 2 naming the file and place",
          "[snapshot][hostile]") {
  const fs::path run = SmallRun("types");
  const fs::path phase = run / "final_state";
  const std::string trace = ReadFile(run / "trace.jsonl");
  const std::string live = ReadFile(phase / "live_state.json");
  const std::string result = ReadFile(run / "result.json");
  auto report = [&]() { return RunSyncsim("report " + run.string()); };
  auto restore = [&]() {
    std::ofstream(run / "trace.jsonl", std::ios::trunc) << trace;
    std::ofstream(phase / "live_state.json", std::ios::trunc) << live;
    std::ofstream(run / "result.json", std::ios::trunc) << result;
  };
  struct Case {
    fs::path file;
    std::string content;
    std::string expected;
  };
  nlohmann::json live_json = nlohmann::json::parse(live);
  nlohmann::json result_json = nlohmann::json::parse(result);
  std::vector<Case> cases;
  // A negative time indexed before the first timeline interval (a segfault).
  cases.push_back({run / "trace.jsonl", trace + "{\"time_us\":-5000000,\"kind\":\"message\",\"fate\":\"sent\"}\n",
                   ": time_us: expected a time >= 0"});
  cases.push_back({run / "trace.jsonl", trace + "{\"time_us\":5,\"kind\":\"message\",\"fate\":7}\n",
                   ": fate: expected a string"});
  nlohmann::json stall_string = live_json;
  stall_string["stall"] = "stuck";
  cases.push_back({phase / "live_state.json", stall_string.dump(), "live_state.json: stall: expected an object or null"});
  nlohmann::json on_string = live_json;
  on_string["devices"][0]["runtime"] = {{"on", "yes"}};
  cases.push_back({phase / "live_state.json", on_string.dump(), "live_state.json: devices[0].runtime.on: expected a boolean"});
  nlohmann::json passed_string = result_json;
  passed_string["passed"] = "yes";
  cases.push_back({run / "result.json", passed_string.dump(), "result.json: passed: expected true or false"});
  nlohmann::json expectation_number = result_json;
  expectation_number["expectations"][0] = 3;
  cases.push_back({run / "result.json", expectation_number.dump(), "result.json: expectations[0]: expected an object"});
  // Nesting a printer would recurse through until the stack ran out.
  cases.push_back({run / "result.json", std::string(200000, '[') + std::string(200000, ']'), "result.json: "});
  for (const Case& planted : cases) {
    restore();
    std::ofstream(planted.file, std::ios::trunc) << planted.content;
    const CommandResult refused = report();
    INFO(planted.file << " " << refused.output.substr(0, 400));
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find(planted.expected) != std::string::npos);
  }
  restore();
  CHECK(report().exit_code == 0);
}

TEST_CASE("hostile snapshot: dot runs with bounded CPU time and memory", "[snapshot][hostile]") {
  const fs::path run = SmallRun("dot");
  // A stand-in for dot that prints the limits it was given as its SVG.
  const fs::path fake = run.parent_path() / "fake-dot.sh";
  std::ofstream(fake) << "#!/bin/sh\nprintf '<svg>cpu %s memory %s</svg>' \"$(ulimit -t)\" \"$(ulimit -v)\"\n";
  fs::permissions(fake, fs::perms::owner_all);
  ::setenv("SYNCSIM_DOT", fake.c_str(), 1);
  const CommandResult report = RunSyncsim("report " + run.string());
  ::unsetenv("SYNCSIM_DOT");
  INFO(report.output);
  CHECK(report.exit_code == 0);
  const std::string svg = ReadFile(run / "final_state" / "linkage.svg");
  CHECK(svg.find("cpu 60 ") != std::string::npos);
  CHECK(svg.find("memory 4194304<") != std::string::npos);  // KiB: 4 GiB
}

}  // namespace
}  // namespace syncsim
