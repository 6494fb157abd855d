// RecordApplier: applies one wire record to a LibraryDb: last-writer-wins by
// version, foreign keys mapped from uuids to local ids, and the
// missing-dependency policy (DESIGN.md 3.6) when a target is absent. It is
// the single apply path for local writes, realtime messages and backfill
// alike, so every path is idempotent in the same way.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/library_db.h"
#include "core/messages.h"
#include "core/status.h"
#include "core/sync_settings.h"

namespace syncsim::core {

enum class ApplyOutcome {
  kApplied,   // the record (or its delete) is now in the database
  kStale,     // an equal or newer version is already held: nothing changed
  kParked,    // waiting in pending_dependencies for a target to arrive
  kDropped,   // lost under the `drop` policy
  kObsolete,  // its required target was deleted: discarded
};

std::string_view ToString(ApplyOutcome outcome);

// Totals since construction, for diagnosis and tests.
struct ApplyCounters {
  uint64_t applied = 0;
  uint64_t stale = 0;
  uint64_t parked = 0;
  uint64_t dropped = 0;
  uint64_t obsolete = 0;
  uint64_t links_nulled = 0;     // optional links stored as NULL under `null`
  uint64_t links_deferred = 0;   // optional links stored as NULL under `park`, to repair
  uint64_t links_repaired = 0;   // deferred links set once their target arrived
  uint64_t parked_resolved = 0;  // parked records applied once their target arrived
  // ...of them, records an earlier start of the device had parked (the
  // pending rows survived a crash and were resolved after the restart).
  uint64_t parked_resolved_after_restart = 0;
};

ApplyCounters& operator+=(ApplyCounters& total, const ApplyCounters& more);

class RecordApplier {
 public:
  // `library` and `settings` must outlive the applier.
  RecordApplier(LibraryDb* library, const SyncSettings* settings) : library_(*library), settings_(*settings) {}

  // Checks a received record against the registry: known model, `data`
  // holding only known synced columns and foreign-key wire fields of the
  // right JSON types, foreign keys as uuid strings or null, a non-empty
  // version. Returns InvalidArgument naming the field otherwise.
  Status Validate(const WireRecord& record) const;

  // Applies `record`, written by `owner` (the device that owns a
  // device-owned record; nil for shared records), then every parked record
  // and deferred link that was waiting for it, transitively. `local` marks
  // the owner's own writes, whose targets must all exist.
  // REQUIRES: Validate(record) is ok; inside a transaction.
  ApplyOutcome Apply(const WireRecord& record, const Uuid& owner, bool local);

  // A shared record that required a record Apply deleted (see
  // ModelRegistry::SharedRequirementsOn): it must be deleted in turn.
  struct Requirer {
    std::string model;
    Uuid uuid;
  };
  // The requirers of every record deleted since the last call, in the order
  // found (registry order, then uuid). The list may name a record twice, or
  // one that is gone by now; the caller deletes those it still holds, which
  // may find more. Under the `cascade_skips_uuid_references` defect uuid
  // references are not followed.
  std::vector<Requirer> TakeRequirersOfDeleted();

  // The version this device holds for a record (its row's or its
  // tombstone's), or the empty string when it knows nothing of it.
  std::string HeldVersion(const std::string& model, const Uuid& uuid);
  // The version of each field of a shared record merged by field (see
  // `sync.shared_merge`); empty for a record merged whole or not held.
  std::map<std::string, std::string> HeldFieldVersions(const std::string& model, const Uuid& uuid);

  const ApplyCounters& counters() const { return counters_; }

 private:
  // What this device holds of a record before applying a copy of it.
  struct HeldVersions {
    std::string row_version;        // the row's, or empty
    std::string tombstone_version;  // the tombstone's, or empty
    std::string held;            // the newer of the row's and the tombstone's version
    std::string parked_version;  // the newest parked copy's
    bool has_pending = false;    // parked copies or deferred links of this record
  };
  using LocalKeys = std::map<std::string, std::optional<int64_t>>;  // column -> local id
  using DeferredLinks = std::vector<std::pair<const ForeignKeySpec*, Uuid>>;  // optional links still missing

  // Apply without resolving what waited on the record; the steps below.
  ApplyOutcome ApplyOne(const WireRecord& record, const Uuid& owner, bool local);
  // The steps after the version guard: a delete, or the links then the row.
  ApplyOutcome ApplyMerged(const ModelSpec& model, const WireRecord& record, const Uuid& owner, bool local,
                           const HeldVersions& versions);

  // --- Per-field merge (core/record_applier_field_merge.cpp). ---
  // True for the records merged by field: shared ones under
  // `sync.shared_merge: field`.
  bool MergesByField(const Uuid& owner) const;
  // Sets *merged to `record` folded into what this device holds of it (its
  // row and parked copies), field by field, its version the newest field's.
  // Returns false when nothing changes: the record has a tombstone here (a
  // delete is final) or no field of `record` is newer than the held one.
  bool MergeByField(const ModelSpec& model, const WireRecord& record, const HeldVersions& versions,
                    WireRecord* merged);
  // Writes one record_versions row per field of `record.field_versions`.
  void StoreFieldVersions(const WireRecord& record, const std::string& owner_text);
  // The parked copies of a record, oldest first.
  std::vector<WireRecord> ParkedCopies(const std::string& model, const Uuid& uuid);
  HeldVersions ReadHeldVersions(const WireRecord& record, const std::string& uuid_text);
  bool IsStale(const WireRecord& record, const Uuid& owner, bool local, const HeldVersions& versions);
  std::optional<ApplyOutcome> MapForeignKey(const ForeignKeySpec& key, const WireRecord& record, const Uuid& owner,
                                            bool local, LocalKeys* local_keys, DeferredLinks* deferred_links);
  bool ParkedMoveBelowItself(const ModelSpec& model, const WireRecord& record, const Uuid& owner, bool local,
                             LocalKeys* local_keys);
  void StoreRecord(const ModelSpec& model, const WireRecord& record, const Uuid& owner, const LocalKeys& local_keys,
                   const DeferredLinks& deferred_links, bool has_pending);
  // Deletes the record of `record` (and an entry's subtree) and tombstones
  // every removed uuid at the record's version.
  void ApplyDelete(const ModelSpec& model, const WireRecord& record, const Uuid& owner);
  // Adds to requirers_ the shared records that require one of `removed`;
  // with `by_uuid_only`, only those naming it by a uuid reference (the
  // record had no row here, so no local id to match).
  void NoteRequirersOf(const ModelSpec& model, const std::vector<LibraryDb::RemovedRecord>& removed,
                       bool by_uuid_only);
  // True when a uuid reference of `record` names a record deleted here: the
  // record describes something that no longer exists.
  bool NamesDeletedRecord(const ModelSpec& model, const WireRecord& record);
  void Park(const WireRecord& record, const Uuid& owner, const std::string& missing_model, const Uuid& missing_uuid);
  void ResolveWaitingOn(const Uuid& arrived);
  // Adds a row to pending_dependencies waiting for `missing_uuid`.
  void NoteWaitingOn(const Uuid& missing_uuid);
  // The largest pending_dependencies id an earlier applier wrote, read at
  // this applier's first use. Rows this applier inserts take ids above it
  // (NextPendingId), so that a row's id tells who parked it even after the
  // rows with the largest ids are deleted and SQLite would reuse their ids.
  int64_t RestoredPendingIdMax();
  int64_t NextPendingId();
  std::string TombstoneVersion(const std::string& model, const Uuid& uuid);
  // The newest change of a shared record still in the shared change log (the
  // `lww_guard_pruned` defect's guard).
  std::string NewestLoggedVersion(const std::string& model, const Uuid& uuid);

  LibraryDb& library_;
  const SyncSettings& settings_;
  ApplyCounters counters_;
  // Every missing_uuid of pending_dependencies (perhaps more: resolved rows
  // are deleted by id and their uuid may linger), so that ResolveWaitingOn
  // skips its query for the records nothing waits on, nearly all of them.
  // Read from the table on first use, so it is right after a restart (a new
  // applier); every row inserted afterwards is inserted by this applier.
  std::optional<std::set<Uuid>> waited_on_;
  std::vector<Requirer> requirers_;  // see TakeRequirersOfDeleted
  std::optional<int64_t> restored_pending_id_max_;
  int64_t next_pending_id_ = 1;
};

}  // namespace syncsim::core
