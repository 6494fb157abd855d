// The state fingerprint: a digest of every device's synced rows in wire
// form. The trace fingerprint covers messages and events only, so two runs
// that end in different databases could share it; the state fingerprint
// must tell them apart, and must not see local ids.
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/library_db.h"
#include "core/model_registry.h"
#include "core/record_applier.h"
#include "sim/check/state_fingerprint.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"
#include "sim/snapshot/phase_summary.h"
#include "tests/library_records.h"
#include "tests/test_files.h"

namespace syncsim::sim {
namespace {

namespace fs = std::filesystem;

using namespace core::test_records;  // NOLINT(google-build-using-namespace): the fixture's records

// The small default shape of the realtime scenario: 8 dirs, 300 files.
const std::vector<std::string> kSmallDefault = {"steps[1].dirs=8", "steps[1].files=300", "expect.counts.bob.entry=308"};

RunResult RunRealtime(const std::vector<std::string>& overrides, const std::string& out_dir) {
  Scenario scenario;
  nlohmann::json resolved;
  const std::string path = std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/regression/realtime_alice_to_bob.json";
  REQUIRE(LoadScenarioFile(path, overrides, std::nullopt, &scenario, &resolved).ok());
  RunOptions options;
  options.out_dir = out_dir;
  options.force = true;
  RunResult result;
  REQUIRE(RunScenario(scenario, resolved, options, &result).ok());
  return result;
}

// The digest of one database file, read the way a phase summary reads it.
uint64_t DigestOfFile(const fs::path& database) {
  std::unique_ptr<core::SqliteDb> db;
  REQUIRE(core::SqliteDb::Open(database.string(), &db).ok());
  std::vector<DeviceRows> rows = ReadDeviceRows({PhaseDevice{"device", db.get(), nullptr}}, core::ModelRegistry::Default());
  REQUIRE(rows.size() == 1);
  return DeviceStateDigest(rows[0], core::ModelRegistry::Default());
}

int64_t QueryInt(const fs::path& database, const std::string& sql) {
  std::unique_ptr<core::SqliteDb> db;
  REQUIRE(core::SqliteDb::Open(database.string(), &db).ok());
  core::Statement& statement = db->Prepare(sql);
  REQUIRE(statement.Step());
  const int64_t value = statement.Int(0);
  statement.Reset();
  return value;
}

void Execute(const fs::path& database, const std::string& sql) {
  std::unique_ptr<core::SqliteDb> db;
  REQUIRE(core::SqliteDb::Open(database.string(), &db).ok());
  REQUIRE(db->TryExecute(sql).ok());
}

// Gives the row `id` of `model` another local id, and every foreign key
// that pointed at it the new id: the same record, re-inserted elsewhere.
std::string ChangeLocalIdSql(const std::string& model, int64_t id, int64_t new_id) {
  std::string sql = fmt::format("UPDATE {} SET id = {} WHERE id = {};\n", model, new_id, id);
  for (const core::ModelSpec& spec : core::ModelRegistry::Default().models()) {
    for (const core::ForeignKeySpec& key : spec.foreign_keys) {
      if (key.target_model != model) continue;
      sql += fmt::format("UPDATE {0} SET {1} = {2} WHERE {1} = {3};\n", spec.name, key.column, new_id, id);
    }
  }
  return sql;
}

TEST_CASE("state fingerprint: same scenario and seed give the same state, another state another fingerprint",
          "[state_fingerprint]") {
  const RunResult first = RunRealtime(kSmallDefault, "");
  const RunResult second = RunRealtime(kSmallDefault, "");
  REQUIRE(first.state_fingerprint.size() == 16);
  CHECK(first.state_fingerprint == second.state_fingerprint);
  CHECK(first.phase_state_fingerprints == second.phase_state_fingerprints);
  // A run without files still knows the state of each snapshot phase.
  REQUIRE(first.phase_state_fingerprints.count("final_state") == 1);
  CHECK(first.phase_state_fingerprints.at("final_state") == first.state_fingerprint);
  // The two devices converged: they hold the same synced rows, so their
  // digests agree although each assigned its own local ids.
  CHECK(first.devices["alice"]["state_digest"] == first.devices["bob"]["state_digest"]);

  std::vector<std::string> dropping = kSmallDefault;
  dropping.push_back("sync.missing_dependency=drop");
  const RunResult dropped = RunRealtime(dropping, "");
  CHECK(dropped.state_fingerprint != first.state_fingerprint);
  CHECK(dropped.devices["alice"]["state_digest"] == first.devices["alice"]["state_digest"]);
  CHECK(dropped.devices["bob"]["state_digest"] != first.devices["bob"]["state_digest"]);
}

TEST_CASE("state fingerprint: summary.json holds it, one changed field changes it, a changed local id does not",
          "[state_fingerprint]") {
  const fs::path out = fs::temp_directory_path() / "syncsim-state-fingerprint-test";
  fs::remove_all(out);
  const RunResult result = RunRealtime(kSmallDefault, out.string());
  const fs::path phase = fs::path(result.snapshot_dir) / "final_state";
  const nlohmann::json summary = nlohmann::json::parse(testing::ReadFile(phase / "summary.json"));
  CHECK(summary["state_fingerprint"] == result.phase_state_fingerprints.at("final_state"));
  CHECK(summary["devices"]["bob"]["state_digest"] == result.devices["bob"]["state_digest"]);
  const nlohmann::json result_file = nlohmann::json::parse(testing::ReadFile(fs::path(result.snapshot_dir) / "result.json"));
  CHECK(result_file["state_fingerprint"] == result.state_fingerprint);
  CHECK(result_file["phase_state_fingerprints"]["final_state"] == result.state_fingerprint);

  const fs::path copy = out / "bob-copy.db";
  fs::copy_file(phase / "bob.db", copy, fs::copy_options::overwrite_existing);
  const uint64_t original = DigestOfFile(copy);
  CHECK(StateDigestHex(original) == summary["devices"]["bob"]["state_digest"].get<std::string>());

  SECTION("one field of one row") {
    Execute(copy, "UPDATE entry SET name = name || '~' WHERE id = (SELECT min(id) FROM entry WHERE kind = 0)");
    CHECK(DigestOfFile(copy) != original);
  }
  SECTION("one foreign key of one row, as its target's uuid") {
    Execute(copy, "UPDATE entry SET content_id = (SELECT max(id) FROM content_identity) "
                  "WHERE id = (SELECT min(id) FROM entry WHERE content_id != (SELECT max(id) FROM content_identity))");
    CHECK(DigestOfFile(copy) != original);
  }
  SECTION("local ids only: a directory, a content identity and the location re-inserted under other ids") {
    const int64_t directory = QueryInt(copy, "SELECT min(id) FROM entry WHERE kind = 1 AND parent_id IS NOT NULL");
    const int64_t content = QueryInt(copy, "SELECT min(content_id) FROM entry");
    const int64_t location = QueryInt(copy, "SELECT min(id) FROM location");
    REQUIRE(QueryInt(copy, fmt::format("SELECT count(*) FROM entry WHERE parent_id = {}", directory)) > 0);
    Execute(copy, ChangeLocalIdSql("entry", directory, 900001) + ChangeLocalIdSql("content_identity", content, 900002) +
                      ChangeLocalIdSql("location", location, 900003));
    REQUIRE(QueryInt(copy, "SELECT count(*) FROM entry WHERE parent_id = 900001") > 0);
    CHECK(DigestOfFile(copy) == original);
  }
  SECTION("local-only columns and derived tables") {
    Execute(copy, "UPDATE entry SET indexed_at = 12345; DELETE FROM entry_closure; DELETE FROM directory_paths;");
    CHECK(DigestOfFile(copy) == original);
  }
}

TEST_CASE("state fingerprint: two libraries that applied the same records in other orders have one digest",
          "[state_fingerprint]") {
  auto digest_after = [](const std::vector<core::WireRecord>& records) {
    std::unique_ptr<core::LibraryDb> library;
    REQUIRE(core::LibraryDb::Open(":memory:", core::ModelRegistry::Default(), &library).ok());
    core::SyncSettings settings;
    core::RecordApplier applier(library.get(), &settings);
    for (const core::WireRecord& record : records) {
      core::SqliteDb::Transaction transaction(library->sql());
      applier.Apply(record, kDevice, /*local=*/false);
      transaction.Commit();
    }
    std::vector<DeviceRows> rows =
        ReadDeviceRows({PhaseDevice{"device", &library->sql(), nullptr}}, core::ModelRegistry::Default());
    return DeviceStateDigest(rows[0], core::ModelRegistry::Default());
  };
  const std::vector<core::WireRecord> in_order = {Device(1), Location(2), Content(3),
                                                  Entry(kRoot, "Downloads", 1, nullptr, 4),
                                                  Entry(kDirectory, "dir", 1, &kRoot, 5),
                                                  Entry(kFile, "a.txt", 0, &kDirectory, 6, &kContent)};
  // Children first: they wait parked for their parents, and every row gets
  // another local id than in order.
  const std::vector<core::WireRecord> reversed(in_order.rbegin(), in_order.rend());
  CHECK(digest_after(in_order) == digest_after(reversed));
  std::vector<core::WireRecord> renamed = in_order;
  renamed.back() = Entry(kFile, "b.txt", 0, &kDirectory, 6, &kContent);
  CHECK(digest_after(renamed) != digest_after(in_order));
}

}  // namespace
}  // namespace syncsim::sim
