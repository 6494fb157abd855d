// RecordApplier: foreign-key mapping under each missing-dependency policy,
// idempotence, closure maintenance on moves and deletes, and
// last-writer-wins as a property (any order of the same changes gives the
// same rows).
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/hlc.h"
#include "core/library_db.h"
#include "core/record_applier.h"
#include "sim/kernel/random.h"
#include "tests/library_records.h"

namespace syncsim::core {
namespace {

struct TestLibrary {
  explicit TestLibrary(MissingDependencyPolicy policy) {
    settings.missing_dependency = policy;
    REQUIRE(LibraryDb::Open(":memory:", ModelRegistry::Default(), &library).ok());
    applier = std::make_unique<RecordApplier>(library.get(), &settings);
  }

  ApplyOutcome Apply(const WireRecord& record, const Uuid& owner = Uuid(1, 1)) {
    REQUIRE(applier->Validate(record).ok());
    SqliteDb::Transaction transaction(library->sql());
    ApplyOutcome outcome = applier->Apply(record, owner, /*local=*/false);
    transaction.Commit();
    return outcome;
  }

  int64_t Query(const std::string& sql) {
    Statement& statement = library->sql().Prepare(sql);
    REQUIRE(statement.Step());
    int64_t value = statement.IsNull(0) ? -1 : statement.Int(0);
    statement.Reset();
    return value;
  }

  SyncSettings settings;
  std::unique_ptr<LibraryDb> library;
  std::unique_ptr<RecordApplier> applier;
};

using namespace test_records;  // NOLINT(google-build-using-namespace): the fixture's records

TEST_CASE("park: a record whose parent arrives later is parked, then applied on arrival", "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kPark);
  REQUIRE(test.Apply(Device(1)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Location(2)) == ApplyOutcome::kApplied);
  CHECK(test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 5)) == ApplyOutcome::kParked);
  CHECK(test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4)) == ApplyOutcome::kParked);
  CHECK(test.Query("SELECT count(*) FROM pending_dependencies WHERE kind = 'record'") == 2);
  CHECK(test.Query("SELECT count(*) FROM entry") == 0);
  // The root arrives: the directory, then the file, follow in one cascade.
  CHECK(test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3)) == ApplyOutcome::kApplied);
  CHECK(test.Query("SELECT count(*) FROM entry") == 3);
  CHECK(test.Query("SELECT count(*) FROM pending_dependencies") == 0);
  CHECK(test.applier->counters().parked_resolved == 2);
  // Closure: the file has itself, its directory and the root above it.
  CHECK(test.Query("SELECT count(*) FROM entry_closure c JOIN entry e ON e.id = c.descendant_id WHERE e.name = "
                   "'a.txt'") == 3);
  CHECK(test.Query("SELECT count(*) FROM directory_paths") == 2);
}

TEST_CASE("park: a record parked before a restart counts as resolved after it, one parked after does not",
          "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kPark);
  REQUIRE(test.Apply(Device(1)) == ApplyOutcome::kApplied);
  REQUIRE(test.Apply(Location(2)) == ApplyOutcome::kApplied);
  CHECK(test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4)) == ApplyOutcome::kParked);
  // A restart: the engine (and its applier) is rebuilt on the same database.
  test.applier = std::make_unique<RecordApplier>(test.library.get(), &test.settings);
  CHECK(test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 5)) == ApplyOutcome::kParked);
  CHECK(test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3)) == ApplyOutcome::kApplied);
  CHECK(test.applier->counters().parked_resolved == 2);
  CHECK(test.applier->counters().parked_resolved_after_restart == 1);
}

TEST_CASE("park: an optional content link is applied as NULL and repaired when the target arrives", "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kPark);
  test.Apply(Device(1));
  test.Apply(Location(2));
  test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3));
  CHECK(test.Apply(Entry(kFile, "a.txt", 0, &kRoot, 6, &kContent)) == ApplyOutcome::kApplied);
  CHECK(test.Query("SELECT content_id FROM entry WHERE name = 'a.txt'") == -1);
  CHECK(test.Query("SELECT count(*) FROM pending_dependencies WHERE kind = 'link'") == 1);
  CHECK(test.Apply(Content(7)) == ApplyOutcome::kApplied);
  CHECK(test.Query("SELECT count(*) FROM entry e JOIN content_identity c ON c.id = e.content_id") == 1);
  CHECK(test.Query("SELECT count(*) FROM pending_dependencies") == 0);
  CHECK(test.applier->counters().links_repaired == 1);
}

TEST_CASE("park: a repair is skipped when a newer version of the record replaced the link", "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kPark);
  test.Apply(Device(1));
  test.Apply(Location(2));
  test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3));
  test.Apply(Entry(kFile, "a.txt", 0, &kRoot, 6, &kContent));
  test.Apply(Entry(kFile, "a.txt", 0, &kRoot, 8));  // content link removed by the owner
  test.Apply(Content(9));
  CHECK(test.Query("SELECT content_id FROM entry WHERE name = 'a.txt'") == -1);
}

TEST_CASE("drop: a record whose dependency is missing is lost", "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kDrop);
  test.Apply(Device(1));
  test.Apply(Location(2));
  CHECK(test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4)) == ApplyOutcome::kDropped);
  test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3));
  CHECK(test.Query("SELECT count(*) FROM entry") == 1);
  CHECK(test.Apply(Entry(kFile, "a.txt", 0, &kRoot, 6, &kContent)) == ApplyOutcome::kDropped);
  test.Apply(Content(7));
  CHECK(test.Query("SELECT count(*) FROM entry") == 1);
  CHECK(test.Query("SELECT count(*) FROM pending_dependencies") == 0);
}

TEST_CASE("null: a missing dependency is stored as NULL and never repaired", "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kNull);
  test.Apply(Device(1));
  test.Apply(Location(2));
  CHECK(test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4)) == ApplyOutcome::kApplied);
  CHECK(test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 6, &kContent)) == ApplyOutcome::kApplied);
  test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3));
  test.Apply(Content(7));
  CHECK(test.Query("SELECT count(*) FROM entry") == 3);
  CHECK(test.Query("SELECT count(*) FROM entry WHERE parent_id IS NULL") == 2);  // the root and the orphan dir
  CHECK(test.Query("SELECT count(*) FROM entry WHERE content_id IS NOT NULL") == 0);
  CHECK(test.applier->counters().links_nulled == 2);
}

TEST_CASE("apply is idempotent: duplicates and older versions change nothing", "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kPark);
  test.Apply(Device(1));
  test.Apply(Location(2));
  test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3));
  WireRecord file = Entry(kFile, "a.txt", 0, &kRoot, 6);
  CHECK(test.Apply(file) == ApplyOutcome::kApplied);
  CHECK(test.Apply(file) == ApplyOutcome::kStale);
  CHECK(test.Apply(Entry(kFile, "old.txt", 0, &kRoot, 5)) == ApplyOutcome::kStale);
  CHECK(test.Query("SELECT count(*) FROM entry WHERE name = 'a.txt'") == 1);
  // A parked duplicate is recognised too.
  WireRecord orphan = Entry(kDirectory, "dir", 1, &kFile, 9);
  orphan.data["parent_uuid"] = Uuid(9, 9).ToString();
  CHECK(test.Apply(orphan) == ApplyOutcome::kParked);
  CHECK(test.Apply(orphan) == ApplyOutcome::kStale);
  CHECK(test.Query("SELECT count(*) FROM pending_dependencies") == 1);
}

TEST_CASE("moves re-parent a subtree in the closure, and deletes remove it and are not resurrected", "[applier]") {
  TestLibrary test(MissingDependencyPolicy::kPark);
  const Uuid other(0x3333, 0x0009);
  test.Apply(Device(1));
  test.Apply(Location(2));
  test.Apply(Entry(kRoot, "Downloads", 1, nullptr, 3));
  test.Apply(Entry(kDirectory, "dir", 1, &kRoot, 4));
  test.Apply(Entry(other, "other", 1, &kRoot, 5));
  test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 6));
  CHECK(test.Query("SELECT count(*) FROM entry_closure") == 1 + 2 + 2 + 3);  // one row per ancestor-or-self
  // Move dir (with its file) under other.
  test.Apply(Entry(kDirectory, "dir", 1, &other, 7));
  CHECK(test.Query("SELECT count(*) FROM entry_closure c JOIN entry e ON e.id = c.descendant_id WHERE e.name = "
                   "'a.txt'") == 4);
  CHECK(test.Query("SELECT max(depth) FROM entry_closure") == 3);
  Statement& path = test.library->sql().Prepare(
      "SELECT p.path FROM directory_paths p JOIN entry e ON e.id = p.entry_id WHERE e.name = 'dir'");
  REQUIRE(path.Step());
  CHECK(path.Text(0) == "/Downloads/other/dir");
  path.Reset();
  // A move that would put other below its own child waits instead.
  CHECK(test.Apply(Entry(other, "other", 1, &kDirectory, 8)) == ApplyOutcome::kParked);
  // Delete dir: its subtree goes with it; a late update of the file is obsolete.
  WireRecord removal{"entry", kDirectory, nlohmann::json::object(), Version(9), true};
  CHECK(test.Apply(removal) == ApplyOutcome::kApplied);
  CHECK(test.Query("SELECT count(*) FROM entry") == 2);
  CHECK(test.Apply(Entry(kFile, "a.txt", 0, &kDirectory, 8)) == ApplyOutcome::kStale);
  CHECK(test.Apply(Entry(Uuid(0x3333, 0x77), "late.txt", 0, &kDirectory, 10)) == ApplyOutcome::kObsolete);
  CHECK(test.Query("SELECT count(*) FROM entry") == 2);
}

// One shared change for the property below.
struct TagChange {
  uint8_t tag;       // which of a few tag uuids
  int64_t time_ms;   // HLC timestamp
  uint8_t device;    // which device wrote it (ties broken by device uuid)
  uint8_t color;
  bool deleted;
};

TEST_CASE("last-writer-wins: any order of the same shared changes gives the same rows", "[applier][property]") {
  rc::prop("LWW is order independent, idempotent and ties go to the greater device uuid", [] {
    const auto changes = *rc::gen::container<std::vector<TagChange>>(rc::gen::construct<TagChange>(
        rc::gen::inRange<uint8_t>(0, 4), rc::gen::inRange<int64_t>(0, 20), rc::gen::inRange<uint8_t>(0, 3),
        rc::gen::inRange<uint8_t>(0, 5), rc::gen::arbitrary<bool>()));
    std::vector<WireRecord> records;
    for (size_t i = 0; i < changes.size(); ++i) {
      const TagChange& change = changes[i];
      WireRecord record;
      record.model = "tag";
      record.uuid = Uuid(0x7777, change.tag + 1u);
      // The counter makes each change's HLC unique, as HLCs are.
      record.version = Hlc{change.time_ms, static_cast<uint32_t>(i), Uuid(0x9999, change.device + 1u)}.ToString();
      record.deleted = change.deleted;
      if (!change.deleted) record.data = {{"name", "tag"}, {"color", "c" + std::to_string(change.color)}};
      records.push_back(record);
    }
    auto final_rows = [](const std::vector<WireRecord>& order) {
      SyncSettings settings;
      std::unique_ptr<LibraryDb> library;
      RC_ASSERT(LibraryDb::Open(":memory:", ModelRegistry::Default(), &library).ok());
      RecordApplier applier(library.get(), &settings);
      SqliteDb::Transaction transaction(library->sql());
      for (const WireRecord& record : order) applier.Apply(record, Uuid(), false);
      transaction.Commit();
      std::vector<std::string> rows;
      Statement& select = library->sql().Prepare("SELECT uuid, name, color FROM tag ORDER BY uuid");
      while (select.Step()) rows.push_back(select.Text(0) + "|" + select.Text(1) + "|" + select.Text(2));
      select.Reset();
      return rows;
    };
    const std::vector<std::string> expected = final_rows(records);
    // The oracle: per tag, the change with the greatest HLC decides.
    std::vector<std::string> oracle;
    for (uint8_t tag = 0; tag < 4; ++tag) {
      const WireRecord* winner = nullptr;
      for (const WireRecord& record : records) {
        if (record.uuid == Uuid(0x7777, tag + 1u) && (winner == nullptr || record.version > winner->version)) {
          winner = &record;
        }
      }
      if (winner != nullptr && !winner->deleted) {
        oracle.push_back(winner->uuid.ToString() + "|tag|" + winner->data["color"].get<std::string>());
      }
    }
    std::sort(oracle.begin(), oracle.end());
    RC_ASSERT(expected == oracle);
    std::vector<WireRecord> shuffled = records;
    sim::Random random(*rc::gen::arbitrary<uint64_t>());
    random.Shuffle(shuffled);
    RC_ASSERT(final_rows(shuffled) == expected);
    std::vector<WireRecord> twice = shuffled;
    twice.insert(twice.end(), records.begin(), records.end());
    RC_ASSERT(final_rows(twice) == expected);
  });
}

}  // namespace
}  // namespace syncsim::core
