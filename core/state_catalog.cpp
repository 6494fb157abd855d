#include "core/state_catalog.h"

#include <algorithm>
#include <cassert>

namespace syncsim::core {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// The owner as stored in record_versions and tombstones.
std::string OwnerKey(const Uuid& owner) { return owner.is_nil() ? std::string() : owner.ToString(); }

// The hex digits of the buckets in `mask`, for SQL's instr().
std::string BucketDigits(uint32_t mask) {
  std::string digits;
  for (int bucket = 0; bucket < kDigestBucketCount; ++bucket) {
    if ((mask >> bucket) & 1u) digits += kHexDigits[bucket];
  }
  return digits;
}

// FNV-1a 64 followed by a finalizer, so that sums of hashes spread well.
uint64_t HashText(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  return hash;
}

// A record or tombstone as the page and summary queries return it:
// (uuid, version, deleted).
struct HeldRow {
  std::string uuid, version;
  bool deleted;
};

std::vector<HeldRow> ReadHeldRows(Statement& select) {
  std::vector<HeldRow> rows;
  while (select.Step()) rows.push_back({select.Text(0), select.Text(1), select.Int(2) != 0});
  select.Reset();
  return rows;
}

}  // namespace

int DigestBucketOf(const Uuid& uuid) {
  const std::string text = uuid.ToString();
  const char* found = std::find(kHexDigits, kHexDigits + kDigestBucketCount, text[0]);
  assert(found != kHexDigits + kDigestBucketCount);
  return static_cast<int>(found - kHexDigits);
}

StatePage StateCatalog::ReadPage(const Uuid& owner, const std::string& model, const StateCursor& after,
                                 const std::string& before, uint32_t limit, uint32_t buckets) {
  assert(limit >= 1);
  const ModelSpec* spec = library_.registry().Find(model);
  assert(spec != nullptr);
  Statement& select = library_.sql().Prepare(
      "SELECT uuid, version, 0 FROM record_versions WHERE model = ?1 AND owner = ?2 AND field = '' "
      "AND version >= ?3 AND (version > ?3 OR uuid > ?4) AND instr(?5, substr(uuid, 1, 1)) > 0 "
      "AND (?7 = '' OR version < ?7) "
      "UNION ALL "
      "SELECT uuid, version, 1 FROM tombstones WHERE model = ?1 AND owner = ?2 "
      "AND version >= ?3 AND (version > ?3 OR uuid > ?4) AND instr(?5, substr(uuid, 1, 1)) > 0 "
      "AND (?7 = '' OR version < ?7) "
      "ORDER BY 2, 1 LIMIT ?6");
  select.Bind(1, model)
      .Bind(2, OwnerKey(owner))
      .Bind(3, after.version)
      .Bind(4, after.uuid.ToString())
      .Bind(5, BucketDigits(buckets))
      .Bind(6, static_cast<int64_t>(limit) + 1)
      .Bind(7, before);
  std::vector<HeldRow> rows = ReadHeldRows(select);

  StatePage page;
  page.has_more = rows.size() > limit;
  if (page.has_more) rows.resize(limit);
  for (const HeldRow& row : rows) {
    WireRecord record;
    record.model = model;
    record.uuid = Uuid::Parse(row.uuid).value();
    record.version = row.version;
    record.deleted = row.deleted;
    if (!row.deleted) {
      record.data = WireDataOf(*spec, record.uuid);
      // Under a per-field merge each field has its own version; a peer
      // needs them to merge the record as this device did.
      if (owner.is_nil()) record.field_versions = FieldVersionsOf(model, record.uuid);
    }
    page.records.push_back(std::move(record));
  }
  if (page.has_more) page.next = StateCursor{page.records.back().version, page.records.back().uuid};
  return page;
}

ModelWatermark StateCatalog::Summarize(const Uuid& owner, const std::string& model, const std::string& below,
                                       DigestBasis basis) {
  const ModelSpec* spec = library_.registry().Find(model);
  assert(spec != nullptr);
  ModelWatermark summary;
  summary.owner = owner;
  summary.model = model;
  if (below.empty()) return summary;
  Statement& select = library_.sql().Prepare(
      "SELECT uuid, version, 0 FROM record_versions WHERE model = ?1 AND owner = ?2 AND field = '' AND version < ?3 "
      "UNION ALL "
      "SELECT uuid, version, 1 FROM tombstones WHERE model = ?1 AND owner = ?2 AND version < ?3");
  select.Bind(1, model).Bind(2, OwnerKey(owner)).Bind(3, below);
  std::vector<HeldRow> rows = ReadHeldRows(select);
  if (rows.empty()) return summary;

  summary.buckets.assign(kDigestBucketCount, 0);
  for (const HeldRow& row : rows) {
    const Uuid uuid = Uuid::Parse(row.uuid).value();
    std::string identity;
    if (basis == DigestBasis::kLocalIds) {
      // The defect: a local row id means nothing on another device.
      std::optional<int64_t> local_id = library_.LocalId(*spec, uuid);
      identity = local_id.has_value() ? std::to_string(*local_id) : row.uuid;
    } else {
      identity = row.uuid;
      identity += '|';
      identity += row.version;
      identity += '|';
      if (row.deleted) {
        identity += "deleted";
      } else {
        identity += WireDataOf(*spec, uuid).dump();
      }
    }
    const uint64_t hash = HashText(identity);
    ++summary.count;
    summary.digest += hash;
    summary.buckets[static_cast<size_t>(DigestBucketOf(uuid))] += hash;
  }
  return summary;
}

nlohmann::json StateCatalog::WireDataOf(const ModelSpec& model, const Uuid& uuid) {
  std::optional<nlohmann::json> data = library_.ReadWireData(model, uuid);
  assert(data.has_value() && "a record with a version has a row");
  // A link waiting for its target is stored as NULL, but the record links
  // to that target: say so, or a peer that reads the record from here would
  // take the NULL for the truth and lose the link.
  Statement& links = library_.sql().Prepare(
      "SELECT field, missing_uuid FROM pending_dependencies WHERE kind = 'link' AND model = ?1 AND record_uuid = ?2");
  links.Bind(1, model.name).Bind(2, uuid.ToString());
  while (links.Step()) {
    const std::string column = links.Text(0);
    for (const ForeignKeySpec& key : model.foreign_keys) {
      if (key.column == column) (*data)[key.wire_field] = links.Text(1);
    }
  }
  links.Reset();
  return std::move(*data);
}

std::map<std::string, std::string> StateCatalog::FieldVersionsOf(const std::string& model, const Uuid& uuid) {
  return library_.FieldVersions(model, uuid);
}

std::vector<StateCatalog::Held> StateCatalog::HeldOwnerModels() {
  std::vector<Held> held;
  Statement& select = library_.sql().Prepare(
      "SELECT model, owner, max(version) FROM (SELECT model, owner, version FROM record_versions WHERE field = '' "
      "UNION ALL SELECT model, owner, version FROM tombstones) GROUP BY model, owner ORDER BY model, owner");
  while (select.Step()) {
    const std::string owner_text = select.Text(1);
    Held entry;
    entry.model = select.Text(0);
    entry.owner = owner_text.empty() ? Uuid() : Uuid::Parse(owner_text).value();
    entry.newest_version = select.Text(2);
    held.push_back(std::move(entry));
  }
  select.Reset();
  return held;
}

}  // namespace syncsim::core
