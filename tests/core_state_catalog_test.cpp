// StateCatalog: a digest re-sync compares per-bucket digests and then asks
// for repair pages of the buckets that differ, so the records a page returns
// for bucket b must be exactly the records the digest counts in bucket b.
// When the two disagree (buckets computed from another uuid digit than the
// pages filter on), a re-sync repairs nothing and still looks done.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/hlc.h"
#include "core/library_db.h"
#include "core/model_registry.h"
#include "core/state_catalog.h"
#include "core/uuid.h"

namespace syncsim::core {
namespace {

const Uuid kOwnerQueried(0x5555, 0x0001);
const Uuid kOwnerOther(0x5555, 0x0002);
const Uuid kWriter(0x6666, 0x0001);

// One record held by the catalog's database: a row with its version, or a
// tombstone.
struct HeldRecord {
  Uuid uuid;
  Uuid owner;  // nil for a shared model
  int64_t version_ms = 0;
  bool deleted = false;
  nlohmann::json data;
};

std::string VersionAt(int64_t milliseconds) { return Hlc{milliseconds, 0, kWriter}.ToString(); }

// `generator` at full size: rapidcheck scales integers with the size, which
// starts at 0, so early uuids would all begin with "00" and every bucket
// would be 0; a uuid digit mix-up would go unseen for most of a run.
template <typename T>
T FullSize(rc::Gen<T> generator) {
  return *rc::gen::resize(rc::kNominalSize, std::move(generator));
}

// A value of the column's type; NULL sometimes where the column allows it.
rc::Gen<nlohmann::json> GenValue(const ColumnSpec& column) {
  rc::Gen<nlohmann::json> value = rc::gen::just(nlohmann::json("x"));
  if (column.type == ColumnType::kInteger) {
    value = rc::gen::map(rc::gen::inRange<int64_t>(-3, 4), [](int64_t v) { return nlohmann::json(v); });
  } else if (column.type == ColumnType::kReal) {
    value = rc::gen::map(rc::gen::inRange<int64_t>(-8, 8), [](int64_t v) { return nlohmann::json(0.25 * static_cast<double>(v)); });
  } else {
    value = rc::gen::map(rc::gen::container<std::string>(rc::gen::inRange('a', 'e')),
                         [](std::string text) { return nlohmann::json(std::move(text)); });
  }
  if (!column.nullable) return value;
  return rc::gen::weightedOneOf<nlohmann::json>({{1, rc::gen::just(nlohmann::json(nullptr))}, {3, value}});
}

// Records of `model`: distinct random uuids, of two owners for a
// device-owned model, some deleted, versions spread around the threshold.
std::vector<HeldRecord> GenRecords(const ModelSpec& model) {
  const int count = *rc::gen::inRange(0, 48);
  std::set<Uuid> seen;
  std::vector<HeldRecord> records;
  for (int i = 0; i < count; ++i) {
    HeldRecord record;
    record.uuid =
        Uuid::FromRandomBits(FullSize(rc::gen::arbitrary<uint64_t>()), FullSize(rc::gen::arbitrary<uint64_t>()));
    if (!seen.insert(record.uuid).second) continue;
    if (model.ownership == Ownership::kDeviceOwned) {
      record.owner = FullSize(rc::gen::element(kOwnerQueried, kOwnerQueried, kOwnerOther));
    }
    record.version_ms = FullSize(rc::gen::inRange<int64_t>(1, 100));
    record.deleted = FullSize(rc::gen::inRange(0, 4)) == 0;
    record.data = nlohmann::json::object();
    for (const ColumnSpec& column : model.columns) record.data[column.name] = *GenValue(column);
    records.push_back(std::move(record));
  }
  return records;
}

// Stores the records as the engine would leave them: a row and its version
// in record_versions, or a tombstone. Foreign keys stay NULL: which bucket
// a record falls in depends on its uuid alone.
void Store(LibraryDb& library, const ModelSpec& model, const std::vector<HeldRecord>& records) {
  SqliteDb::Transaction transaction(library.sql());
  for (const HeldRecord& record : records) {
    const std::string owner = record.owner.is_nil() ? std::string() : record.owner.ToString();
    if (record.deleted) {
      library.sql()
          .Prepare("INSERT INTO tombstones (model, uuid, version, owner) VALUES (?1, ?2, ?3, ?4)")
          .Bind(1, model.name)
          .Bind(2, record.uuid.ToString())
          .Bind(3, VersionAt(record.version_ms))
          .Bind(4, owner)
          .Run();
      continue;
    }
    library.UpsertRecord(model, record.uuid, record.data, {});
    library.sql()
        .Prepare("INSERT INTO record_versions (model, uuid, field, version, owner) VALUES (?1, ?2, '', ?3, ?4)")
        .Bind(1, model.name)
        .Bind(2, record.uuid.ToString())
        .Bind(3, VersionAt(record.version_ms))
        .Bind(4, owner)
        .Run();
  }
  transaction.Commit();
}

// Forgets every record of (`owner`, `model`) but `kept`, as if the database
// had only ever held those.
void KeepOnly(LibraryDb& library, const ModelSpec& model, const Uuid& owner, const std::set<std::string>& kept) {
  const std::string owner_key = owner.is_nil() ? std::string() : owner.ToString();
  std::vector<std::string> held;
  Statement& select = library.sql().Prepare(
      "SELECT uuid FROM record_versions WHERE model = ?1 AND owner = ?2 AND field = '' "
      "UNION ALL SELECT uuid FROM tombstones WHERE model = ?1 AND owner = ?2");
  select.Bind(1, model.name).Bind(2, owner_key);
  while (select.Step()) held.push_back(select.Text(0));
  select.Reset();
  for (const std::string& uuid : held) {
    if (kept.contains(uuid)) continue;
    library.sql().Prepare("DELETE FROM record_versions WHERE model = ?1 AND uuid = ?2").Bind(1, model.name).Bind(2, uuid).Run();
    library.sql().Prepare("DELETE FROM tombstones WHERE model = ?1 AND uuid = ?2").Bind(1, model.name).Bind(2, uuid).Run();
  }
}

uint64_t BucketDigest(const ModelWatermark& summary, int bucket) {
  return summary.buckets.empty() ? 0 : summary.buckets[static_cast<size_t>(bucket)];
}

TEST_CASE("StateCatalog: a repair page for bucket b returns exactly the records the digest counts in bucket b",
          "[catalog][property]") {
  rc::prop("for every model, random records, a random bucket and threshold", [] {
    std::unique_ptr<LibraryDb> library;
    RC_ASSERT(LibraryDb::Open(":memory:", ModelRegistry::Default(), &library).ok());
    StateCatalog catalog(library.get());
    for (const ModelSpec& model : ModelRegistry::Default().models()) {
      const std::vector<HeldRecord> records = GenRecords(model);
      Store(*library, model, records);
      const Uuid owner = model.ownership == Ownership::kDeviceOwned ? kOwnerQueried : Uuid();
      const int bucket = FullSize(rc::gen::inRange(0, kDigestBucketCount));
      // As a re-sync asks: below the requester's watermark, one bucket.
      const std::string below = VersionAt(FullSize(rc::gen::inRange<int64_t>(1, 102)));
      const ModelWatermark all = catalog.Summarize(owner, model.name, below, DigestBasis::kUuidsAndFields);
      const StatePage page = catalog.ReadPage(owner, model.name, StateCursor{}, below,
                                              static_cast<uint32_t>(records.size()) + 1, 1u << bucket);
      RC_ASSERT(!page.has_more);
      std::set<std::string> returned;
      for (const WireRecord& record : page.records) returned.insert(record.uuid.ToString());

      // A database holding only the page's records must summarize to
      // bucket b's digest in bucket b and to nothing anywhere else: a
      // record the page left out would be missing from bucket b, one it
      // returned from another bucket would show up there.
      KeepOnly(*library, model, owner, returned);
      const ModelWatermark kept = catalog.Summarize(owner, model.name, below, DigestBasis::kUuidsAndFields);
      RC_ASSERT(kept.count == static_cast<uint64_t>(page.records.size()));
      for (int other = 0; other < kDigestBucketCount; ++other) {
        const uint64_t expected = other == bucket ? BucketDigest(all, bucket) : 0;
        RC_ASSERT(BucketDigest(kept, other) == expected);
      }
    }
  });
}

}  // namespace
}  // namespace syncsim::core
