// RecordApplier's per-field merge of shared records (`sync.shared_merge:
// field`): each field of a shared record carries its own version in
// record_versions (one row per field besides the record's '' row, whose
// version is the newest of them), and a copy that arrives wins field by
// field. A delete is final: once a record has a tombstone, no copy of it is
// applied again, so the merge is the same whatever order copies arrive in.
#include <cassert>

#include "core/record_applier.h"

namespace syncsim::core {
namespace {

// A record's fields with their versions: the known state a copy merges into.
struct FieldState {
  nlohmann::json data = nlohmann::json::object();
  std::map<std::string, std::string> versions;
};

// Folds `other` into `state`, the newer version of each field winning (ties
// keep `state`'s).
void MergeInto(FieldState* state, const nlohmann::json& data, const std::map<std::string, std::string>& versions) {
  for (const auto& [field, version] : versions) {
    auto held = state->versions.find(field);
    if (held != state->versions.end() && held->second >= version) continue;
    if (!data.contains(field)) continue;
    state->versions[field] = version;
    state->data[field] = data.at(field);
  }
}

}  // namespace

bool RecordApplier::MergesByField(const Uuid& owner) const {
  return owner.is_nil() && settings_.shared_merge == SharedMerge::kField;
}

std::map<std::string, std::string> RecordApplier::HeldFieldVersions(const std::string& model, const Uuid& uuid) {
  return library_.FieldVersions(model, uuid);
}

bool RecordApplier::MergeByField(const ModelSpec& model, const WireRecord& record, const HeldVersions& versions,
                                 WireRecord* merged) {
  if (!versions.tombstone_version.empty()) return false;
  *merged = record;
  if (record.deleted) return true;
  // A sender that merges by field versions every field; one it leaves out
  // is at the record's version.
  for (const auto& item : record.data.items()) merged->field_versions.try_emplace(item.key(), record.version);

  // What this device knows of the record already: its row, then its parked
  // copies (waiting for a target, but newer field values all the same).
  FieldState known;
  if (!versions.row_version.empty()) {
    std::optional<nlohmann::json> data = library_.ReadWireData(model, record.uuid);
    assert(data.has_value() && "a record with a version has a row");
    std::map<std::string, std::string> held = HeldFieldVersions(record.model, record.uuid);
    for (const auto& item : data->items()) held.try_emplace(item.key(), versions.row_version);
    MergeInto(&known, *data, held);
  }
  if (!versions.parked_version.empty()) {
    for (const WireRecord& parked : ParkedCopies(record.model, record.uuid)) {
      MergeInto(&known, parked.data, parked.field_versions);
    }
  }
  bool newer = false;
  for (const auto& [field, version] : merged->field_versions) {
    auto held = known.versions.find(field);
    if (held == known.versions.end() || version > held->second) newer = true;
  }
  if (!newer) return false;
  FieldState result = known;
  MergeInto(&result, merged->data, merged->field_versions);
  merged->data = std::move(result.data);
  merged->field_versions = std::move(result.versions);
  merged->version.clear();
  for (const auto& [field, version] : merged->field_versions) merged->version = std::max(merged->version, version);
  return true;
}

void RecordApplier::StoreFieldVersions(const WireRecord& record, const std::string& owner_text) {
  for (const auto& [field, version] : record.field_versions) {
    library_.sql()
        .Prepare(
            "INSERT OR REPLACE INTO record_versions (model, uuid, field, version, owner) VALUES (?1, ?2, ?3, ?4, ?5)")
        .Bind(1, record.model)
        .Bind(2, record.uuid.ToString())
        .Bind(3, field)
        .Bind(4, version)
        .Bind(5, owner_text)
        .Run();
  }
}

}  // namespace syncsim::core
