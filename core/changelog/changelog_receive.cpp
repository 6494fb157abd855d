// ChangelogEngine, receiving: a message is decoded and checked whole before
// anything of it is applied; changes are logged (unmerged) and merged in
// the same transaction, then acked; reconciliation steps are answered.
#include <cassert>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/changelog/change_id.h"
#include "core/changelog/change_record.h"
#include "core/changelog/changelog_engine.h"

namespace syncsim::core::changelog {

Status ChangelogEngine::ValidateChange(const Change& change) const {
  std::optional<Hlc> hlc = Hlc::Parse(change.hlc);
  if (!hlc.has_value()) return Status::InvalidArgument("hlc: not an HLC");
  if (ChangeIdFromHlcText(change.hlc) != change.id) return Status::InvalidArgument("id: not the id of its HLC");
  if (hlc->device != change.author) return Status::InvalidArgument("author: not the HLC's device");
  const ModelSpec* spec = library_.registry().Find(change.model);
  if (spec == nullptr) return Status::InvalidArgument(fmt::format("model: unknown model \"{}\"", change.model));
  if (change.owned != (spec->ownership == Ownership::kDeviceOwned)) {
    return Status::InvalidArgument("owned: does not match the model");
  }
  if (change.owned != (change.seq > 0)) return Status::InvalidArgument("seq: owned changes only, from 1");
  if (change.deleted && !change.fields.empty()) return Status::InvalidArgument("fields: a delete carries none");
  for (const auto& [field, value] : change.fields) {
    if (value.version.empty() || value.version > change.hlc) {
      return Status::InvalidArgument(fmt::format("fields.{}.version: not at or before the change", field));
    }
  }
  return applier_.Validate(RecordFromChange(change));
}

Status ChangelogEngine::OnMessage(const Uuid& from, std::string_view payload) {
  ChangelogMessage message;
  Status status = DecodeChangelogMessage(payload, &message);
  const Uuid library = std::visit([](const auto& decoded) { return decoded.library; }, message);
  if (status.ok() && library != library_id_) status = Status::InvalidArgument("library: another library");
  if (status.ok()) {
    if (const auto* batch = std::get_if<ChangesBatch>(&message)) {
      for (size_t i = 0; i < batch->changes.size() && status.ok(); ++i) {
        status = ValidateChange(batch->changes[i]);
        if (!status.ok()) status = Status::InvalidArgument(fmt::format("changes[{}].{}", i, status.message()));
      }
    }
  }
  if (!status.ok()) {
    ++counters_.messages_rejected;
    return status;
  }
  ++counters_.messages_received;
  auto found = sessions_.find(from);
  // Not connected (a copy that outlived its connection): the next
  // connection reconciles whatever it carried.
  if (found == sessions_.end()) return Status::Ok();
  ChangelogSession& session = found->second;
  session.peer_answered = true;
  session.last_heard_ms = clock_.monotonic_ms();
  if (const auto* batch = std::get_if<ChangesBatch>(&message)) {
    ReceiveChanges(from, session, *batch);
  } else if (const auto* ack = std::get_if<ChangesAck>(&message)) {
    ReceiveAck(from, session, *ack);
  } else {
    ReceiveReconcile(from, session, std::get<ReconcileMessage>(message));
  }
  return Status::Ok();
}

void ChangelogEngine::ReceiveChanges(const Uuid& from, ChangelogSession& session, const ChangesBatch& batch) {
  (void)session;
  const bool mark_first = settings_.HasDefect(kDefectChangelogMergedBeforeApplied);
  const bool ack_first = settings_.HasDefect(kDefectChangelogAckBeforeCommit);
  std::optional<int64_t> synchronous;  // the level the unsynced defect restores
  if (settings_.HasDefect(kDefectChangelogReceiveWithoutSync)) {
    Statement& level = library_.sql().Prepare("PRAGMA synchronous");
    if (level.Step()) synchronous = level.Int(0);
    level.Reset();
    library_.sql().Execute("PRAGMA synchronous = OFF");
  }
  {
    SqliteDb::Transaction transaction(library_.sql());
    for (const Change& change : batch.changes) {
      hlc_.Update(*Hlc::Parse(change.hlc));
      // The defect marks the change merged now and applies it later.
      if (!store_.Insert(change, /*merged=*/mark_first)) continue;
      ++counters_.records_pulled;
      if (pending_.empty()) pending_since_ms_ = clock_.monotonic_ms();
      pending_.push_back(Pending{change.id, from});
      if (mark_first) {
        if (marked_unapplied_.empty()) marked_since_ms_ = clock_.monotonic_ms();
        marked_unapplied_.push_back(change.id);
      }
    }
    if (mark_first) {
      marked_blocked_ = false;  // what arrived may be a held change's target
    } else {
      MergeUnmerged();
    }
    DeleteRequirers();
    PersistHlc();
    if (ack_first) AckBatch(from, batch);  // the defect: the transaction may still fail
    transaction.Commit();
  }
  if (synchronous.has_value()) library_.sql().Execute("PRAGMA synchronous = " + std::to_string(*synchronous));
  ++counters_.pages_received;
  if (!ack_first) AckBatch(from, batch);
  if (pending_.size() >= settings_.batch_size) FlushPending();
}

void ChangelogEngine::AckBatch(const Uuid& from, const ChangesBatch& batch) {
  Send(from, ChangesAck{.library = library_id_, .batch_id = batch.batch_id});
  if (!event_observer_) return;
  for (const Change& change : batch.changes) event_observer_(EngineEvent{.kind = "durable_ack", .change = change.id});
}

void ChangelogEngine::ReceiveAck(const Uuid& from, ChangelogSession& session, const ChangesAck& ack) {
  auto found = session.unacked.find(ack.batch_id);
  if (found == session.unacked.end()) return;  // a duplicate ack, or of an abandoned batch
  ++counters_.acks_received;
  SqliteDb::Transaction transaction(library_.sql());
  store_.NoteAcked(from, found->second.own_ids);
  transaction.Commit();
  session.unacked.erase(found);
}

void ChangelogEngine::ReceiveReconcile(const Uuid& from, ChangelogSession& session, const ReconcileMessage& message) {
  session.last_reconcile_ms = clock_.monotonic_ms();
  SqliteDb::Transaction transaction(library_.sql());
  for (const RangeItem& item : message.ranges) {
    // Our root check matched: the peer held every change we held then.
    if (item.kind == RangeItem::Kind::kMatch && IsRoot(item) && message.check_id == session.root_check_id &&
        !session.missed_since_check) {
      session.in_sync = true;
      store_.NoteAckedThrough(from, device_, session.root_check_own_newest);
    }
  }
  const ReconcileStep step =
      Reconcile(message.ranges, [this](const std::string& lo, const std::string& hi) { return store_.IdsInRange(lo, hi); });
  if (step.root_matched) {
    // The peer held, when it asked, what we hold now.
    session.in_sync = true;
    store_.NoteAckedThrough(from, device_, store_.NewestIdBy(device_));
  }
  transaction.Commit();
  if (!step.reply.empty()) SendRanges(from, session, message.check_id, step.reply);
  if (!step.push.empty()) SendChanges(from, session, step.push);
}

}  // namespace syncsim::core::changelog
