// The caches that spare the core SQL on its hot paths must never disagree
// with the database: LibraryDb's uuid -> local id cache across deletes,
// re-inserts and rollbacks, RecordApplier's set of awaited uuids across a
// restart (a new applier over a database with parked rows), and the insert
// or update choice of UpsertRecord.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/hlc.h"
#include "core/library_db.h"
#include "core/record_applier.h"
#include "tests/library_records.h"

namespace syncsim::core {
namespace {

using namespace test_records;  // NOLINT(google-build-using-namespace): the fixture's records

struct TestLibrary {
  TestLibrary() {
    REQUIRE(LibraryDb::Open(":memory:", ModelRegistry::Default(), &library).ok());
    applier = std::make_unique<RecordApplier>(library.get(), &settings);
  }

  ApplyOutcome Apply(const WireRecord& record) {
    REQUIRE(applier->Validate(record).ok());
    SqliteDb::Transaction transaction(library->sql());
    ApplyOutcome outcome = applier->Apply(record, Uuid(1, 1), /*local=*/false);
    transaction.Commit();
    return outcome;
  }

  // The id as the table has it, bypassing the cache.
  int64_t IdInTable(const std::string& model, const Uuid& uuid) {
    Statement& select = library->sql().Prepare("SELECT id FROM " + model + " WHERE uuid = ?1");
    select.Bind(1, uuid.ToString());
    const int64_t id = select.Step() ? select.Int(0) : -1;
    select.Reset();
    return id;
  }

  int64_t CachedId(const std::string& model, const Uuid& uuid) {
    std::optional<int64_t> id = library->LocalId(*library->registry().Find(model), uuid);
    return id.value_or(-1);
  }

  int64_t Query(const std::string& sql) {
    Statement& statement = library->sql().Prepare(sql);
    REQUIRE(statement.Step());
    const int64_t value = statement.IsNull(0) ? -1 : statement.Int(0);
    statement.Reset();
    return value;
  }

  SyncSettings settings;
  std::unique_ptr<LibraryDb> library;
  std::unique_ptr<RecordApplier> applier;
};

TEST_CASE("LocalId cache: a deleted subtree is forgotten, and a re-created record gets its new id", "[caches]") {
  TestLibrary test;
  REQUIRE(test.Apply(Device(1)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Location(2)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 5)) == ApplyOutcome::kApplied);
  CHECK(test.CachedId("entry", kFile) == test.IdInTable("entry", kFile));
  CHECK(test.CachedId("entry", kDirectory) == test.IdInTable("entry", kDirectory));

  // Deleting the directory takes the file with it: neither may be found.
  REQUIRE(test.Apply(Deleted("entry", kDirectory, 6)) == ApplyOutcome::kApplied);
  CHECK(test.CachedId("entry", kDirectory) == -1);
  CHECK(test.CachedId("entry", kFile) == -1);
  CHECK(test.CachedId("entry", kRoot) == test.IdInTable("entry", kRoot));

  // A record with a deleted uuid stays deleted (tombstone), but a new record
  // may take over a freed row id: the cache must follow the table.
  const Uuid other(0x3333, 0x0009);
  REQUIRE(test.Apply(Entry(other, "b.txt", 0, &kRoot, 7)) == ApplyOutcome::kApplied);
  CHECK(test.CachedId("entry", other) == test.IdInTable("entry", other));
  CHECK(test.Query("SELECT count(*) FROM entry_closure c JOIN entry e ON e.id = c.descendant_id WHERE e.name = "
                   "'b.txt'") == 2);
}

TEST_CASE("LocalId cache: a rolled back insert is forgotten", "[caches]") {
  TestLibrary test;
  REQUIRE(test.Apply(Device(1)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Location(2)) == ApplyOutcome::kApplied);
  {
    SqliteDb::Transaction transaction(test.library->sql());
    REQUIRE(test.applier->Apply(Entry(kRoot, "Downloads", 1, nullptr, 3), Uuid(1, 1), false) ==
            ApplyOutcome::kApplied);
    CHECK(test.CachedId("entry", kRoot) > 0);
    // Destroyed without Commit(): rolled back.
  }
  CHECK(test.IdInTable("entry", kRoot) == -1);
  CHECK(test.CachedId("entry", kRoot) == -1);
}

TEST_CASE("UpsertRecord: an update keeps the id and rewrites the columns", "[caches]") {
  TestLibrary test;
  REQUIRE(test.Apply(Device(1)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Location(2)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3)) == ApplyOutcome::kApplied);
  const int64_t id = test.IdInTable("location", kLocation);
  WireRecord renamed = Location(4);
  renamed.data["name"] = "Inbox";
  renamed.data["entry_uuid"] = kRoot.ToString();
  REQUIRE(test.Apply(renamed) == ApplyOutcome::kApplied);
  CHECK(test.IdInTable("location", kLocation) == id);
  CHECK(test.Query("SELECT count(*) FROM location WHERE name = 'Inbox'") == 1);
  CHECK(test.Query("SELECT entry_id FROM location") == test.IdInTable("entry", kRoot));
}

TEST_CASE("RecordApplier: a new applier resolves records parked before it existed", "[caches]") {
  TestLibrary test;
  REQUIRE(test.Apply(Device(1)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Location(2)) == ApplyOutcome::kApplied);
  // The first applier has resolved something (so its set of awaited uuids
  // is loaded), then parks the file.
  REQUIRE(test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 5)) == ApplyOutcome::kParked);
  // A restart: the parked row is in the table, the new applier knows nothing.
  test.applier = std::make_unique<RecordApplier>(test.library.get(), &test.settings);
  REQUIRE(test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4)) == ApplyOutcome::kApplied);
  CHECK(test.IdInTable("entry", kFile) > 0);
  CHECK(test.Query("SELECT count(*) FROM pending_dependencies") == 0);
  CHECK(test.applier->counters().parked_resolved == 1);
}

TEST_CASE("RecordApplier: a record parked after the awaited set was loaded is resolved", "[caches]") {
  TestLibrary test;
  REQUIRE(test.Apply(Device(1)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Location(2)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 5)) == ApplyOutcome::kParked);
  REQUIRE(test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4)) == ApplyOutcome::kApplied);
  CHECK(test.IdInTable("entry", kFile) > 0);
  CHECK(test.applier->counters().parked_resolved == 1);
}

}  // namespace
}  // namespace syncsim::core
