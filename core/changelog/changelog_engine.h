// ChangelogEngine (`sync.engine: "changelog"`): the change-log engine of
// seed 002 (docs/engines/changelog.md). Every local write is a change, a row
// of changelog_changes named by an HLC-derived id with its fields in
// changelog_change_fields, appended and applied to the entity tables in one
// transaction. Tables are grow-only sets, columns last-writer-wins
// registers per field, deletes final tombstones.
//
// On connect two devices reconcile their sets of change ids by range
// fingerprints (range_reconciliation.h) and push each other what the other
// lacks; while connected, new changes (local ones, and those relayed from
// other peers) go out in realtime batches, acked and resent on Tick. A
// received change is logged unmerged, then merged into the entity tables
// once the records it requires are present (a change waiting for one is
// held, and merged when it arrives).
//
// Code by job: changelog_engine.cpp (start, local writes, reporting),
// changelog_send.cpp (batches, resends, root checks), changelog_receive.cpp
// (messages and reconciliation), changelog_merge.cpp (changes into entity
// tables). Registers itself as "changelog".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/changelog/changelog_messages.h"
#include "core/changelog/changelog_session.h"
#include "core/changelog/changelog_store.h"
#include "core/engine.h"
#include "core/local_write_engine.h"

namespace syncsim::core::changelog {

// The defect switches of this engine are in core/sync_settings.h
// (kDefectChangelogMergedBeforeApplied, kDefectChangelogRecordVersionGuard).

// Passes over the held changes after a merge (each pass merges those whose
// targets arrived in the previous one).
inline constexpr size_t kMergePassesMax = 10'000;
// A peer not heard from for retry_timeout_ms plus this many backoff caps
// is silent: only its oldest unacked batch is resent until it answers.
inline constexpr int64_t kSilentResendsMax = 4;
// Range items in one reconciliation message; more go in further messages.
inline constexpr size_t kReconcileItemsPerMessageMax = 64;

class ChangelogEngine final : public LocalWriteEngine {
 public:
  explicit ChangelogEngine(const EngineSetup& setup);

  void Start() override;
  LibraryDb& library() override { return library_; }
  Uuid NewUuid() override { return ids_.NewUuid(); }
  void OnPeerConnected(const Uuid& peer) override;
  void OnPeerDisconnected(const Uuid& peer) override { sessions_.erase(peer); }
  Status OnMessage(const Uuid& from, std::string_view payload) override;
  void Tick() override;
  bool HasPendingWork() const override;
  // Unflushed: changes waiting to go out (and, under the
  // `changelog_merged_before_applied` defect, changes marked merged but not applied).
  bool HasUnflushedWrites() const override {
    return !pending_.empty() || (!marked_unapplied_.empty() && !marked_blocked_);
  }
  std::vector<PeerStatus> PeerStatuses() const override;
  const EngineCounters& counters() const override { return counters_; }
  const ApplyCounters& apply_counters() const override { return applier_.counters(); }
  std::vector<Uuid> AckingPeers() override { return store_.Peers(); }
  int64_t UnackedSharedChanges(const Uuid& peer) override { return store_.CountUnacked(peer, device_); }
  std::optional<std::string> NewestChangeHlc() override { return store_.NewestSharedHlc(); }
  void SetSharedWriteObserver(SharedWriteObserver observer) override { observer_ = std::move(observer); }
  // Reports a "durable_ack" for every change of every batch it acks.
  void SetEventObserver(EventObserver observer) override { event_observer_ = std::move(observer); }
  bool HoldsChange(const std::string& change_id) override { return store_.Holds(change_id); }

 private:
  // A change in the log waiting to go to the peers (all but `from`).
  struct Pending {
    std::string id;
    Uuid from;  // nil: a local change
  };

  // --- Local writes (changelog_engine.cpp). ---
  Status WriteLocal(const LocalWrite& write) override;
  // Stamps, applies, logs, reports and queues one local change.
  // REQUIRES: Validate(record) ok; in a transaction.
  void WriteChange(WireRecord record, bool shared, const nlohmann::json* changed);
  void StampFields(WireRecord* record, bool existed, const nlohmann::json* changed);
  // Deletes, as local changes, the shared records that require a deleted one.
  void DeleteRequirers();
  void PersistHlc();

  // --- Sending (changelog_send.cpp). ---
  void Send(const Uuid& peer, const ChangelogMessage& message);
  void FlushPending();
  // Sends `changes` to `peer` in batches of batch_size, each kept to resend.
  void SendChanges(const Uuid& peer, ChangelogSession& session, const std::vector<std::string>& ids);
  void SendRootCheck(const Uuid& peer, ChangelogSession& session);
  void SendRanges(const Uuid& peer, ChangelogSession& session, uint64_t check_id, const std::vector<RangeItem>& ranges);
  void ResendDue(const Uuid& peer, ChangelogSession& session, int64_t now_ms);

  // --- Receiving (changelog_receive.cpp). ---
  Status ValidateChange(const Change& change) const;
  void ReceiveChanges(const Uuid& from, ChangelogSession& session, const ChangesBatch& batch);
  // Acks `batch` to `from`, a promise that every change of it is durable
  // here (reported as "durable_ack" events).
  void AckBatch(const Uuid& from, const ChangesBatch& batch);
  void ReceiveAck(const Uuid& from, ChangelogSession& session, const ChangesAck& ack);
  void ReceiveReconcile(const Uuid& from, ChangelogSession& session, const ReconcileMessage& message);

  // --- Merging (changelog_merge.cpp). ---
  // Merges every unmerged change whose targets are present, pass after
  // pass. REQUIRES: in a transaction.
  void MergeUnmerged();
  // Merges one change unless a record it requires is missing (held).
  bool TryMerge(const Change& change);
  bool MissesTarget(const Change& change);
  // OwnedMergedThrough(author), cached (volatile, rebuilt after a restart).
  uint64_t& OwnedFrontier(const Uuid& author);
  // The `changelog_merged_before_applied` defect's later step.
  void ApplyMarkedMerged();

  LibraryDb& library_;
  const Clock& clock_;
  IdSource& ids_;
  Transport& transport_;
  const Uuid device_;
  const Uuid library_id_;
  const std::string device_name_;
  const SyncSettings& settings_;
  // The settings the applier merges under: per field (or whole record
  // under the record-version-guard defect), parking.
  SyncSettings merge_settings_;
  HlcClock hlc_;
  RecordApplier applier_;
  ChangelogStore store_;
  EngineCounters counters_;
  SharedWriteObserver observer_;
  EventObserver event_observer_;

  // Volatile.
  std::vector<Pending> pending_;
  int64_t pending_since_ms_ = 0;
  std::map<Uuid, ChangelogSession> sessions_;
  uint64_t next_batch_id_ = 1;
  uint64_t next_check_id_ = 1;
  std::map<Uuid, uint64_t> owned_frontier_;  // see OwnedFrontier
  std::vector<std::string> marked_unapplied_;  // the defect's changes marked merged, not applied
  int64_t marked_since_ms_ = 0;
  bool marked_blocked_ = false;  // every one of them waits for a target
};

}  // namespace syncsim::core::changelog
