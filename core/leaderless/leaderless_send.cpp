// LeaderlessEngine, sending: flushing batches to peers, resends with
// backoff, acks of what was sent, and the start and end of a connection.
#include "core/leaderless/leaderless_engine.h"

#include <algorithm>
#include <memory>

#include "core/message_codec.h"

namespace syncsim::core {

void LeaderlessEngine::FlushOwned() {
  if (pending_owned_.empty()) return;
  // Built once as a Message: passing a StateBatch where a Message is
  // expected would copy every record for every peer.
  Message message{StateBatch{}};
  StateBatch& batch = std::get<StateBatch>(message);
  batch.library = library_id_;
  batch.owner = device_;
  batch.records = std::move(pending_owned_);
  pending_owned_.clear();
  for (auto& [peer, session] : sessions_) {
    if (!session.peer_answered) continue;
    batch.batch_id = next_batch_id_++;
    batch.previous_batch_id = session.last_batch_id_sent;
    session.last_batch_id_sent = batch.batch_id;
    counters_.records_sent += batch.records.size();
    SendBatch(peer, session, batch.batch_id, &message);
  }
}

void LeaderlessEngine::FlushShared() {
  if (pending_shared_.empty()) return;
  Message message{SharedChangeBatch{}};  // built once, as in FlushOwned
  SharedChangeBatch& batch = std::get<SharedChangeBatch>(message);
  batch.library = library_id_;
  batch.changes = std::move(pending_shared_);
  pending_shared_.clear();
  for (auto& [peer, session] : sessions_) {
    if (!session.peer_answered) continue;
    batch.batch_id = next_batch_id_++;
    counters_.shared_changes_sent += batch.changes.size();
    SendBatch(peer, session, batch.batch_id, &message);
  }
}

RetriedMessage LeaderlessEngine::SendRetried(const Uuid& peer, const PeerSession& session, const Message& message) {
  auto payload = std::make_shared<const std::string>(EncodeMessage(message));
  std::string kind(MessageKind(message));
  ++counters_.messages_sent;
  transport_.Send(peer, kind, *payload);
  const int64_t now_ms = clock_.monotonic_ms();
  const int64_t timeout_ms = session.round_trip.timeout_ms();
  return RetriedMessage{std::move(kind), std::move(payload), now_ms, now_ms, now_ms + timeout_ms, timeout_ms, 1};
}

void LeaderlessEngine::NoteAnswered(PeerSession& session, const RetriedMessage& message) {
  const int64_t now_ms = clock_.monotonic_ms();
  session.round_trip.OnAnswered(now_ms - message.first_sent_ms, now_ms - message.last_sent_ms, message.sends == 1);
}

void LeaderlessEngine::SendBatch(const Uuid& peer, PeerSession& session, uint64_t batch_id, Message* message) {
  // The catch-up ack (batch 0) is not a realtime batch: it is never
  // abandoned and does not count.
  const size_t batches = session.unacked.size() - session.unacked.count(kCatchUpAckBatchId);
  if (batches >= settings_.unacked_batches_max) {
    // Stop resending the oldest. While the connection lasts nothing else
    // would bring it to the peer, so ask the peer to catch up from its
    // watermarks, which have not moved over the gap.
    session.unacked.erase(session.unacked.upper_bound(kCatchUpAckBatchId));
    ++counters_.batches_abandoned;
    if (!session.catch_up_requested_from_batch_id.has_value()) session.catch_up_requested_from_batch_id = batch_id;
  }
  const bool ask = session.catch_up_requested_from_batch_id.has_value();
  if (auto* state = std::get_if<StateBatch>(message)) {
    state->catch_up_requested = ask;
  } else {
    std::get<SharedChangeBatch>(*message).catch_up_requested = ask;
  }
  session.unacked[batch_id] = SendRetried(peer, session, *message);
}

void LeaderlessEngine::NoteBatchAcked(PeerSession& session, uint64_t batch_id) {
  auto acked = session.unacked.find(batch_id);
  if (acked != session.unacked.end()) {
    NoteAnswered(session, acked->second);
    session.unacked.erase(acked);
  }
  const std::optional<uint64_t>& asked_from = session.catch_up_requested_from_batch_id;
  if (asked_from.has_value() && batch_id >= *asked_from) session.catch_up_requested_from_batch_id.reset();
}

void LeaderlessEngine::Send(const Uuid& peer, const Message& message) {
  ++counters_.messages_sent;
  transport_.Send(peer, MessageKind(message), EncodeMessage(message));
}

void LeaderlessEngine::SendRequest(const Uuid& peer, PeerSession& session, uint64_t request_id, const Message& message) {
  session.request_id = request_id;
  session.request = SendRetried(peer, session, message);
}

void LeaderlessEngine::RetryDue(const Uuid& peer, PeerSession& session, int64_t now_ms) {
  auto resend = [&](RetriedMessage& message) {
    ++counters_.messages_sent;
    ++counters_.resends;
    session.round_trip.OnWaitRanOut(message.backoff_ms);
    const int64_t cap_ms = session.round_trip.backoff_cap_ms();
    if (message.backoff_ms >= cap_ms) ++counters_.resends_at_backoff_cap;
    ++message.sends;
    message.last_sent_ms = now_ms;
    transport_.Send(peer, message.kind, *message.payload);
    message.backoff_ms = std::min(message.backoff_ms * 2, cap_ms);
    message.next_send_ms = now_ms + message.backoff_ms;
  };
  // A batch is resent for as long as the connection lasts (at backoff
  // intervals): while connected, a lost batch is a gap nobody else repairs.
  for (auto& [batch_id, batch] : session.unacked) {
    if (now_ms >= batch.next_send_ms) resend(batch);
  }
  if (!session.request.has_value() || now_ms < session.request->next_send_ms) return;
  if (session.request->sends < settings_.retry_attempts_max) {
    resend(*session.request);
    return;
  }
  // Every send unanswered: the link may be slower than they span.
  session.round_trip.OnGaveUp();
  ++counters_.requests_abandoned;
  if (session.request_id != session.exchange_request_id && !session.jobs.empty()) {
    // A page unanswered too often: ask for it again under a new id, and
    // keep the pages applied so far. Restarting the round here re-read
    // them from watermarks that a parked record holds back, and over a
    // lossy link no round of many pages ever finished.
    ++counters_.requests_reissued;
    RunNextJob(peer, session);
  } else if (session.rounds < settings_.catch_up_rounds_max) {
    // Unanswered too often: start the round over with a fresh exchange
    // rather than give up on the peer.
    ++counters_.rounds_restarted;
    session.jobs.clear();
    StartRound(peer, session);
  } else {
    session.request.reset();
    session.request_id = 0;
    session.jobs.clear();
    session.state = PeerState::kFailed;
  }
}

void LeaderlessEngine::OnPeerConnected(const Uuid& peer) {
  // Every peer ever seen takes part in pruning: the log keeps what it has
  // not acknowledged.
  library_.sql()
      .Prepare("INSERT OR IGNORE INTO peer_acks (peer, last_acked_hlc) VALUES (?1, '')")
      .Bind(1, peer.ToString())
      .Run();
  PeerSession& session = sessions_.insert_or_assign(peer, PeerSession(settings_)).first->second;
  StartRound(peer, session);
}

void LeaderlessEngine::OnPeerDisconnected(const Uuid& peer) { sessions_.erase(peer); }

}  // namespace syncsim::core
