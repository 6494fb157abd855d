// Snapshots and reports (DESIGN.md 6, issue #6): summary numbers against
// independent SQL over the snapshot databases, `report` reproducing the
// run's summary.json from the folder alone, `diff` finding what a planted
// bug lost, and clear errors (exit code 2) for missing or damaged files.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"
#include "sim/snapshot/report_rebuild.h"
#include "sim/snapshot/snapshot_diff.h"
#include "tests/syncsim_command.h"
#include "tests/test_files.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;
using testing::CommandResult;
using testing::RunSyncsim;

fs::path FreshDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("syncsim-report-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs a scenario of scenarios/ with overrides; returns the snapshot folder.
fs::path RunScenarioTo(const std::string& relative, const std::vector<std::string>& overrides, const fs::path& out,
                       sim::RunResult* result_out = nullptr) {
  sim::Scenario scenario;
  nlohmann::json resolved;
  const std::string path = std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/" + relative;
  core::Status status = sim::LoadScenarioFile(path, overrides, std::nullopt, &scenario, &resolved);
  REQUIRE(status.ok());
  sim::RunOptions options;
  options.out_dir = out.string();
  options.force = true;
  sim::RunResult result;
  status = sim::RunScenario(scenario, resolved, options, &result);
  REQUIRE(status.ok());
  if (result_out != nullptr) *result_out = result;
  return result.snapshot_dir;
}

// The small default shape: 8 dirs, 300 files, with content links that a
// `missing_dependency` policy can lose.
const std::vector<std::string> kSmallDefault = {"steps[1].dirs=8", "steps[1].files=300", "expect.counts.bob.entry=308"};

// One integer from raw SQLite, independent of syncsim's own database code.
int64_t SqlInt(const fs::path& database, const std::string& sql, const fs::path& attached = {}) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(database.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  if (!attached.empty()) {
    const std::string attach = "ATTACH DATABASE '" + attached.string() + "' AS other";
    REQUIRE(sqlite3_exec(handle, attach.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  sqlite3_stmt* statement = nullptr;
  INFO(sql);
  REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  const int64_t value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

TEST_CASE("summary.json numbers match independent SQL over the snapshot databases", "[snapshot][report]") {
  const fs::path out = FreshDir("sql");
  // bob nulls content links whose identity has not arrived: his numbers
  // differ from alice's, so a summary that copied one device's numbers to
  // the other would fail.
  const fs::path run = RunScenarioTo("regression/missing_dependency_null_orphans.json",
                                     {"steps[1].dirs=6", "steps[1].files=40"}, out);
  const fs::path phase = run / "final_state";
  const nlohmann::json summary = nlohmann::json::parse(ReadFile(phase / "summary.json"));
  for (const std::string device : {"alice", "bob"}) {
    INFO(device);
    const fs::path database = phase / (device + ".db");
    const nlohmann::json& facts = summary["devices"][device];
    for (const std::string model : {"device", "location", "entry", "content_identity", "tag", "collection"}) {
      CHECK(facts["counts"][model].get<int64_t>() == SqlInt(database, "SELECT count(*) FROM " + model));
    }
    CHECK(facts["files"].get<int64_t>() == SqlInt(database, "SELECT count(*) FROM entry WHERE kind = 0"));
    CHECK(facts["directories"].get<int64_t>() == SqlInt(database, "SELECT count(*) FROM entry WHERE kind = 1"));
    CHECK(facts["files_with_content"].get<int64_t>() ==
          SqlInt(database, "SELECT count(*) FROM entry e JOIN content_identity c ON c.id = e.content_id WHERE e.kind = 0"));
    CHECK(facts["closure_rows"].get<int64_t>() == SqlInt(database, "SELECT count(*) FROM entry_closure"));
    CHECK(facts["shared_log_size"].get<int64_t>() == SqlInt(database, "SELECT count(*) FROM shared_changes"));
    CHECK(facts["parked_records"].get<int64_t>() ==
          SqlInt(database, "SELECT count(*) FROM pending_dependencies WHERE kind = 'record'"));
    CHECK(facts["orphans"].get<int64_t>() ==
          SqlInt(database, "SELECT count(*) FROM entry e LEFT JOIN entry p ON p.id = e.parent_id "
                           "WHERE p.id IS NULL AND e.id NOT IN (SELECT entry_id FROM location WHERE entry_id IS NOT NULL)"));
    CHECK(facts["dangling_foreign_keys"]["entry.content_id"].get<int64_t>() ==
          SqlInt(database, "SELECT count(*) FROM entry e WHERE e.content_id IS NOT NULL AND e.content_id NOT IN "
                           "(SELECT id FROM content_identity)"));
    CHECK(facts["foreign_key_linkage"]["entry.content_id"]["resolved"].get<int64_t>() ==
          SqlInt(database, "SELECT count(*) FROM entry e JOIN content_identity c ON c.id = e.content_id"));
  }
  // Linkage relative to the owner, by uuid across the two files.
  const nlohmann::json& link = summary["devices"]["bob"]["linkage"][0];
  const int64_t owner_links =
      SqlInt(phase / "alice.db", "SELECT count(*) FROM entry e JOIN content_identity c ON c.id = e.content_id WHERE e.kind = 0");
  const int64_t receiver_links = SqlInt(
      phase / "alice.db",
      "SELECT count(*) FROM entry e JOIN content_identity c ON c.id = e.content_id "
      "JOIN other.entry r ON r.uuid = e.uuid JOIN other.content_identity rc ON rc.id = r.content_id "
      "WHERE e.kind = 0 AND rc.uuid = c.uuid",
      phase / "bob.db");
  CHECK(link["owner_content_links"].get<int64_t>() == owner_links);
  CHECK(link["receiver_content_links"].get<int64_t>() == receiver_links);
  CHECK(receiver_links < owner_links);  // the planted policy lost links
  CHECK(link["text"].get<std::string>() ==
        "bob links " + std::to_string(receiver_links) + " of the " + std::to_string(owner_links) + " files alice links");
}

TEST_CASE("report rebuilds the run's summary.json byte for byte from the snapshot", "[snapshot][report]") {
  const fs::path out = FreshDir("rebuild");
  const fs::path run = RunScenarioTo("regression/realtime_alice_to_bob.json", kSmallDefault, out);
  const fs::path phase = run / "final_state";
  const std::string summary = ReadFile(phase / "summary.json");
  const std::string markdown = ReadFile(phase / "summary.md");
  const std::string dot = ReadFile(phase / "linkage.dot");
  REQUIRE(!summary.empty());
  for (const char* derived : {"summary.json", "summary.md", "linkage.dot", "linkage.svg"}) fs::remove(phase / derived);
  fs::remove(run / "report.html");

  sim::RebuiltReport report;
  REQUIRE(sim::RebuildReport(run, &report).ok());
  CHECK(ReadFile(phase / "summary.json") == summary);
  CHECK(ReadFile(phase / "summary.md") == markdown);
  CHECK(ReadFile(phase / "linkage.dot") == dot);
  const std::string html = ReadFile(run / "report.html");
  CHECK(html.find("PASS") != std::string::npos);
  CHECK(html.find("bob links 300 of the 300 files alice links") != std::string::npos);
  CHECK(html.find("Messages over virtual time") != std::string::npos);
  // Self-contained: nothing is fetched.
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);

  SECTION("from the databases alone, without the live state") {
    fs::remove(phase / "live_state.json");
    REQUIRE(sim::RebuildReport(run, &report).ok());
    const nlohmann::json rebuilt = nlohmann::json::parse(ReadFile(phase / "summary.json"));
    const nlohmann::json original = nlohmann::json::parse(summary);
    CHECK(rebuilt["devices"]["bob"]["counts"] == original["devices"]["bob"]["counts"]);
    CHECK(rebuilt["devices"]["bob"]["linkage"] == original["devices"]["bob"]["linkage"]);
    CHECK(rebuilt["convergence"] == original["convergence"]);
    CHECK_FALSE(rebuilt["devices"]["bob"].contains("runtime"));
    CHECK(rebuilt["oracle_checked"] == false);
  }
}

TEST_CASE("diff: a run against itself has no difference, and a planted drop shows what bob lacks", "[snapshot][diff]") {
  const fs::path out = FreshDir("diff");
  const fs::path good = RunScenarioTo("regression/realtime_alice_to_bob.json", kSmallDefault, out / "park");
  sim::SnapshotDiff same;
  REQUIRE(sim::DiffSnapshots(good, good, &same).ok());
  CHECK_FALSE(same.content_differs);
  REQUIRE(same.phases.size() == 1);
  CHECK(same.phases[0].records.empty());
  CHECK(same.phases[0].summary_differences.empty());

  std::vector<std::string> dropping = kSmallDefault;
  dropping.push_back("sync.missing_dependency=drop");
  const fs::path bad = RunScenarioTo("regression/realtime_alice_to_bob.json", dropping, out / "drop");
  sim::SnapshotDiff diff;
  REQUIRE(sim::DiffSnapshots(good, bad, &diff).ok());
  CHECK(diff.content_differs);
  REQUIRE(diff.phases.size() == 1);
  bool lost_links = false;
  for (const sim::RecordDifference& record : diff.phases[0].records) {
    CHECK(record.device == "bob");  // alice, the owner, is the same in both runs
    if (record.model == "entry" && record.kind == "field_mismatch" && record.sample_fields == std::vector<std::string>{"content_uuid"}) {
      lost_links = true;
      CHECK(record.count > 0);
      REQUIRE(!record.sample_changes.empty());
      CHECK(record.sample_changes[0].find("-> null") != std::string::npos);
    }
  }
  CHECK(lost_links);
  // The report gives each sampled uuid of a difference the command that
  // tells its story, and that command works from the run's folder.
  const std::string report = ReadFile(bad / "report.html");
  const std::string hint = "title=\"syncsim explain . --record ";
  const size_t at = report.find(hint);
  REQUIRE(at != std::string::npos);
  const std::string uuid = report.substr(at + hint.size(), 36);
  const CommandResult story = RunSyncsim("explain " + bad.string() + " --record " + uuid + " --device bob");
  CHECK(story.exit_code == 0);
  CHECK(story.output.find("bob: at the end") != std::string::npos);
  const std::string text = sim::RenderDiffText(diff);
  CHECK(text.find("verdict: the snapshots differ in synced content") != std::string::npos);

  SECTION("entries missing on one side are listed as missing, with their count") {
    // Take 7 entries away from bob's copy of the good run.
    fs::copy(good, out / "trimmed", fs::copy_options::recursive);
    const fs::path bob = out / "trimmed" / "final_state" / "bob.db";
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(bob.c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle,
                         "DELETE FROM entry WHERE id IN (SELECT id FROM entry WHERE kind = 0 ORDER BY uuid LIMIT 7)",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
    sim::SnapshotDiff trimmed;
    REQUIRE(sim::DiffSnapshots(good, out / "trimmed", &trimmed).ok());
    CHECK(trimmed.content_differs);
    bool found = false;
    for (const sim::RecordDifference& record : trimmed.phases[0].records) {
      if (record.device == "bob" && record.model == "entry" && record.kind == "only_in_a") {
        found = true;
        CHECK(record.count == 7);
      }
    }
    CHECK(found);
    const CommandResult command = RunSyncsim("diff " + good.string() + " " + (out / "trimmed").string());
    CHECK(command.exit_code == 1);
    CHECK(command.output.find("bob: 7 entry record(s) only in A") != std::string::npos);
  }
  SECTION("the command exits 0 on itself and 1 on the drop") {
    CHECK(RunSyncsim("diff " + good.string() + " " + good.string()).exit_code == 0);
    const CommandResult command = RunSyncsim("diff " + good.string() + " " + bad.string() + " --json");
    CHECK(command.exit_code == 1);
    CHECK(command.output.find("\"content_differs\":true") != std::string::npos);
  }
}

TEST_CASE("missing or damaged snapshot files: a clear error naming the file, exit code 2", "[snapshot][errors]") {
  const fs::path out = FreshDir("errors");
  const fs::path run = RunScenarioTo("regression/realtime_alice_to_bob.json", kSmallDefault, out);
  const fs::path phase = run / "final_state";
  const std::string summary = ReadFile(phase / "summary.json");

  SECTION("no such folder") {
    const CommandResult result = RunSyncsim("report " + (out / "nowhere").string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("nowhere: no such snapshot folder") != std::string::npos);
  }
  SECTION("a folder without phases") {
    fs::create_directories(out / "empty");
    const CommandResult result = RunSyncsim("report " + (out / "empty").string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("no phase folder") != std::string::npos);
  }
  SECTION("a database that is not SQLite") {
    std::ofstream(phase / "bob.db", std::ios::trunc) << "this is not a database";
    const CommandResult result = RunSyncsim("report " + run.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("bob.db") != std::string::npos);
    CHECK(result.output.find("not a database") != std::string::npos);
    CHECK(ReadFile(phase / "summary.json") == summary);  // nothing rewritten
    CHECK(RunSyncsim("diff " + run.string() + " " + run.string()).exit_code == 2);
  }
  SECTION("a truncated database") {
    const std::string bytes = ReadFile(phase / "bob.db");
    std::ofstream(phase / "bob.db", std::ios::binary | std::ios::trunc).write(bytes.data(), 3000);
    const CommandResult result = RunSyncsim("report " + run.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("bob.db") != std::string::npos);
    CHECK(ReadFile(phase / "summary.json") == summary);
  }
  SECTION("a SQLite file without the library schema") {
    fs::remove(phase / "bob.db");
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open((phase / "bob.db").c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle, "CREATE TABLE unrelated (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
    const CommandResult result = RunSyncsim("report " + run.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("bob.db: not a library database") != std::string::npos);
  }
  SECTION("a database the live state names is missing") {
    fs::remove(phase / "bob.db");
    const CommandResult result = RunSyncsim("report " + run.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("bob.db: no such database file") != std::string::npos);
  }
  SECTION("a damaged live_state.json") {
    std::ofstream(phase / "live_state.json", std::ios::trunc) << "{\"scenario\": 3}";
    const CommandResult result = RunSyncsim("report " + run.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("live_state.json: scenario: expected a string") != std::string::npos);
  }
  SECTION("a damaged trace.jsonl") {
    std::ofstream(run / "trace.jsonl", std::ios::app) << "{not json\n";
    const CommandResult result = RunSyncsim("report " + run.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("trace.jsonl:") != std::string::npos);
  }
  SECTION("diff of a phase folder against a run folder") {
    const CommandResult result = RunSyncsim("diff " + phase.string() + " " + run.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("compare two phase folders or two run folders") != std::string::npos);
  }
}

TEST_CASE("linkage.dot marks what a receiver lacks, and without Graphviz the DOT stays and the report says so",
          "[snapshot][graph]") {
  const fs::path out = FreshDir("graph");
  const fs::path run =
      RunScenarioTo("regression/missing_dependency_null_orphans.json", {"steps[1].dirs=6", "steps[1].files=40"}, out);
  const std::string dot = ReadFile(run / "final_state" / "linkage.dot");
  // bob's content links below 100% are red; the small tree is drawn with
  // the files bob could not link marked.
  CHECK(dot.find("content_id 60.0%") != std::string::npos);
  CHECK(dot.find("#c62828") != std::string::npos);
  CHECK(dot.find("Downloads as bob holds it") != std::string::npos);
  CHECK(dot.find("(content not linked)") != std::string::npos);

  ::setenv("SYNCSIM_DOT", "/nonexistent/graphviz/dot", 1);
  sim::RebuiltReport report;
  REQUIRE(sim::RebuildReport(run, &report).ok());
  ::unsetenv("SYNCSIM_DOT");
  CHECK_FALSE(report.phases[0].svg.rendered);
  CHECK(report.phases[0].svg.problem.find("is not installed") != std::string::npos);
  CHECK(fs::exists(run / "final_state" / "linkage.dot"));
  CHECK_FALSE(fs::exists(run / "final_state" / "linkage.svg"));
  CHECK(ReadFile(run / "report.html").find("is not installed") != std::string::npos);
}

}  // namespace
}  // namespace syncsim
