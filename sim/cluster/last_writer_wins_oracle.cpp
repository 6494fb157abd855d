#include "sim/cluster/last_writer_wins_oracle.h"

#include "sim/base/assert.h"

namespace syncsim::sim {

void LastWriterWinsOracle::Observe(const core::SharedChangeEntry& change) {
  RecordWrites& writes = records_[change.model][change.record_uuid.ToString()];
  const bool deleted = change.type == core::SharedChangeEntry::Type::kDelete;
  if (deleted) {
    writes.deleted = true;
  } else {
    const bool by_field = !change.field_versions.empty();
    // One run merges one way: a record never mixes the two.
    SYNCSIM_ASSERT(!writes.merge_known || writes.by_field == by_field);
    writes.merge_known = true;
    writes.by_field = by_field;
    ObserveFields(change, &writes);
  }
  // The whole-record winner, kept for every record (deletes included).
  if (change.hlc <= writes.hlc) return;
  writes.hlc = change.hlc;
  if (deleted) {
    writes.data.reset();
  } else {
    writes.data = change.data;
  }
}

void LastWriterWinsOracle::ObserveFields(const core::SharedChangeEntry& change, RecordWrites* writes) {
  for (const auto& [field, version] : change.field_versions) {
    FieldWrite& winner = writes->fields[field];
    if (version <= winner.version) continue;
    SYNCSIM_ASSERT(change.data.contains(field));
    winner.version = version;
    winner.value = change.data.at(field);
  }
}

SharedOracle LastWriterWinsOracle::Values() const {
  SharedOracle oracle;
  for (const auto& [model, records] : records_) {
    for (const auto& [uuid, writes] : records) {
      std::optional<nlohmann::json>& expected = oracle[model][uuid];
      if (!writes.by_field) {
        expected = writes.data;
        continue;
      }
      if (writes.deleted) continue;
      expected = nlohmann::json::object();
      for (const auto& [field, winner] : writes.fields) (*expected)[field] = winner.value;
    }
  }
  return oracle;
}

}  // namespace syncsim::sim
