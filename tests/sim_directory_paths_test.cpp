// invariant.paths: every directory has exactly one directory_paths row, and
// its path is the names along its parent chain; no other entry has a row.
// A rename that no longer refreshed the paths once left 8 of 38 directories
// stale on both devices while every other check held.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/library_db.h"
#include "core/record_applier.h"
#include "sim/check/database_facts.h"
#include "tests/library_records.h"

namespace syncsim::sim {
namespace {

using namespace core::test_records;  // NOLINT(google-build-using-namespace): the fixture's records

struct PathsLibrary {
  PathsLibrary() {
    REQUIRE(core::LibraryDb::Open(":memory:", core::ModelRegistry::Default(), &library).ok());
    applier = std::make_unique<core::RecordApplier>(library.get(), &settings);
    // Downloads/dir/a.txt, the root and dir being directories.
    Apply(Device(1));
    Apply(Location(2));
    Apply(Entry(kRoot, "Downloads", 1, nullptr, 3));
    Apply(Entry(kDirectory, "dir", 1, &kRoot, 4));
    Apply(Entry(kFile, "a.txt", 0, &kDirectory, 5));
  }

  void Apply(const core::WireRecord& record) {
    REQUIRE(applier->Validate(record).ok());
    core::SqliteDb::Transaction transaction(library->sql());
    REQUIRE(applier->Apply(record, kDevice, /*local=*/false) == core::ApplyOutcome::kApplied);
    transaction.Commit();
  }

  DatabaseFacts Facts() { return ReadDatabaseFacts(library->sql(), core::ModelRegistry::Default()); }

  core::SyncSettings settings;
  std::unique_ptr<core::LibraryDb> library;
  std::unique_ptr<core::RecordApplier> applier;
};

TEST_CASE("invariant.paths: the rows the library keeps hold through renames and moves", "[check][paths]") {
  PathsLibrary test;
  CHECK(test.Facts().directory_paths == 2);
  CHECK(test.Facts().directory_path_errors == 0);
  SECTION("a renamed root: its path and the path of every directory below it change") {
    test.Apply(Entry(kRoot, "Renamed", 1, nullptr, 6));
    const DatabaseFacts facts = test.Facts();
    CHECK(facts.directory_path_errors == 0);
    CHECK(facts.directory_path_error_samples.empty());
  }
  SECTION("a directory moved to the top, then a file turned into a directory") {
    test.Apply(Entry(kDirectory, "dir", 1, nullptr, 6));
    CHECK(test.Facts().directory_path_errors == 0);
    test.Apply(Entry(kFile, "a.txt", 1, &kDirectory, 7));
    CHECK(test.Facts().directory_paths == 3);
    CHECK(test.Facts().directory_path_errors == 0);
  }
}

TEST_CASE("invariant.paths: a stale, missing or extra directory_paths row is an error naming the entry",
          "[check][paths]") {
  PathsLibrary test;
  core::SqliteDb& sql = test.library->sql();
  SECTION("a stale path, as a rename that forgot the refresh leaves it") {
    sql.Execute("UPDATE entry SET name = 'renamed' WHERE uuid = '" + kDirectory.ToString() + "'");
  }
  SECTION("a path that is not its parent's path plus its name") {
    sql.Execute("UPDATE directory_paths SET path = '/elsewhere/dir' WHERE entry_id = (SELECT id FROM entry WHERE uuid = '" +
                kDirectory.ToString() + "')");
  }
  SECTION("a directory without its row") {
    sql.Execute("DELETE FROM directory_paths WHERE entry_id = (SELECT id FROM entry WHERE uuid = '" +
                kDirectory.ToString() + "')");
  }
  SECTION("a row for an entry that is no longer a directory") {
    sql.Execute("UPDATE entry SET kind = 0 WHERE uuid = '" + kDirectory.ToString() + "'");
  }
  const DatabaseFacts facts = test.Facts();
  CHECK(facts.directory_path_errors == 1);
  REQUIRE(facts.directory_path_error_samples.size() == 1);
  CHECK(facts.directory_path_error_samples[0] == kDirectory.ToString());
}

TEST_CASE("invariant.paths: a row for an entry that is gone is an error", "[check][paths]") {
  PathsLibrary test;
  test.library->sql().Execute("INSERT INTO directory_paths (entry_id, path) VALUES (9999, '/ghost')");
  const DatabaseFacts facts = test.Facts();
  CHECK(facts.directory_path_errors == 1);
  REQUIRE(facts.directory_path_error_samples.size() == 1);
  CHECK(facts.directory_path_error_samples[0] == "missing entry 9999");
}

}  // namespace
}  // namespace syncsim::sim
