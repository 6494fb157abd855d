#include "core/sync_engine.h"

#include <algorithm>
#include <cassert>
#include <set>

#include <fmt/format.h>

#include "core/message_codec.h"

namespace syncsim::core {
namespace {

constexpr const char* kHlcStateKey = "hlc";

}  // namespace

namespace {

// Every field of EngineCounters once, for sums and JSON.
template <typename Visit>
void ForEachCounter(EngineCounters& counters, Visit visit) {
  visit("messages_sent", counters.messages_sent);
  visit("messages_received", counters.messages_received);
  visit("messages_rejected", counters.messages_rejected);
  visit("records_sent", counters.records_sent);
  visit("shared_changes_sent", counters.shared_changes_sent);
  visit("acks_received", counters.acks_received);
  visit("log_entries_pruned", counters.log_entries_pruned);
  visit("exchanges_started", counters.exchanges_started);
  visit("pages_received", counters.pages_received);
  visit("records_pulled", counters.records_pulled);
  visit("resyncs", counters.resyncs);
  visit("records_repaired", counters.records_repaired);
  visit("resends", counters.resends);
  visit("batches_abandoned", counters.batches_abandoned);
  visit("requests_abandoned", counters.requests_abandoned);
  visit("buffered", counters.buffered);
  visit("buffer_overflows", counters.buffer_overflows);
  visit("buffered_dropped", counters.buffered_dropped);
  visit("stale_answers", counters.stale_answers);
  visit("stale_batches", counters.stale_batches);
  visit("pages_continued", counters.pages_continued);
  visit("rounds_restarted", counters.rounds_restarted);
  visit("resends_at_backoff_cap", counters.resends_at_backoff_cap);
  visit("cascade_deletes", counters.cascade_deletes);
  visit("batches_out_of_order", counters.batches_out_of_order);
  visit("catch_ups_requested", counters.catch_ups_requested);
  visit("requests_reissued", counters.requests_reissued);
}

}  // namespace

EngineCounters& operator+=(EngineCounters& total, const EngineCounters& more) {
  EngineCounters copy = more;
  std::map<std::string, uint64_t> values;
  ForEachCounter(copy, [&](const char* name, uint64_t& value) { values[name] = value; });
  ForEachCounter(total, [&](const char* name, uint64_t& value) { value += values[name]; });
  return total;
}

nlohmann::json ToJson(const EngineCounters& counters) {
  EngineCounters copy = counters;
  nlohmann::json out = nlohmann::json::object();
  ForEachCounter(copy, [&](const char* name, uint64_t& value) { out[name] = value; });
  return out;
}

std::string_view ToString(PeerState state) {
  switch (state) {
    case PeerState::kUninitialized:
      return "uninitialized";
    case PeerState::kBackfilling:
      return "backfilling";
    case PeerState::kCatchingUp:
      return "catching_up";
    case PeerState::kReady:
      return "ready";
    case PeerState::kFailed:
      return "failed";
  }
  return "uninitialized";
}

SyncEngine::SyncEngine(Environment environment, const Uuid& device, const Uuid& library_id, std::string device_name,
                       const SyncSettings* settings)
    : library_(*environment.library),
      clock_(*environment.clock),
      ids_(*environment.ids),
      transport_(*environment.transport),
      device_(device),
      library_id_(library_id),
      device_name_(std::move(device_name)),
      settings_(*settings),
      hlc_(*environment.clock, device,
           HlcClockOptions{.observer = environment.hlc_observer,
                           .defect_ignores_wall_clock = settings->HasDefect(kDefectHlcIgnoresWallClock)}),
      applier_(environment.library, settings),
      catalog_(environment.library) {
  const std::vector<std::string> order = library_.registry().DependencyOrder();
  for (size_t rank = 0; rank < order.size(); ++rank) dependency_rank_[order[rank]] = rank;
}

void SyncEngine::Start() {
  if (settings_.HasDefect(kDefectWatermarkSkipsParked)) {
    // The defect keeps parked records in memory only: a restart loses them.
    library_.sql().Prepare("DELETE FROM pending_dependencies WHERE kind = 'record'").Run();
  }
  if (std::optional<std::string> persisted = library_.GetState(kHlcStateKey); persisted.has_value()) {
    std::optional<Hlc> hlc = Hlc::Parse(*persisted);
    assert(hlc.has_value());
    hlc_.Restore(*hlc);
  }
  // Name the database's device and library, so a snapshot explains itself.
  library_.SetState("device_uuid", device_.ToString());
  library_.SetState("device_name", device_name_);
  library_.SetState("library_id", library_id_.ToString());
  const ModelSpec* device_model = library_.registry().Find("device");
  assert(device_model != nullptr);
  if (!library_.LocalId(*device_model, device_).has_value()) {
    Status status = WriteShared("device", device_, {{"name", device_name_}, {"os", "syncsim"}});
    assert(status.ok());
  }
}

Status SyncEngine::WriteOwned(const std::string& model, const Uuid& uuid, const nlohmann::json& data) {
  return WriteLocal(model, uuid, data, /*deleted=*/false, /*shared=*/false);
}

Status SyncEngine::DeleteOwned(const std::string& model, const Uuid& uuid) {
  return WriteLocal(model, uuid, nlohmann::json::object(), /*deleted=*/true, /*shared=*/false);
}

Status SyncEngine::WriteShared(const std::string& model, const Uuid& uuid, const nlohmann::json& data) {
  return WriteLocal(model, uuid, data, /*deleted=*/false, /*shared=*/true);
}

Status SyncEngine::DeleteShared(const std::string& model, const Uuid& uuid) {
  return WriteLocal(model, uuid, nlohmann::json::object(), /*deleted=*/true, /*shared=*/true);
}

Status SyncEngine::WriteLocal(const std::string& model, const Uuid& uuid, const nlohmann::json& data, bool deleted,
                              bool shared) {
  const ModelSpec* spec = library_.registry().Find(model);
  if (spec == nullptr) return Status::InvalidArgument(fmt::format("unknown model \"{}\"", model));
  if (shared != (spec->ownership == Ownership::kShared)) {
    return Status::InvalidArgument(fmt::format("model \"{}\" is {}", model, OwnershipName(spec->ownership)));
  }
  WireRecord record;
  record.model = model;
  record.uuid = uuid;
  // An update names only the fields it changes; the wire always carries the
  // whole record, so merge with what the device holds.
  record.data = nlohmann::json::object();
  if (!deleted) {
    if (std::optional<nlohmann::json> existing = library_.ReadWireData(*spec, uuid); existing.has_value()) {
      record.data = std::move(*existing);
    }
    record.data.update(data);
  }
  record.deleted = deleted;
  record.version = "0";  // replaced by ApplyLocalWrite; Validate only needs it non-empty
  if (Status status = applier_.Validate(record); !status.ok()) return status;

  SqliteDb::Transaction transaction(library_.sql());
  ApplyLocalWrite(std::move(record), shared);
  DeleteRequirers();
  PersistHlc();
  transaction.Commit();
  FlushFullBatches();
  return Status::Ok();
}

void SyncEngine::ApplyLocalWrite(WireRecord record, bool shared) {
  // Only a shared change records whether it inserts or updates.
  const bool existed = shared && !applier_.HeldVersion(record.model, record.uuid).empty();
  const Hlc stamp = hlc_.Generate();
  record.version = stamp.ToString();
  ApplyOutcome outcome = applier_.Apply(record, shared ? Uuid() : device_, /*local=*/true);
  // A fresh HLC is newer than anything held, so a local write always lands.
  assert(outcome == ApplyOutcome::kApplied);
  (void)outcome;
  if (shared) {
    SharedChangeEntry change;
    change.hlc = record.version;
    change.model = record.model;
    change.record_uuid = record.uuid;
    change.type = record.deleted ? SharedChangeEntry::Type::kDelete
                                 : (existed ? SharedChangeEntry::Type::kUpdate : SharedChangeEntry::Type::kInsert);
    change.data = record.data;
    AppendSharedLog(change);
    if (shared_write_observer_) shared_write_observer_(change);
    if (pending_shared_.empty()) pending_shared_since_ms_ = clock_.monotonic_ms();
    pending_shared_.push_back(std::move(change));
  } else {
    AdvanceWatermark(device_, record.model, record.version);
    if (pending_owned_.empty()) pending_owned_since_ms_ = clock_.monotonic_ms();
    pending_owned_.push_back(std::move(record));
  }
}

bool SyncEngine::DeleteRequirers() {
  bool deleted_any = false;
  // Each round's deletes may find requirers of their own (a tag application
  // of deleted metadata): repeat until none is left.
  for (std::vector<RecordApplier::Requirer> requirers = applier_.TakeRequirersOfDeleted(); !requirers.empty();
       requirers = applier_.TakeRequirersOfDeleted()) {
    for (const RecordApplier::Requirer& requirer : requirers) {
      const ModelSpec* spec = library_.registry().Find(requirer.model);
      assert(spec != nullptr && spec->ownership == Ownership::kShared);
      // Listed twice, or deleted by an earlier requirer's cascade.
      if (!library_.LocalId(*spec, requirer.uuid).has_value()) continue;
      WireRecord record{requirer.model, requirer.uuid, nlohmann::json::object(), "0", /*deleted=*/true};
      ApplyLocalWrite(std::move(record), /*shared=*/true);
      ++counters_.cascade_deletes;
      deleted_any = true;
    }
  }
  return deleted_any;
}

void SyncEngine::FlushFullBatches() {
  if (pending_owned_.size() >= settings_.batch_size) FlushOwned();
  if (pending_shared_.size() >= settings_.shared_batch_size) FlushShared();
}

void SyncEngine::Tick() {
  // Timers run on the monotonic clock: a wall clock set back by a day would
  // hold a batch or a resend for a day.
  const int64_t now_ms = clock_.monotonic_ms();
  auto due = [&](int64_t since_ms) {
    assert(now_ms >= since_ms);
    return now_ms - since_ms >= settings_.flush_interval_ms;
  };
  if (!pending_owned_.empty() && due(pending_owned_since_ms_)) FlushOwned();
  if (!pending_shared_.empty() && due(pending_shared_since_ms_)) FlushShared();
  for (auto& [peer, session] : sessions_) RetryDue(peer, session, now_ms);
}

namespace {

bool SessionHasPendingWork(const PeerSession& session) {
  // A peer never heard from on this connection (down, or cut off) gives
  // nothing to do but wait; it is not work in progress.
  if (!session.peer_answered) return false;
  if (!session.unacked.empty()) return true;
  return session.state != PeerState::kReady && session.state != PeerState::kFailed;
}

}  // namespace

bool SyncEngine::HasPendingWork() const {
  if (HasUnflushedWrites()) return true;
  for (const auto& [peer, session] : sessions_) {
    if (SessionHasPendingWork(session)) return true;
  }
  return false;
}

std::vector<PeerStatus> SyncEngine::PeerStatuses() const {
  std::vector<PeerStatus> statuses;
  for (const auto& [peer, session] : sessions_) {
    statuses.push_back(PeerStatus{peer, session.state, session.jobs.size(), session.request.has_value(),
                                  session.buffer.size(), session.unacked.size(), SessionHasPendingWork(session)});
  }
  return statuses;
}

void SyncEngine::FlushOwned() {
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

void SyncEngine::FlushShared() {
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

RetriedMessage SyncEngine::SendRetried(const Uuid& peer, const Message& message) {
  auto payload = std::make_shared<const std::string>(EncodeMessage(message));
  std::string kind(MessageKind(message));
  ++counters_.messages_sent;
  transport_.Send(peer, kind, *payload);
  return RetriedMessage{std::move(kind), std::move(payload), clock_.monotonic_ms() + settings_.retry_timeout_ms,
                        settings_.retry_timeout_ms, 1};
}

void SyncEngine::SendBatch(const Uuid& peer, PeerSession& session, uint64_t batch_id, Message* message) {
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
  session.unacked[batch_id] = SendRetried(peer, *message);
}

void SyncEngine::NoteBatchAcked(PeerSession& session, uint64_t batch_id) {
  session.unacked.erase(batch_id);
  const std::optional<uint64_t>& asked_from = session.catch_up_requested_from_batch_id;
  if (asked_from.has_value() && batch_id >= *asked_from) session.catch_up_requested_from_batch_id.reset();
}

void SyncEngine::Send(const Uuid& peer, const Message& message) {
  ++counters_.messages_sent;
  transport_.Send(peer, MessageKind(message), EncodeMessage(message));
}

void SyncEngine::SendRequest(const Uuid& peer, PeerSession& session, uint64_t request_id, const Message& message) {
  session.request_id = request_id;
  session.request = SendRetried(peer, message);
}

void SyncEngine::RetryDue(const Uuid& peer, PeerSession& session, int64_t now_ms) {
  auto resend = [&](RetriedMessage& message) {
    ++counters_.messages_sent;
    ++counters_.resends;
    if (message.backoff_ms >= settings_.retry_backoff_ms_max) ++counters_.resends_at_backoff_cap;
    ++message.sends;
    transport_.Send(peer, message.kind, *message.payload);
    message.backoff_ms = std::min(message.backoff_ms * 2, settings_.retry_backoff_ms_max);
    message.next_send_ms = now_ms + message.backoff_ms;
  };
  // A batch is resent for as long as the connection lasts (at backoff
  // intervals): while connected, a lost batch is a gap nobody else repairs.
  for (auto& [batch_id, batch] : session.unacked) {
    if (now_ms >= batch.next_send_ms) resend(batch);
  }
  if (session.request.has_value() && now_ms >= session.request->next_send_ms) {
    if (session.request->sends < settings_.retry_attempts_max) {
      resend(*session.request);
    } else if (session.request_id != session.exchange_request_id && !session.jobs.empty()) {
      // A page unanswered too often: ask for it again under a new id, and
      // keep the pages applied so far. Restarting the round here re-read
      // them from watermarks that a parked record holds back, and over a
      // lossy link no round of many pages ever finished.
      ++counters_.requests_abandoned;
      ++counters_.requests_reissued;
      RunNextJob(peer, session);
    } else if (session.rounds < settings_.catch_up_rounds_max) {
      // Unanswered too often: start the round over with a fresh exchange
      // rather than give up on the peer.
      ++counters_.requests_abandoned;
      ++counters_.rounds_restarted;
      session.jobs.clear();
      StartRound(peer, session);
    } else {
      ++counters_.requests_abandoned;
      session.request.reset();
      session.request_id = 0;
      session.jobs.clear();
      session.state = PeerState::kFailed;
    }
  }
}

void SyncEngine::OnPeerConnected(const Uuid& peer) {
  // Every peer ever seen takes part in pruning: the log keeps what it has
  // not acknowledged.
  library_.sql()
      .Prepare("INSERT OR IGNORE INTO peer_acks (peer, last_acked_hlc) VALUES (?1, '')")
      .Bind(1, peer.ToString())
      .Run();
  PeerSession& session = sessions_[peer];
  session = PeerSession();
  StartRound(peer, session);
}

void SyncEngine::OnPeerDisconnected(const Uuid& peer) { sessions_.erase(peer); }

Uuid SyncEngine::WatermarkKey(const Uuid& owner, const std::string& model, const Uuid& peer) const {
  return IsShared(model) ? peer : owner;
}

bool SyncEngine::IsShared(const std::string& model) const {
  const ModelSpec* spec = library_.registry().Find(model);
  assert(spec != nullptr);
  return spec->ownership == Ownership::kShared;
}

DigestBasis SyncEngine::digest_basis() const {
  return settings_.HasDefect(kDefectDigestUsesLocalIds) ? DigestBasis::kLocalIds : DigestBasis::kUuidsAndFields;
}

void SyncEngine::StartRound(const Uuid& peer, PeerSession& session) {
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

void SyncEngine::AnswerExchange(const Uuid& from, const WatermarkExchangeRequest& request) {
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

void SyncEngine::HandleExchangeResponse(const Uuid& from, PeerSession& session,
                                        const WatermarkExchangeResponse& response) {
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

void SyncEngine::RunNextJob(const Uuid& peer, PeerSession& session) {
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

void SyncEngine::AnswerStateRequest(const Uuid& from, const StateRequest& request) {
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

void SyncEngine::HandleStateResponse(const Uuid& from, PeerSession& session, const StateResponse& response) {
  assert(!session.jobs.empty());
  PullJob& job = session.jobs.front();
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

void SyncEngine::FinishRound(const Uuid& peer, PeerSession& session) {
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
        SendRetried(peer, AckSharedChanges{library_id_, session.peer_hlc_at_exchange, kCatchUpAckBatchId});
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

Status SyncEngine::OnMessage(const Uuid& from, std::string_view payload) {
  ++counters_.messages_received;
  Message message;
  Status status = DecodeMessage(payload, &message);
  if (status.ok()) {
    const Uuid library = std::visit([](const auto& decoded) { return decoded.library; }, message);
    if (library != library_id_) status = Status::InvalidArgument("library: message for another library");
  }
  if (status.ok()) {
    // Check every record before applying any, so a bad message changes nothing.
    if (const auto* batch = std::get_if<StateBatch>(&message)) {
      if (batch->owner != from) status = Status::InvalidArgument("owner: a state batch comes from its owner");
      for (size_t i = 0; status.ok() && i < batch->records.size(); ++i) {
        status = applier_.Validate(batch->records[i]);
        if (!status.ok()) status = Status::InvalidArgument(fmt::format("records[{}].{}", i, status.message()));
      }
    } else if (const auto* shared = std::get_if<SharedChangeBatch>(&message)) {
      for (size_t i = 0; status.ok() && i < shared->changes.size(); ++i) {
        const SharedChangeEntry& change = shared->changes[i];
        if (!Hlc::Parse(change.hlc).has_value()) {
          status = Status::InvalidArgument(fmt::format("changes[{}].hlc: not an HLC", i));
          break;
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
      const ModelSpec* spec = library_.registry().Find(page->model);
      if (spec == nullptr) status = Status::InvalidArgument("model: unknown model");
      for (size_t i = 0; status.ok() && i < page->records.size(); ++i) {
        const WireRecord& record = page->records[i];
        status = applier_.Validate(record);
        if (status.ok() && record.model != page->model) status = Status::InvalidArgument("model: not the page's");
        if (status.ok() && page->owner.is_nil() && !Hlc::Parse(record.version).has_value()) {
          status = Status::InvalidArgument("version: not an HLC");
        }
        if (!status.ok()) status = Status::InvalidArgument(fmt::format("records[{}].{}", i, status.message()));
      }
    }
  }
  if (!status.ok()) {
    ++counters_.messages_rejected;
    return status;
  }
  Dispatch(from, std::move(message));
  return Status::Ok();
}

void SyncEngine::Dispatch(const Uuid& from, Message message) {
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

void SyncEngine::ReceiveRealtime(const Uuid& from, PeerSession& session, Message message) {
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

void SyncEngine::RunRequestedCatchUp(const Uuid& from, PeerSession& session, const Message& message) {
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

void SyncEngine::ApplyStateBatch(PeerSession& session, const StateBatch& batch) {
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

void SyncEngine::ApplySharedChanges(const SharedChangeBatch& batch) {
  std::vector<const SharedChangeEntry*> ordered;
  for (const SharedChangeEntry& change : batch.changes) ordered.push_back(&change);
  std::sort(ordered.begin(), ordered.end(),
            [](const SharedChangeEntry* left, const SharedChangeEntry* right) { return left->hlc < right->hlc; });
  SqliteDb::Transaction transaction(library_.sql());
  for (const SharedChangeEntry* change : ordered) {
    hlc_.Update(*Hlc::Parse(change->hlc));
    WireRecord record{change->model, change->record_uuid, change->data, change->hlc,
                      change->type == SharedChangeEntry::Type::kDelete};
    applier_.Apply(record, Uuid(), /*local=*/false);
    AppendSharedLog(*change);
  }
  DeleteRequirers();
  PersistHlc();
  transaction.Commit();
  FlushFullBatches();
}

void SyncEngine::HandleStateAck(PeerSession& session, const AckStateBatch& ack) {
  ++counters_.acks_received;
  NoteBatchAcked(session, ack.batch_id);
}

void SyncEngine::HandleSharedAck(const Uuid& from, const AckSharedChanges& ack) {
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

void SyncEngine::PruneSharedLog() {
  // The log is kept up to the oldest acknowledgement over every known peer;
  // a peer that never acked (empty string) keeps all of it.
  Statement& minimum = library_.sql().Prepare("SELECT min(last_acked_hlc), count(*) FROM peer_acks");
  std::string prune_up_to;
  if (minimum.Step() && minimum.Int(1) > 0 && !minimum.IsNull(0)) prune_up_to = minimum.Text(0);
  minimum.Reset();
  if (prune_up_to.empty()) return;
  library_.sql().Prepare("DELETE FROM shared_changes WHERE hlc <= ?1").Bind(1, prune_up_to).Run();
  counters_.log_entries_pruned += static_cast<uint64_t>(library_.sql().Changes());
}

void SyncEngine::AppendSharedLog(const SharedChangeEntry& change) {
  const char* type = change.type == SharedChangeEntry::Type::kInsert   ? "insert"
                     : change.type == SharedChangeEntry::Type::kUpdate ? "update"
                                                                       : "delete";
  library_.sql()
      .Prepare(
          "INSERT OR IGNORE INTO shared_changes (hlc, model, record_uuid, change_type, data) "
          "VALUES (?1, ?2, ?3, ?4, ?5)")
      .Bind(1, change.hlc)
      .Bind(2, change.model)
      .Bind(3, change.record_uuid.ToString())
      .Bind(4, type)
      .Bind(5, change.data.dump())
      .Run();
}

void SyncEngine::AdvanceWatermark(const Uuid& owner, const std::string& model, const std::string& version) {
  library_.sql()
      .Prepare(
          "INSERT INTO resource_watermarks (peer, model, watermark) VALUES (?1, ?2, ?3) ON CONFLICT(peer, model) "
          "DO UPDATE SET watermark = max(watermark, excluded.watermark)")
      .Bind(1, owner.ToString())
      .Bind(2, model)
      .Bind(3, version)
      .Run();
}

std::string SyncEngine::Watermark(const Uuid& owner, const std::string& model) {
  Statement& statement =
      library_.sql().Prepare("SELECT watermark FROM resource_watermarks WHERE peer = ?1 AND model = ?2");
  statement.Bind(1, owner.ToString()).Bind(2, model);
  std::string watermark;
  if (statement.Step()) watermark = statement.Text(0);
  statement.Reset();
  return watermark;
}

std::string SyncEngine::ResumeWatermark(const Uuid& owner, const std::string& model) {
  std::string watermark = Watermark(owner, model);
  if (watermark.empty() || settings_.HasDefect(kDefectWatermarkSkipsParked)) return watermark;
  // Parked records of shared models are not attributed to a serving peer:
  // any of them holds back every shared watermark of the model.
  const std::string parked_owner = IsShared(model) ? std::string() : owner.ToString();
  Statement& statement = library_.sql().Prepare(
      "SELECT min(version) FROM pending_dependencies WHERE kind = 'record' AND model = ?1 AND owner = ?2");
  statement.Bind(1, model).Bind(2, parked_owner);
  if (statement.Step() && !statement.IsNull(0)) watermark = std::min(watermark, statement.Text(0));
  statement.Reset();
  return watermark;
}

int64_t SyncEngine::ParkedCount() {
  Statement& statement = library_.sql().Prepare("SELECT count(*) FROM pending_dependencies WHERE kind = 'record'");
  statement.Step();
  int64_t count = statement.Int(0);
  statement.Reset();
  return count;
}

int64_t SyncEngine::SharedLogSize() { return library_.Count("shared_changes"); }

void SyncEngine::PersistHlc() { library_.SetState(kHlcStateKey, hlc_.last().ToString()); }

}  // namespace syncsim::core
