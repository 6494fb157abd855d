#include "core/record_applier.h"

#include <cassert>
#include <deque>

#include <fmt/format.h>

namespace syncsim::core {
namespace {

nlohmann::json RecordToJson(const WireRecord& record) {
  nlohmann::json json{{"model", record.model},
                      {"uuid", record.uuid.ToString()},
                      {"data", record.data},
                      {"version", record.version},
                      {"deleted", record.deleted}};
  if (!record.field_versions.empty()) json["field_versions"] = record.field_versions;
  return json;
}

WireRecord RecordFromJson(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text);
  WireRecord record;
  record.model = json.at("model").get<std::string>();
  std::optional<Uuid> uuid = Uuid::Parse(json.at("uuid").get<std::string>());
  assert(uuid.has_value());
  record.uuid = *uuid;
  record.data = json.at("data");
  record.version = json.at("version").get<std::string>();
  record.deleted = json.at("deleted").get<bool>();
  if (json.contains("field_versions")) {
    record.field_versions = json.at("field_versions").get<std::map<std::string, std::string>>();
  }
  return record;
}

bool JsonMatchesType(const nlohmann::json& value, ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return value.is_number_integer() || value.is_boolean();
    case ColumnType::kReal:
      return value.is_number();
    case ColumnType::kText:
      return value.is_string();
  }
  return false;
}

}  // namespace

std::string_view ToString(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::kApplied:
      return "applied";
    case ApplyOutcome::kStale:
      return "stale";
    case ApplyOutcome::kParked:
      return "parked";
    case ApplyOutcome::kDropped:
      return "dropped";
    case ApplyOutcome::kObsolete:
      return "obsolete";
  }
  return "applied";
}

Status RecordApplier::Validate(const WireRecord& record) const {
  const ModelSpec* model = library_.registry().Find(record.model);
  if (model == nullptr) return Status::InvalidArgument(fmt::format("model: unknown model \"{}\"", record.model));
  if (record.uuid.is_nil()) return Status::InvalidArgument("uuid: the nil uuid is not a record id");
  if (record.version.empty()) return Status::InvalidArgument("version: expected a non-empty version");
  if (!record.data.is_object()) return Status::InvalidArgument("data: expected an object");
  for (const auto& [field, value] : record.data.items()) {
    if (const ColumnSpec* column = model->FindColumn(field); column != nullptr) {
      if (value.is_null()) {
        if (!column->nullable && !record.deleted) {
          return Status::InvalidArgument(fmt::format("data.{}: expected a value, got null", field));
        }
      } else if (!JsonMatchesType(value, column->type)) {
        return Status::InvalidArgument(fmt::format("data.{}: wrong type {}", field, value.type_name()));
      } else if (model->FindUuidReference(field) != nullptr &&
                 !Uuid::Parse(value.get_ref<const std::string&>()).has_value()) {
        return Status::InvalidArgument(fmt::format("data.{}: expected a uuid string or null", field));
      }
      continue;
    }
    bool is_wire_field = false;
    for (const ForeignKeySpec& key : model->foreign_keys) {
      if (key.wire_field != field) continue;
      is_wire_field = true;
      if (!value.is_null() && !(value.is_string() && Uuid::Parse(value.get_ref<const std::string&>()).has_value())) {
        return Status::InvalidArgument(fmt::format("data.{}: expected a uuid string or null", field));
      }
      if (value.is_null() && key.required && !record.deleted) {
        return Status::InvalidArgument(fmt::format("data.{}: required reference is null", field));
      }
    }
    if (!is_wire_field) return Status::InvalidArgument(fmt::format("data.{}: not a synced field of {}", field, model->name));
  }
  return Status::Ok();
}

std::string RecordApplier::TombstoneVersion(const std::string& model, const Uuid& uuid) {
  Statement& statement = library_.sql().Prepare("SELECT version FROM tombstones WHERE model = ?1 AND uuid = ?2");
  statement.Bind(1, model).Bind(2, uuid.ToString());
  std::string version;
  if (statement.Step()) version = statement.Text(0);
  statement.Reset();
  return version;
}

std::string RecordApplier::NewestLoggedVersion(const std::string& model, const Uuid& uuid) {
  Statement& statement =
      library_.sql().Prepare("SELECT max(hlc) FROM shared_changes WHERE model = ?1 AND record_uuid = ?2");
  statement.Bind(1, model).Bind(2, uuid.ToString());
  std::string version;
  if (statement.Step() && !statement.IsNull(0)) version = statement.Text(0);
  statement.Reset();
  return version;
}

std::string RecordApplier::HeldVersion(const std::string& model, const Uuid& uuid) {
  Statement& statement =
      library_.sql().Prepare("SELECT version FROM record_versions WHERE model = ?1 AND uuid = ?2 AND field = ''");
  statement.Bind(1, model).Bind(2, uuid.ToString());
  std::string version;
  if (statement.Step()) version = statement.Text(0);
  statement.Reset();
  std::string tombstone = TombstoneVersion(model, uuid);
  return tombstone > version ? tombstone : version;
}

ApplyOutcome RecordApplier::Apply(const WireRecord& record, const Uuid& owner, bool local) {
  ApplyOutcome outcome = ApplyOne(record, owner, local);
  if (outcome == ApplyOutcome::kApplied) ResolveWaitingOn(record.uuid);
  return outcome;
}

// One statement for the versions the guards need (this runs for every
// record every device applies).
RecordApplier::HeldVersions RecordApplier::ReadHeldVersions(const WireRecord& record, const std::string& uuid_text) {
  Statement& versions = library_.sql().Prepare(
      "SELECT (SELECT version FROM record_versions WHERE model = ?1 AND uuid = ?2 AND field = ''), "
      "(SELECT version FROM tombstones WHERE model = ?1 AND uuid = ?2), "
      "(SELECT max(version) FROM pending_dependencies WHERE model = ?1 AND record_uuid = ?2 AND kind = 'record'), "
      "(SELECT count(*) FROM pending_dependencies WHERE model = ?1 AND record_uuid = ?2)");
  versions.Bind(1, record.model).Bind(2, uuid_text);
  versions.Step();
  HeldVersions held;
  const std::string row_version = versions.IsNull(0) ? std::string() : versions.Text(0);
  const std::string tombstone_version = versions.IsNull(1) ? std::string() : versions.Text(1);
  held.parked_version = versions.IsNull(2) ? std::string() : versions.Text(2);
  held.has_pending = versions.Int(3) > 0;
  versions.Reset();
  held.row_version = row_version;
  held.tombstone_version = tombstone_version;
  held.held = std::max(row_version, tombstone_version);
  return held;
}

// Last-writer-wins guard: an equal or newer version (or tombstone) wins,
// which also makes every duplicate delivery a no-op; so does a parked copy
// of the same or a newer version.
bool RecordApplier::IsStale(const WireRecord& record, const Uuid& owner, bool local, const HeldVersions& versions) {
  std::string held = versions.held;
  if (!local && owner.is_nil() && settings_.HasDefect(kDefectLwwGuardPruned)) {
    // The defect: the guard looks for the newest change of the record in
    // the shared change log only, which acknowledgements prune.
    held = NewestLoggedVersion(record.model, record.uuid);
  }
  if ((!held.empty() && held >= record.version) ||
      (!versions.parked_version.empty() && versions.parked_version >= record.version)) {
    ++counters_.stale;
    return true;
  }
  return false;
}

// Maps one foreign key from its wire uuid to a local id. A target this
// device lacks is handled by the missing-dependency policy; returns the
// outcome when that keeps the record from being applied now.
std::optional<ApplyOutcome> RecordApplier::MapForeignKey(const ForeignKeySpec& key, const WireRecord& record,
                                                         const Uuid& owner, bool local, LocalKeys* local_keys,
                                                         DeferredLinks* deferred_links) {
  auto wire = record.data.find(key.wire_field);
  if (wire == record.data.end() || wire->is_null()) {
    (*local_keys)[key.column] = std::nullopt;
    return std::nullopt;
  }
  std::optional<Uuid> target_uuid = Uuid::Parse(wire->get_ref<const std::string&>());
  assert(target_uuid.has_value());
  const ModelSpec* target = library_.registry().Find(key.target_model);
  assert(target != nullptr);
  std::optional<int64_t> target_id = library_.LocalId(*target, *target_uuid);
  if (target_id.has_value()) {
    (*local_keys)[key.column] = target_id;
    return std::nullopt;
  }
  // The owner's own writes always reference records it holds.
  assert(!local && "a local write references a record the device does not hold");
  (void)local;
  // A link to a deleted record: a required one makes the record obsolete
  // (a file under a deleted folder), an optional one is simply absent.
  const bool blocking = key.required || key.null_only_for_root;
  if (!TombstoneVersion(key.target_model, *target_uuid).empty()) {
    if (blocking) {
      ++counters_.obsolete;
      return ApplyOutcome::kObsolete;
    }
    (*local_keys)[key.column] = std::nullopt;
    return std::nullopt;
  }
  switch (settings_.missing_dependency) {
    case MissingDependencyPolicy::kPark:
      if (blocking) {
        Park(record, owner, key.target_model, *target_uuid);
        return ApplyOutcome::kParked;
      }
      (*local_keys)[key.column] = std::nullopt;
      deferred_links->emplace_back(&key, *target_uuid);
      break;
    case MissingDependencyPolicy::kDrop:
      ++counters_.dropped;
      return ApplyOutcome::kDropped;
    case MissingDependencyPolicy::kNull:
      (*local_keys)[key.column] = std::nullopt;
      ++counters_.links_nulled;
      break;
  }
  return std::nullopt;
}

// A move that would put an entry below itself can only be an out-of-order
// delivery: the owner never builds a cycle. Parks the record to wait for
// the new parent's own move to arrive.
bool RecordApplier::ParkedMoveBelowItself(const ModelSpec& model, const WireRecord& record, const Uuid& owner,
                                          bool local, LocalKeys* local_keys) {
  if (model.name != "entry") return false;
  std::optional<int64_t> parent_id = (*local_keys)["parent_id"];
  std::optional<int64_t> self_id = library_.LocalId(model, record.uuid);
  if (!parent_id.has_value() || !self_id.has_value() || !library_.WouldCreateCycle(*self_id, *parent_id)) return false;
  assert(!local);
  (void)local;
  Park(record, owner, model.name, Uuid::Parse(record.data.at("parent_uuid").get<std::string>()).value());
  return true;
}

// Writes the row and its version; older parked copies and deferred links
// of this record are superseded, and this copy's missing optional links
// wait in pending_dependencies.
void RecordApplier::StoreRecord(const ModelSpec& model, const WireRecord& record, const Uuid& owner,
                                const LocalKeys& local_keys, const DeferredLinks& deferred_links, bool has_pending) {
  SqliteDb& sql = library_.sql();
  const std::string uuid_text = record.uuid.ToString();
  const std::string owner_text = owner.is_nil() ? std::string() : owner.ToString();
  library_.UpsertRecord(model, record.uuid, record.data, local_keys);
  sql.Prepare(
         "INSERT OR REPLACE INTO record_versions (model, uuid, field, version, owner) VALUES (?1, ?2, '', ?3, ?4)")
      .Bind(1, record.model)
      .Bind(2, uuid_text)
      .Bind(3, record.version)
      .Bind(4, owner_text)
      .Run();
  StoreFieldVersions(record, owner_text);
  if (has_pending) {
    sql.Prepare("DELETE FROM pending_dependencies WHERE model = ?1 AND record_uuid = ?2")
        .Bind(1, record.model)
        .Bind(2, uuid_text)
        .Run();
  }
  for (const auto& [key, target_uuid] : deferred_links) {
    sql.Prepare(
           "INSERT INTO pending_dependencies (kind, model, record_uuid, field, missing_model, missing_uuid, owner, "
           "version, payload, id) VALUES ('link', ?1, ?2, ?3, ?4, ?5, ?6, ?7, '', ?8)")
        .Bind(1, record.model)
        .Bind(2, uuid_text)
        .Bind(3, key->column)
        .Bind(4, key->target_model)
        .Bind(5, target_uuid.ToString())
        .Bind(6, owner_text)
        .Bind(7, record.version)
        .Bind(8, NextPendingId())
        .Run();
    NoteWaitingOn(target_uuid);
    ++counters_.links_deferred;
  }
}

ApplyOutcome RecordApplier::ApplyOne(const WireRecord& record, const Uuid& owner, bool local) {
  const ModelSpec* model = library_.registry().Find(record.model);
  assert(model != nullptr);
  const HeldVersions versions = ReadHeldVersions(record, record.uuid.ToString());
  if (MergesByField(owner)) {
    WireRecord merged;
    if (!MergeByField(*model, record, versions, &merged)) {
      ++counters_.stale;
      return ApplyOutcome::kStale;
    }
    return ApplyMerged(*model, merged, owner, local, versions);
  }
  if (IsStale(record, owner, local, versions)) return ApplyOutcome::kStale;
  return ApplyMerged(*model, record, owner, local, versions);
}

ApplyOutcome RecordApplier::ApplyMerged(const ModelSpec& spec, const WireRecord& record, const Uuid& owner, bool local,
                                        const HeldVersions& versions) {
  const ModelSpec* model = &spec;
  if (record.deleted) {
    ApplyDelete(*model, record, owner);
    ++counters_.applied;
    return ApplyOutcome::kApplied;
  }
  // Metadata of an entry deleted here arrives too late: its delete already
  // took every record that required the entry. Tombstone beats late insert.
  if (NamesDeletedRecord(*model, record)) {
    assert(!local && "a local write names a record deleted on this device");
    ++counters_.obsolete;
    return ApplyOutcome::kObsolete;
  }
  LocalKeys local_keys;
  DeferredLinks deferred_links;
  for (const ForeignKeySpec& key : model->foreign_keys) {
    std::optional<ApplyOutcome> held_back = MapForeignKey(key, record, owner, local, &local_keys, &deferred_links);
    if (held_back.has_value()) return *held_back;
  }
  if (ParkedMoveBelowItself(*model, record, owner, local, &local_keys)) return ApplyOutcome::kParked;
  StoreRecord(*model, record, owner, local_keys, deferred_links, versions.has_pending);
  ++counters_.applied;
  return ApplyOutcome::kApplied;
}

void RecordApplier::ApplyDelete(const ModelSpec& model, const WireRecord& record, const Uuid& owner) {
  SqliteDb& sql = library_.sql();
  std::vector<LibraryDb::RemovedRecord> removed = library_.DeleteRecord(model, record.uuid);
  // A record never seen here removes no row, but metadata may name it by
  // uuid already (it may precede its entry).
  const bool seen = !removed.empty();
  if (!seen) removed.push_back({record.uuid, 0});
  // Before anything else is inserted: the requirers hold the removed local
  // ids, which SQLite may hand out again.
  NoteRequirersOf(model, removed, /*by_uuid_only=*/!seen);
  for (const LibraryDb::RemovedRecord& gone : removed) {
    sql.Prepare("INSERT OR REPLACE INTO tombstones (model, uuid, version, owner) VALUES (?1, ?2, ?3, ?4)")
        .Bind(1, record.model)
        .Bind(2, gone.uuid.ToString())
        .Bind(3, record.version)
        .Bind(4, owner.is_nil() ? std::string() : owner.ToString())
        .Run();
    sql.Prepare("DELETE FROM record_versions WHERE model = ?1 AND uuid = ?2")
        .Bind(1, record.model)
        .Bind(2, gone.uuid.ToString())
        .Run();
    sql.Prepare("DELETE FROM pending_dependencies WHERE model = ?1 AND record_uuid = ?2")
        .Bind(1, record.model)
        .Bind(2, gone.uuid.ToString())
        .Run();
  }
}

void RecordApplier::NoteRequirersOf(const ModelSpec& model, const std::vector<LibraryDb::RemovedRecord>& removed,
                                    bool by_uuid_only) {
  const bool skip_uuid_references = settings_.HasDefect(kDefectCascadeSkipsUuidReferences);
  for (const Requirement& requirement : library_.registry().SharedRequirementsOn(model.name)) {
    if (requirement.by_uuid ? skip_uuid_references : by_uuid_only) continue;
    Statement& select = library_.sql().Prepare(
        fmt::format("SELECT uuid FROM {} WHERE {} = ?1 ORDER BY uuid", requirement.model, requirement.column));
    for (const LibraryDb::RemovedRecord& gone : removed) {
      if (requirement.by_uuid) {
        select.Bind(1, gone.uuid.ToString());
      } else {
        select.Bind(1, gone.id);
      }
      while (select.Step()) {
        std::optional<Uuid> requirer = Uuid::Parse(select.Text(0));
        assert(requirer.has_value());
        requirers_.push_back({requirement.model, *requirer});
      }
      select.Reset();
    }
  }
}

std::vector<RecordApplier::Requirer> RecordApplier::TakeRequirersOfDeleted() {
  std::vector<Requirer> taken = std::move(requirers_);
  requirers_.clear();
  return taken;
}

bool RecordApplier::NamesDeletedRecord(const ModelSpec& model, const WireRecord& record) {
  if (settings_.HasDefect(kDefectCascadeSkipsUuidReferences)) return false;
  for (const UuidReferenceSpec& reference : model.uuid_references) {
    auto value = record.data.find(reference.column);
    if (value == record.data.end() || !value->is_string()) continue;
    std::optional<Uuid> target_uuid = Uuid::Parse(value->get_ref<const std::string&>());
    assert(target_uuid.has_value() && "Validate accepts only uuids in a uuid reference");
    const ModelSpec* target = library_.registry().Find(reference.target_model);
    assert(target != nullptr);
    // Present, or not arrived yet (metadata may precede its entry): valid.
    if (library_.LocalId(*target, *target_uuid).has_value()) continue;
    if (!TombstoneVersion(reference.target_model, *target_uuid).empty()) return true;
  }
  return false;
}

void RecordApplier::Park(const WireRecord& record, const Uuid& owner, const std::string& missing_model,
                         const Uuid& missing_uuid) {
  SqliteDb& sql = library_.sql();
  // Only the newest version of a record waits; an older parked copy is
  // superseded.
  sql.Prepare("DELETE FROM pending_dependencies WHERE model = ?1 AND record_uuid = ?2 AND kind = 'record'")
      .Bind(1, record.model)
      .Bind(2, record.uuid.ToString())
      .Run();
  sql.Prepare(
         "INSERT INTO pending_dependencies (kind, model, record_uuid, field, missing_model, missing_uuid, owner, "
         "version, payload, id) VALUES ('record', ?1, ?2, '', ?3, ?4, ?5, ?6, ?7, ?8)")
      .Bind(1, record.model)
      .Bind(2, record.uuid.ToString())
      .Bind(3, missing_model)
      .Bind(4, missing_uuid.ToString())
      .Bind(5, owner.is_nil() ? std::string() : owner.ToString())
      .Bind(6, record.version)
      .Bind(7, RecordToJson(record).dump())
      .Bind(8, NextPendingId())
      .Run();
  NoteWaitingOn(missing_uuid);
  ++counters_.parked;
}

std::vector<WireRecord> RecordApplier::ParkedCopies(const std::string& model, const Uuid& uuid) {
  std::vector<WireRecord> copies;
  Statement& select = library_.sql().Prepare(
      "SELECT payload FROM pending_dependencies WHERE model = ?1 AND record_uuid = ?2 AND kind = 'record' ORDER BY id");
  select.Bind(1, model).Bind(2, uuid.ToString());
  while (select.Step()) copies.push_back(RecordFromJson(select.Text(0)));
  select.Reset();
  return copies;
}

ApplyCounters& operator+=(ApplyCounters& total, const ApplyCounters& more) {
  total.applied += more.applied;
  total.stale += more.stale;
  total.parked += more.parked;
  total.dropped += more.dropped;
  total.obsolete += more.obsolete;
  total.links_nulled += more.links_nulled;
  total.links_deferred += more.links_deferred;
  total.links_repaired += more.links_repaired;
  total.parked_resolved += more.parked_resolved;
  total.parked_resolved_after_restart += more.parked_resolved_after_restart;
  return total;
}

int64_t RecordApplier::RestoredPendingIdMax() {
  if (!restored_pending_id_max_.has_value()) {
    // Before this applier's first insert: every row there is an earlier
    // applier's (an earlier start of the device).
    Statement& max = library_.sql().Prepare("SELECT coalesce(max(id), 0) FROM pending_dependencies");
    max.Step();
    restored_pending_id_max_ = max.Int(0);
    max.Reset();
    next_pending_id_ = *restored_pending_id_max_ + 1;
  }
  return *restored_pending_id_max_;
}

int64_t RecordApplier::NextPendingId() {
  RestoredPendingIdMax();
  return next_pending_id_++;
}

void RecordApplier::NoteWaitingOn(const Uuid& missing_uuid) {
  if (waited_on_.has_value()) waited_on_->insert(missing_uuid);
}

void RecordApplier::ResolveWaitingOn(const Uuid& arrived) {
  SqliteDb& sql = library_.sql();
  if (!waited_on_.has_value()) {
    waited_on_.emplace();
    Statement& all = sql.Prepare("SELECT DISTINCT missing_uuid FROM pending_dependencies");
    while (all.Step()) {
      std::optional<Uuid> missing = Uuid::Parse(all.Text(0));
      assert(missing.has_value());
      waited_on_->insert(*missing);
    }
    all.Reset();
  }
  // Breadth-first over everything the arrival unblocks; each applied record
  // may unblock more. Bounded so that a bug cannot loop forever.
  std::deque<Uuid> arrivals{arrived};
  uint64_t resolved = 0;
  while (!arrivals.empty()) {
    Uuid current = arrivals.front();
    arrivals.pop_front();
    // Nothing waits on it. Otherwise every row waiting on it is deleted
    // below; one parked again on it notes it again.
    if (waited_on_->erase(current) == 0) continue;
    struct Waiting {
      int64_t id;
      std::string kind, model, record_uuid, field, owner, version, payload;
    };
    std::vector<Waiting> waiting;
    Statement& select = sql.Prepare(
        "SELECT id, kind, model, record_uuid, field, owner, version, payload FROM pending_dependencies "
        "WHERE missing_uuid = ?1 ORDER BY id");
    select.Bind(1, current.ToString());
    while (select.Step()) {
      waiting.push_back({select.Int(0), select.Text(1), select.Text(2), select.Text(3), select.Text(4),
                         select.Text(5), select.Text(6), select.Text(7)});
    }
    select.Reset();
    for (const Waiting& row : waiting) {
      ++resolved;
      assert(resolved <= settings_.resolution_cascade_max);
      sql.Prepare("DELETE FROM pending_dependencies WHERE id = ?1").Bind(1, row.id).Run();
      const ModelSpec* model = library_.registry().Find(row.model);
      assert(model != nullptr);
      std::optional<Uuid> record_uuid = Uuid::Parse(row.record_uuid);
      assert(record_uuid.has_value());
      if (row.kind == "link") {
        // Repair only if the record still holds the version that carried
        // this link; a newer version brought its own links.
        if (HeldVersion(row.model, *record_uuid) != row.version) continue;
        const ForeignKeySpec* key = model->FindForeignKey(row.field);
        assert(key != nullptr);
        const ModelSpec* target = library_.registry().Find(key->target_model);
        std::optional<int64_t> target_id = library_.LocalId(*target, current);
        if (!target_id.has_value()) continue;
        library_.SetForeignKey(*model, *record_uuid, row.field, *target_id);
        ++counters_.links_repaired;
        continue;
      }
      WireRecord record = RecordFromJson(row.payload);
      std::optional<Uuid> owner = row.owner.empty() ? Uuid() : Uuid::Parse(row.owner);
      ApplyOutcome outcome = ApplyOne(record, owner.value_or(Uuid()), false);
      if (outcome == ApplyOutcome::kApplied) {
        ++counters_.parked_resolved;
        if (row.id <= RestoredPendingIdMax()) ++counters_.parked_resolved_after_restart;
        arrivals.push_back(record.uuid);
      }
    }
  }
}

}  // namespace syncsim::core
