// LeaderEngine, applying the log: committed entries in sequence order, each
// at the version its seq gives, through the same RecordApplier as every
// write; the requirement cascade after each; own writes leave the outbox
// once the committed log carries them; the oracle hears each committed
// shared change.
#include <algorithm>

#include "core/leader/leader_engine.h"

namespace syncsim::core::leader {
namespace {

// Entries applied in one call (one transaction); the rest on the next tick.
constexpr size_t kAppliedPerCallMax = 2'000;

}  // namespace

void LeaderEngine::AdvanceCommit(int64_t seq) {
  if (seq <= commit_seq_) return;
  commit_seq_ = std::min(seq, last_seq_);
  log_.SetNumber(kCommitSeqKey, commit_seq_);
  ApplyCommitted();
}

void LeaderEngine::ApplyCommitted() {
  if (applied_seq_ >= commit_seq_) return;
  const size_t count = std::min<size_t>(kAppliedPerCallMax, static_cast<size_t>(commit_seq_ - applied_seq_));
  const int64_t outbox_before = outbox_size_;
  SqliteDb::Transaction transaction(library_.sql());
  for (const LogEntry& entry : log_.Read(applied_seq_ + 1, count)) {
    if (entry.seq != applied_seq_ + 1) break;  // never: the log holds every seq up to last_seq_
    ApplyEntry(entry);
    applied_seq_ = entry.seq;
    // Cascade deletes are this device's own writes, logged like any other.
    DeleteRequirers();
  }
  log_.SetNumber(kAppliedSeqKey, applied_seq_);
  transaction.Commit();
  if (outbox_size_ < outbox_before) forward_retry_at_ms_ = clock_.monotonic_ms() + settings_.retry_timeout_ms;
}

void LeaderEngine::ApplyEntry(const LogEntry& entry) {
  Emit("applied", entry.term, entry.seq, entry.change.is_noop() ? std::string() : entry.change.Id());
  const LogChange& change = entry.change;
  const std::string version = Hlc{entry.seq, 0, change.origin}.ToString();
  NoteVersion(version);  // the clock is at or past every applied entry, no-ops too
  if (change.is_noop()) return;
  const bool shared = IsShared(change.model);
  if (change.origin == device_) {
    // Acknowledged: the write is in the committed log.
    log_.OutboxRemoveUpTo(change.origin_seq);
    outbox_size_ = log_.OutboxSize();
  }
  // A later own write of the record waits in the outbox: it will commit
  // after this entry and replace the whole record, so the device keeps it
  // meanwhile (applying this entry would revert the record under the
  // workloads, and a further local write would log the reverted fields).
  if (!log_.OutboxHolds(change.model, change.uuid)) {
    WireRecord record{change.model, change.uuid, change.data, version, change.deleted};
    applier_.Apply(record, shared ? Uuid() : change.origin, /*local=*/false);
  }
  if (shared && shared_write_observer_) {
    SharedChangeEntry observed;
    observed.hlc = version;
    observed.model = change.model;
    observed.record_uuid = change.uuid;
    observed.type = change.deleted ? SharedChangeEntry::Type::kDelete : SharedChangeEntry::Type::kUpdate;
    observed.data = change.data;
    shared_write_observer_(observed);
  }
}

}  // namespace syncsim::core::leader
