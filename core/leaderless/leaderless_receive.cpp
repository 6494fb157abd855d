// LeaderlessEngine, receiving: a message checked whole before anything
// applies, dispatch by kind, realtime batches (buffered until Ready, held
// for order) and acknowledgements.
#include "core/leaderless/leaderless_engine.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "core/message_codec.h"

namespace syncsim::core {

Status LeaderlessEngine::OnMessage(const Uuid& from, std::string_view payload) {
  ++counters_.messages_received;
  Message message;
  Status status = DecodeMessage(payload, &message);
  if (status.ok()) {
    const Uuid library = std::visit([](const auto& decoded) { return decoded.library; }, message);
    if (library != library_id_) status = Status::InvalidArgument("library: message for another library");
  }
  // Check every record before applying any, so a bad message changes nothing.
  if (status.ok()) status = ValidateMessage(from, message);
  if (!status.ok()) {
    ++counters_.messages_rejected;
    return status;
  }
  Dispatch(from, std::move(message));
  return Status::Ok();
}

Status LeaderlessEngine::ValidateMessage(const Uuid& from, const Message& message) const {
  Status status;
  if (const auto* batch = std::get_if<StateBatch>(&message)) {
    if (batch->owner != from) status = Status::InvalidArgument("owner: a state batch comes from its owner");
    for (size_t i = 0; status.ok() && i < batch->records.size(); ++i) {
      status = applier_.Validate(batch->records[i]);
      if (!status.ok()) status = Status::InvalidArgument(fmt::format("records[{}].{}", i, status.message()));
    }
  } else if (const auto* shared = std::get_if<SharedChangeBatch>(&message)) {
    status = ValidateSharedChanges(*shared);
  } else if (const auto* ack = std::get_if<AckSharedChanges>(&message)) {
    if (!Hlc::Parse(ack->up_to_hlc).has_value()) status = Status::InvalidArgument("up_to_hlc: not an HLC");
  } else if (const auto* request = std::get_if<StateRequest>(&message)) {
    const ModelSpec* spec = library_.registry().Find(request->model);
    if (spec == nullptr) {
      status = Status::InvalidArgument("model: unknown model");
    } else if ((spec->ownership == Ownership::kShared) != request->owner.is_nil()) {
      status = Status::InvalidArgument("owner: nil exactly for shared models");
    }
  } else if (const auto* page = std::get_if<StateResponse>(&message)) {
    status = ValidatePage(*page);
  }
  return status;
}

Status LeaderlessEngine::ValidateSharedChanges(const SharedChangeBatch& batch) const {
  Status status;
  for (size_t i = 0; status.ok() && i < batch.changes.size(); ++i) {
    const SharedChangeEntry& change = batch.changes[i];
    if (!Hlc::Parse(change.hlc).has_value()) {
      return Status::InvalidArgument(fmt::format("changes[{}].hlc: not an HLC", i));
    }
    WireRecord record{change.model, change.record_uuid, change.data, change.hlc,
                      change.type == SharedChangeEntry::Type::kDelete};
    status = applier_.Validate(record);
    const ModelSpec* spec = library_.registry().Find(change.model);
    if (status.ok() && spec->ownership != Ownership::kShared) {
      status = Status::InvalidArgument("model is not shared");
    }
    if (!status.ok()) status = Status::InvalidArgument(fmt::format("changes[{}].{}", i, status.message()));
  }
  return status;
}

Status LeaderlessEngine::ValidatePage(const StateResponse& page) const {
  Status status;
  const ModelSpec* spec = library_.registry().Find(page.model);
  if (spec == nullptr) status = Status::InvalidArgument("model: unknown model");
  for (size_t i = 0; status.ok() && i < page.records.size(); ++i) {
    const WireRecord& record = page.records[i];
    status = applier_.Validate(record);
    if (status.ok() && record.model != page.model) status = Status::InvalidArgument("model: not the page's");
    if (status.ok() && page.owner.is_nil() && !Hlc::Parse(record.version).has_value()) {
      status = Status::InvalidArgument("version: not an HLC");
    }
    if (!status.ok()) status = Status::InvalidArgument(fmt::format("records[{}].{}", i, status.message()));
  }
  return status;
}

void LeaderlessEngine::Dispatch(const Uuid& from, Message message) {
  if (const auto* exchange_request = std::get_if<WatermarkExchangeRequest>(&message)) {
    // A peer that asks is alive: from now on realtime changes go to it, and
    // everything written before is in the pages it is about to read.
    if (auto found = sessions_.find(from); found != sessions_.end()) found->second.peer_answered = true;
    AnswerExchange(from, *exchange_request);
    return;
  }
  if (const auto* request = std::get_if<StateRequest>(&message)) {
    AnswerStateRequest(from, *request);
    return;
  }
  auto found = sessions_.find(from);
  if (found == sessions_.end()) {
    // Not connected (yet): an unacked batch comes again once we are.
    ++counters_.stale_answers;
    return;
  }
  PeerSession& session = found->second;
  session.peer_answered = true;
  if (std::holds_alternative<StateBatch>(message) || std::holds_alternative<SharedChangeBatch>(message)) {
    ReceiveRealtime(from, session, std::move(message));
  } else if (const auto* state_ack = std::get_if<AckStateBatch>(&message)) {
    HandleStateAck(session, *state_ack);
  } else if (const auto* shared_ack = std::get_if<AckSharedChanges>(&message)) {
    if (shared_ack->batch_id == kCatchUpAckBatchId) {
      Send(from, AckStateBatch{library_id_, kCatchUpAckBatchId});  // confirm, so it is not resent
    } else {
      NoteBatchAcked(session, shared_ack->batch_id);
    }
    HandleSharedAck(from, *shared_ack);
  } else if (const auto* exchange = std::get_if<WatermarkExchangeResponse>(&message)) {
    if (exchange->request_id == 0 || exchange->request_id != session.request_id ||
        exchange->request_id != session.exchange_request_id) {
      ++counters_.stale_answers;  // a duplicate, or the answer to a request already answered
      return;
    }
    HandleExchangeResponse(from, session, *exchange);
  } else if (const auto* page = std::get_if<StateResponse>(&message)) {
    if (page->request_id == 0 || page->request_id != session.request_id || session.jobs.empty() ||
        page->owner != session.jobs.front().owner || page->model != session.jobs.front().model) {
      ++counters_.stale_answers;
      return;
    }
    HandleStateResponse(from, session, *page);
  }
  // SharedChangeRequest/Response and Heartbeat are part of the wire format
  // but not of this engine's protocol: catch-up reads current state.
}

void LeaderlessEngine::ReceiveRealtime(const Uuid& from, PeerSession& session, Message message) {
  // Ack on receipt: a buffered message is this device's to apply; if the
  // buffer is lost (overflow, crash), a catch-up reads it again.
  if (const auto* batch = std::get_if<StateBatch>(&message)) {
    Send(from, AckStateBatch{library_id_, batch->batch_id});
  } else {
    const auto& shared = std::get<SharedChangeBatch>(message);
    std::string newest;
    for (const SharedChangeEntry& change : shared.changes) newest = std::max(newest, change.hlc);
    if (!newest.empty()) Send(from, AckSharedChanges{library_id_, newest, shared.batch_id});
  }
  RunRequestedCatchUp(from, session, message);
  if (session.state == PeerState::kReady) {
    if (const auto* batch = std::get_if<StateBatch>(&message)) {
      ApplyStateBatch(session, *batch);
    } else {
      ApplySharedChanges(std::get<SharedChangeBatch>(message));
    }
    return;
  }
  if (session.buffer.size() >= settings_.buffer_max) {
    if (settings_.HasDefect(kDefectBufferDropsNew)) {
      // The defect: the new change is lost, acked, and nobody reads it again.
      ++counters_.buffered_dropped;
      return;
    }
    // Nothing is dropped silently: discard the buffer and run one more
    // catch-up round, which reads everything the buffer held.
    ++counters_.buffer_overflows;
    session.buffer.clear();
    session.round_again = true;
  }
  ++counters_.buffered;
  session.buffer.push_back(std::move(message));
}

void LeaderlessEngine::RunRequestedCatchUp(const Uuid& from, PeerSession& session, const Message& message) {
  const auto* state = std::get_if<StateBatch>(&message);
  const auto* shared = std::get_if<SharedChangeBatch>(&message);
  const bool asked = state != nullptr ? state->catch_up_requested : shared->catch_up_requested;
  const uint64_t batch_id = state != nullptr ? state->batch_id : shared->batch_id;
  // A batch sent before the peer answered this session's exchange is
  // covered by that round already.
  if (!asked || batch_id < session.stale_below_batch_id) return;
  ++counters_.catch_ups_requested;
  if (session.state == PeerState::kReady) {
    StartRound(from, session);
  } else if (session.state == PeerState::kBackfilling || session.state == PeerState::kCatchingUp) {
    // This round's exchange may predate the abandoned batch: one more.
    session.round_again = true;
  }
}

void LeaderlessEngine::ApplyStateBatch(PeerSession& session, const StateBatch& batch) {
  if (batch.batch_id < session.stale_below_batch_id) {
    ++counters_.stale_batches;  // sent before the peer answered; the pages carry it
    return;
  }
  const bool skip_parked = settings_.HasDefect(kDefectWatermarkSkipsParked);
  const bool in_order = batch.previous_batch_id == session.contiguous_batch_id;
  // Applies `record` and notes how far the watermark may move over it: over
  // applied, stale and (under `drop`) dropped records; a parked record holds
  // it back until it is applied.
  auto apply = [&](const WireRecord& record, std::map<std::string, std::string>* newest_by_model) {
    ApplyOutcome outcome = applier_.Apply(record, batch.owner, /*local=*/false);
    if (outcome != ApplyOutcome::kParked || skip_parked) {
      std::string& newest = (*newest_by_model)[record.model];
      newest = std::max(newest, record.version);
    }
  };
  auto advance_all = [&](const std::map<std::string, std::string>& newest_by_model) {
    for (const auto& [model, version] : newest_by_model) AdvanceWatermark(batch.owner, model, version);
  };
  SqliteDb::Transaction transaction(library_.sql());
  std::map<std::string, std::string> newest_by_model;
  DeferredAdvance deferred;
  deferred.batch_id = batch.batch_id;
  for (const WireRecord& record : batch.records) {
    // A delete takes the folder's subtree as this device holds it; applied
    // ahead of an earlier batch that moved an entry out of the folder, it
    // would take that entry too. Deletes wait for the batches before them.
    if (record.deleted && !in_order) {
      deferred.deletes.push_back(record);
    } else {
      apply(record, &newest_by_model);
    }
  }
  if (skip_parked) {
    // The defect's watermark is simply the newest record received.
    advance_all(newest_by_model);
    newest_by_model.clear();
  }
  // Watermarks move only over an unbroken run of batches: after a gap, a
  // catch-up from the watermark must still read what the gap lost.
  if (in_order) {
    advance_all(newest_by_model);
    session.contiguous_batch_id = batch.batch_id;
    for (auto next = session.deferred_advances.find(session.contiguous_batch_id);
         next != session.deferred_advances.end(); next = session.deferred_advances.find(session.contiguous_batch_id)) {
      std::map<std::string, std::string> newest(next->second.model_versions.begin(),
                                                next->second.model_versions.end());
      for (const WireRecord& record : next->second.deletes) apply(record, &newest);
      advance_all(newest);
      session.contiguous_batch_id = next->second.batch_id;
      session.deferred_advances.erase(next);
    }
  } else if (session.deferred_advances.size() < settings_.out_of_order_batches_max) {
    ++counters_.batches_out_of_order;
    deferred.model_versions.assign(newest_by_model.begin(), newest_by_model.end());
    session.deferred_advances.emplace(batch.previous_batch_id, std::move(deferred));
  }
  // Otherwise the advances and deletes are forgotten, which is safe: the
  // watermark stays behind them, so the next catch-up reads them again.
  if (DeleteRequirers()) PersistHlc();
  transaction.Commit();
  FlushFullBatches();
}

void LeaderlessEngine::ApplySharedChanges(const SharedChangeBatch& batch) {
  std::vector<const SharedChangeEntry*> ordered;
  for (const SharedChangeEntry& change : batch.changes) ordered.push_back(&change);
  std::sort(ordered.begin(), ordered.end(),
            [](const SharedChangeEntry* left, const SharedChangeEntry* right) { return left->hlc < right->hlc; });
  SqliteDb::Transaction transaction(library_.sql());
  for (const SharedChangeEntry* change : ordered) {
    hlc_.Update(*Hlc::Parse(change->hlc));
    WireRecord record{change->model, change->record_uuid, change->data, change->hlc,
                      change->type == SharedChangeEntry::Type::kDelete, change->field_versions};
    applier_.Apply(record, Uuid(), /*local=*/false);
    AppendSharedLog(*change);
  }
  DeleteRequirers();
  PersistHlc();
  transaction.Commit();
  FlushFullBatches();
}

void LeaderlessEngine::HandleStateAck(PeerSession& session, const AckStateBatch& ack) {
  ++counters_.acks_received;
  NoteBatchAcked(session, ack.batch_id);
}

void LeaderlessEngine::HandleSharedAck(const Uuid& from, const AckSharedChanges& ack) {
  ++counters_.acks_received;
  SqliteDb& sql = library_.sql();
  if (settings_.HasDefect(kDefectAckWithoutMax)) {
    // The defect: whichever ack arrives last wins, even an older one.
    sql.Prepare("INSERT OR REPLACE INTO peer_acks (peer, last_acked_hlc) VALUES (?1, ?2)")
        .Bind(1, from.ToString())
        .Bind(2, ack.up_to_hlc)
        .Run();
  } else {
    sql.Prepare(
           "INSERT INTO peer_acks (peer, last_acked_hlc) VALUES (?1, ?2) ON CONFLICT(peer) DO UPDATE SET "
           "last_acked_hlc = max(last_acked_hlc, excluded.last_acked_hlc)")
        .Bind(1, from.ToString())
        .Bind(2, ack.up_to_hlc)
        .Run();
  }
  PruneSharedLog();
}

}  // namespace syncsim::core
