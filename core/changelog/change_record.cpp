#include "core/changelog/change_record.h"

#include <cassert>

#include "core/changelog/change_id.h"

namespace syncsim::core::changelog {

Change ChangeFromRecord(const WireRecord& record, const Uuid& author, bool owned) {
  std::optional<std::string> id = ChangeIdFromHlcText(record.version);
  assert(id.has_value());
  Change change{.id = *id,
                .model = record.model,
                .record_uuid = record.uuid,
                .author = author,
                .hlc = record.version,
                .deleted = record.deleted,
                .owned = owned};
  if (record.deleted) return change;
  for (const auto& item : record.data.items()) {
    auto version = record.field_versions.find(item.key());
    const bool by_field = !owned && version != record.field_versions.end();
    change.fields[item.key()] = ChangeField{item.value(), by_field ? version->second : record.version};
  }
  return change;
}

WireRecord RecordFromChange(const Change& change) {
  WireRecord record;
  record.model = change.model;
  record.uuid = change.record_uuid;
  record.version = change.hlc;
  record.deleted = change.deleted;
  record.data = nlohmann::json::object();
  for (const auto& [field, value] : change.fields) {
    record.data[field] = value.value;
    if (!change.owned) record.field_versions[field] = value.version;
  }
  return record;
}

SharedChangeEntry SharedEntryOf(const Change& change, bool existed) {
  const WireRecord record = RecordFromChange(change);
  SharedChangeEntry entry;
  entry.hlc = change.hlc;
  entry.model = change.model;
  entry.record_uuid = change.record_uuid;
  entry.type = change.deleted ? SharedChangeEntry::Type::kDelete
                              : (existed ? SharedChangeEntry::Type::kUpdate : SharedChangeEntry::Type::kInsert);
  entry.data = record.data;
  entry.field_versions = record.field_versions;
  return entry;
}

}  // namespace syncsim::core::changelog
