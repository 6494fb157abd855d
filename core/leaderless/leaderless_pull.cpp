// LeaderlessEngine, the peer protocol (DESIGN.md 3.5): the watermark
// exchange, backfill and catch-up pulled page by page in dependency order,
// digest re-sync, and the end of a round.
#include "core/leaderless/leaderless_engine.h"

#include <algorithm>
#include <cassert>
#include <set>

namespace syncsim::core {

Uuid LeaderlessEngine::WatermarkKey(const Uuid& owner, const std::string& model, const Uuid& peer) const {
  return IsShared(model) ? peer : owner;
}

bool LeaderlessEngine::IsShared(const std::string& model) const {
  const ModelSpec* spec = library_.registry().Find(model);
  assert(spec != nullptr);
  return spec->ownership == Ownership::kShared;
}

DigestBasis LeaderlessEngine::digest_basis() const {
  return settings_.HasDefect(kDefectDigestUsesLocalIds) ? DigestBasis::kLocalIds : DigestBasis::kUuidsAndFields;
}

void LeaderlessEngine::StartRound(const Uuid& peer, PeerSession& session) {
  ++session.rounds;
  ++counters_.exchanges_started;
  if (session.state != PeerState::kBackfilling && session.state != PeerState::kCatchingUp) {
    const bool synced_before = library_.GetState("synced_with:" + peer.ToString()).has_value();
    session.state = synced_before ? PeerState::kCatchingUp : PeerState::kBackfilling;
  }
  // Tell the peer where this device stands on everything it holds of others.
  WatermarkExchangeRequest request;
  request.library = library_id_;
  request.request_id = next_request_id_++;
  session.exchange_request_id = request.request_id;
  session.sent_watermarks.clear();
  std::set<std::pair<Uuid, std::string>> keys;
  for (const StateCatalog::Held& held : catalog_.HeldOwnerModels()) {
    if (held.owner != device_) keys.emplace(held.owner, held.model);
  }
  {
    Statement& select = library_.sql().Prepare("SELECT peer, model FROM resource_watermarks ORDER BY peer, model");
    std::vector<std::pair<std::string, std::string>> rows;
    while (select.Step()) rows.emplace_back(select.Text(0), select.Text(1));
    select.Reset();
    for (const auto& [key, model] : rows) {
      if (IsShared(model)) continue;  // shared watermarks are kept per serving peer
      Uuid owner = Uuid::Parse(key).value();
      if (owner != device_) keys.emplace(owner, model);
    }
  }
  for (const auto& [owner, model] : keys) {
    ModelWatermark watermark;
    watermark.owner = owner;
    watermark.model = model;
    watermark.watermark = ResumeWatermark(WatermarkKey(owner, model, peer), model);
    session.sent_watermarks[{owner, model}] = watermark.watermark;
    request.watermarks.push_back(std::move(watermark));
  }
  SendRequest(peer, session, request.request_id, request);
}

void LeaderlessEngine::AnswerExchange(const Uuid& from, const WatermarkExchangeRequest& request) {
  std::map<std::pair<Uuid, std::string>, std::string> theirs;
  for (const ModelWatermark& watermark : request.watermarks) {
    theirs[{watermark.owner, watermark.model}] = watermark.watermark;
  }
  WatermarkExchangeResponse response;
  response.library = library_id_;
  response.request_id = request.request_id;
  response.hlc = hlc_.last().ToString();
  // Realtime batches go to `from` only from now on (the caller has marked it
  // answered), so these two place them for the requester.
  response.next_batch_id = next_batch_id_;
  if (auto session = sessions_.find(from); session != sessions_.end()) {
    response.previous_batch_id = session->second.last_batch_id_sent;
  }
  for (const StateCatalog::Held& held : catalog_.HeldOwnerModels()) {
    if (held.owner == from) continue;  // the peer is the authority on its own records
    auto their = theirs.find({held.owner, held.model});
    const std::string below = their == theirs.end() ? std::string() : their->second;
    ModelWatermark summary = catalog_.Summarize(held.owner, held.model, below, digest_basis());
    summary.watermark = held.newest_version;
    response.watermarks.push_back(std::move(summary));
  }
  Send(from, response);
}

void LeaderlessEngine::HandleExchangeResponse(const Uuid& from, PeerSession& session,
                                        const WatermarkExchangeResponse& response) {
  assert(session.request.has_value());  // request_id matched the request in flight
  NoteAnswered(session, *session.request);
  session.request.reset();
  session.request_id = 0;
  session.peer_hlc_at_exchange = response.hlc;
  // The peer's realtime run restarts where its answer says; batches sent
  // before the answer (and their deferred advances and deletes) are covered
  // by the pages of this round. Found by the convergence property: after a
  // heal re-announced a connection, a batch released from the partition
  // started the new session's run, and every later delete waited for good.
  session.stale_below_batch_id = response.next_batch_id;
  session.contiguous_batch_id = response.previous_batch_id;
  std::erase_if(session.deferred_advances,
                [&](const auto& entry) { return entry.second.batch_id < response.next_batch_id; });
  std::vector<PullJob> jobs;
  for (const ModelWatermark& theirs : response.watermarks) {
    if (theirs.owner == device_) continue;  // this device is the authority on its own records
    const ModelSpec* spec = library_.registry().Find(theirs.model);
    if (spec == nullptr || (spec->ownership == Ownership::kShared) != theirs.owner.is_nil()) continue;
    auto sent = session.sent_watermarks.find({theirs.owner, theirs.model});
    const std::string mine = sent == session.sent_watermarks.end() ? std::string() : sent->second;
    if (theirs.watermark > mine) {
      jobs.push_back(PullJob{theirs.owner, theirs.model, StateCursor{mine, Uuid()}, "", kAllDigestBuckets, false});
    }
    if (!mine.empty()) {
      // Compare like with like: both sides summarize what is below the
      // watermark this device sent, and a re-sync reads only that range
      // (records the peer wrote since come with the catch-up or realtime).
      ModelWatermark own = catalog_.Summarize(theirs.owner, theirs.model, mine, digest_basis());
      if (own.count != theirs.count || own.digest != theirs.digest) {
        uint32_t buckets = 0;
        for (int bucket = 0; bucket < kDigestBucketCount; ++bucket) {
          const uint64_t own_digest = own.buckets.empty() ? 0 : own.buckets[static_cast<size_t>(bucket)];
          const uint64_t their_digest = theirs.buckets.empty() ? 0 : theirs.buckets[static_cast<size_t>(bucket)];
          if (own_digest != their_digest) buckets |= 1u << bucket;
        }
        if (buckets == 0) buckets = kAllDigestBuckets;  // same buckets, different totals: read all
        ++counters_.resyncs;
        jobs.push_back(PullJob{theirs.owner, theirs.model, StateCursor{}, mine, buckets, /*repair=*/true});
      }
    }
  }
  // Parents before children: pull models in dependency order.
  std::stable_sort(jobs.begin(), jobs.end(), [&](const PullJob& left, const PullJob& right) {
    return dependency_rank_.at(left.model) < dependency_rank_.at(right.model);
  });
  session.jobs.assign(jobs.begin(), jobs.end());
  RunNextJob(from, session);
}

void LeaderlessEngine::RunNextJob(const Uuid& peer, PeerSession& session) {
  if (session.jobs.empty()) {
    FinishRound(peer, session);
    return;
  }
  const PullJob& job = session.jobs.front();
  StateRequest request;
  request.library = library_id_;
  request.request_id = next_request_id_++;
  request.owner = job.owner;
  request.model = job.model;
  request.after = job.after;
  request.before = job.before;
  request.limit = settings_.page_size;
  request.buckets = job.buckets;
  SendRequest(peer, session, request.request_id, request);
}

void LeaderlessEngine::AnswerStateRequest(const Uuid& from, const StateRequest& request) {
  StatePage page = catalog_.ReadPage(request.owner, request.model, request.after, request.before,
                                     std::max<uint32_t>(1, request.limit), request.buckets);
  StateResponse response;
  response.library = library_id_;
  response.request_id = request.request_id;
  response.owner = request.owner;
  response.model = request.model;
  response.records = std::move(page.records);
  response.has_more = page.has_more;
  response.next = page.next;
  Send(from, response);
}

void LeaderlessEngine::HandleStateResponse(const Uuid& from, PeerSession& session, const StateResponse& response) {
  assert(!session.jobs.empty());
  PullJob& job = session.jobs.front();
  assert(session.request.has_value());  // request_id matched the request in flight
  NoteAnswered(session, *session.request);
  session.request.reset();
  session.request_id = 0;
  ++counters_.pages_received;
  counters_.records_pulled += response.records.size();
  const bool shared = job.owner.is_nil();
  const bool skip_parked = settings_.HasDefect(kDefectWatermarkSkipsParked);
  SqliteDb::Transaction transaction(library_.sql());
  std::string newest;
  for (const WireRecord& record : response.records) {
    if (shared) hlc_.Update(*Hlc::Parse(record.version));
    ApplyOutcome outcome = applier_.Apply(record, job.owner, /*local=*/false);
    if (job.repair && outcome == ApplyOutcome::kApplied) ++counters_.records_repaired;
    if (outcome != ApplyOutcome::kParked || skip_parked) newest = std::max(newest, record.version);
  }
  // A page is complete up to its last record, so the watermark may move
  // over it; a repair reads only some buckets and moves nothing.
  if (!job.repair && !newest.empty()) AdvanceWatermark(WatermarkKey(job.owner, job.model, from), job.model, newest);
  const bool cascaded = DeleteRequirers();
  if (shared || cascaded) PersistHlc();
  transaction.Commit();
  FlushFullBatches();
  if (response.has_more) {
    ++counters_.pages_continued;
    job.after = response.next;
  } else {
    session.jobs.pop_front();
  }
  RunNextJob(from, session);
}

void LeaderlessEngine::FinishRound(const Uuid& peer, PeerSession& session) {
  if (session.round_again) {
    if (session.rounds >= settings_.catch_up_rounds_max) {
      session.state = PeerState::kFailed;
      return;
    }
    // Realtime changes were discarded from the buffer: read them again.
    session.round_again = false;
    StartRound(peer, session);
    return;
  }
  session.state = PeerState::kReady;
  session.rounds = 0;  // catch_up_rounds_max bounds the rounds of one catch-up
  library_.SetState("synced_with:" + peer.ToString(), "1");
  // Every shared change the peer had made when it answered the exchange is
  // now held here (or superseded by a newer one): acknowledge them, so the
  // peer may prune changes this device received by catch-up, not realtime.
  // It is resent until the peer confirms it (an AckStateBatch for batch 0).
  if (Hlc::Parse(session.peer_hlc_at_exchange).has_value()) {
    session.unacked[kCatchUpAckBatchId] =
        SendRetried(peer, session, AckSharedChanges{library_id_, session.peer_hlc_at_exchange, kCatchUpAckBatchId});
  }
  // Drain in arrival order; nothing new can arrive meanwhile.
  std::deque<Message> buffer = std::move(session.buffer);
  session.buffer.clear();
  for (const Message& message : buffer) {
    if (const auto* batch = std::get_if<StateBatch>(&message)) {
      ApplyStateBatch(session, *batch);
    } else {
      ApplySharedChanges(std::get<SharedChangeBatch>(message));
    }
  }
}

}  // namespace syncsim::core
