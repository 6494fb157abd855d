// SyncEngine: one device's sync core. It owns the device's HLC and the
// outgoing batches; it applies what peers send through a RecordApplier, logs
// and acknowledges shared changes, keeps per-owner watermarks, and exposes
// the local-write API that workloads (an indexer, a tagger) call.
//
// Besides realtime sync it runs the peer protocol of DESIGN.md 3.5: on every
// connection a watermark exchange, then backfill or catch-up pulled page by
// page in dependency order, targeted re-sync of digest buckets that
// disagree, a bounded buffer for realtime changes that arrive meanwhile,
// and acks with retries and backoff for realtime batches and requests.
//
// The engine is single-threaded and passive: it acts only when its owner
// calls it (a local write, a message, a connection event, a Tick). Time,
// identifiers and the network are reached only through the injected Clock,
// IdSource and Transport, so the simulator decides all of them. A crash is
// the destruction of the engine: everything but the database is volatile.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/hlc.h"
#include "core/library_db.h"
#include "core/messages.h"
#include "core/peer_session.h"
#include "core/record_applier.h"
#include "core/state_catalog.h"
#include "core/status.h"
#include "core/sync_settings.h"
#include "core/transport.h"
#include "core/uuid.h"

namespace syncsim::core {

// Message traffic as this engine saw it.
struct EngineCounters {
  uint64_t messages_sent = 0;
  uint64_t messages_received = 0;
  uint64_t messages_rejected = 0;  // malformed or for another library: never applied
  uint64_t records_sent = 0;
  uint64_t shared_changes_sent = 0;
  uint64_t acks_received = 0;
  uint64_t log_entries_pruned = 0;
  uint64_t exchanges_started = 0;      // watermark exchange rounds begun
  uint64_t pages_received = 0;         // StateResponses applied
  uint64_t records_pulled = 0;         // records in those pages
  uint64_t resyncs = 0;                // (owner, model)s whose digest disagreed: buckets re-read
  uint64_t records_repaired = 0;       // records a re-sync applied (they were missing or different)
  uint64_t resends = 0;                // batches and requests sent again
  uint64_t batches_abandoned = 0;      // oldest unacked batches dropped past unacked_batches_max
  uint64_t requests_abandoned = 0;      // requests unanswered retry_attempts_max times: rounds_restarted + requests_reissued
  uint64_t buffered = 0;               // realtime messages held until Ready
  uint64_t buffer_overflows = 0;       // buffers discarded for another catch-up round
  uint64_t buffered_dropped = 0;       // the `buffer_drops_new` defect: messages lost
  uint64_t stale_answers = 0;          // answers to a request no longer in flight
  uint64_t stale_batches = 0;          // realtime batches sent before the peer's exchange answer: ignored
  uint64_t pages_continued = 0;        // answers that said more follows: the next page was asked for
  uint64_t rounds_restarted = 0;       // exchange requests abandoned: the round started over
  uint64_t requests_reissued = 0;      // page requests abandoned: the same page asked for again
  uint64_t resends_at_backoff_cap = 0; // resends already retry_backoff_ms_max apart
  uint64_t cascade_deletes = 0;        // shared records deleted because a record they require was
  uint64_t batches_out_of_order = 0;   // realtime batches held because an earlier one is missing
  uint64_t catch_ups_requested = 0;    // batches whose sender had abandoned an earlier one: a round ran
};

EngineCounters& operator+=(EngineCounters& total, const EngineCounters& more);
// The counters as a JSON object of name -> count.
nlohmann::json ToJson(const EngineCounters& counters);

// What one peer session looks like from outside, for diagnosis.
struct PeerStatus {
  Uuid peer;
  PeerState state = PeerState::kUninitialized;
  size_t jobs = 0;          // pull jobs left
  bool request_in_flight = false;
  size_t buffered = 0;      // realtime messages waiting for Ready
  size_t unacked = 0;       // batches sent to the peer and not acked
  // Work in progress with this peer: an unacked batch, or an exchange, pull
  // or buffer not finished, with a peer that has answered on this
  // connection. Only the peer can end it (by answering or acking).
  bool pending_work = false;
};

class SyncEngine {
 public:
  struct Environment {
    LibraryDb* library;      // the device's database; not owned
    const Clock* clock;      // the device's clock; not owned
    IdSource* ids;           // where new record uuids come from; not owned
    Transport* transport;    // how messages leave the device; not owned
    // Told every HLC the engine generates or receives; not owned; may be null.
    HlcObserver* hlc_observer = nullptr;
  };

  // Every pointer in `environment` and `settings` must outlive the engine.
  SyncEngine(Environment environment, const Uuid& device, const Uuid& library_id, std::string device_name,
             const SyncSettings* settings);

  // Resumes from the database: restores the HLC, and on a new database
  // writes this device's own `device` record. Call once before anything else.
  void Start();

  const Uuid& device() const { return device_; }
  const Uuid& library_id() const { return library_id_; }
  LibraryDb& library() { return library_; }

  // --- Local writes (the workloads' API). Each is one transaction. ---

  // A fresh record uuid from the IdSource.
  Uuid NewUuid() { return ids_.NewUuid(); }
  // Inserts or updates a device-owned record this device owns. `data` holds
  // synced columns and foreign keys as wire uuids; on an update, only the
  // fields that change (the rest are kept). The record is queued for the
  // next flush to connected peers.
  // Returns InvalidArgument when `data` does not fit the model.
  // REQUIRES: every referenced record exists on this device.
  Status WriteOwned(const std::string& model, const Uuid& uuid, const nlohmann::json& data);
  // Deletes a device-owned record (an entry with its subtree). Then the
  // shared records that require a deleted record (ModelRegistry::
  // SharedRequirementsOn: a collection member, the metadata naming the
  // entry by uuid, that metadata's tag applications) are deleted, each as
  // a shared change, so that every device removes them.
  Status DeleteOwned(const std::string& model, const Uuid& uuid);
  // Inserts or updates a shared record: HLC-stamped, logged, queued.
  // REQUIRES: no uuid reference of `data` names a record deleted here.
  Status WriteShared(const std::string& model, const Uuid& uuid, const nlohmann::json& data);
  // Deletes a shared record, then the shared records that require it, as
  // DeleteOwned does.
  Status DeleteShared(const std::string& model, const Uuid& uuid);

  // --- Events from the transport and the timer. ---

  // A (re)connection: a fresh session that starts a watermark exchange. An
  // existing session with the peer is replaced.
  void OnPeerConnected(const Uuid& peer);
  // Forgets the session: its buffer, unacked batches and request in flight.
  void OnPeerDisconnected(const Uuid& peer);
  // Decodes and handles one message. A malformed message, or one for another
  // library, is rejected whole with a Status and changes nothing.
  Status OnMessage(const Uuid& from, std::string_view payload);
  // Flushes batches that are full or have waited flush_interval_ms, and
  // resends what is due for a retry.
  void Tick();

  // True while local writes wait to be flushed, a batch waits for its ack,
  // or a session with a peer that has answered is still exchanging, pulling
  // or holding a buffer.
  bool HasPendingWork() const;
  // True while local writes wait to be flushed (work no peer is needed for).
  bool HasUnflushedWrites() const { return !pending_owned_.empty() || !pending_shared_.empty(); }
  // One entry per connected peer, by peer uuid.
  std::vector<PeerStatus> PeerStatuses() const;

  // Called for each local shared write, with the change as logged.
  // The simulator uses it to compute the last-writer-wins oracle.
  using SharedWriteObserver = std::function<void(const SharedChangeEntry&)>;
  void SetSharedWriteObserver(SharedWriteObserver observer) { shared_write_observer_ = std::move(observer); }

  const ApplyCounters& apply_counters() const { return applier_.counters(); }
  const EngineCounters& counters() const { return counters_; }
  const HlcClock& hlc() const { return hlc_; }

  // The watermark this device holds for `owner`'s records of `model`: the
  // newest version applied (empty when none). For a shared model, `owner` is
  // the peer the records were pulled from.
  std::string Watermark(const Uuid& owner, const std::string& model);
  // The watermark a catch-up resumes from: Watermark(), held back to the
  // oldest record of (owner, model) still parked, so that the catch-up reads
  // it again (unless the `watermark_skips_parked` defect is on).
  std::string ResumeWatermark(const Uuid& owner, const std::string& model);
  // Number of records parked in pending_dependencies.
  int64_t ParkedCount();
  // Size of the shared change log.
  int64_t SharedLogSize();

 private:
  Status WriteLocal(const std::string& model, const Uuid& uuid, const nlohmann::json& data, bool deleted,
                    bool shared);
  // Stamps `record` with a fresh HLC, applies it, logs it if shared and
  // queues it for the peers. REQUIRES: Validate(record) ok; in a transaction.
  void ApplyLocalWrite(WireRecord record, bool shared);
  // The requirement cascade: deletes, as this device's own
  // shared changes, every shared record still held that requires a record
  // deleted since the last call, locally or by a peer, transitively. A
  // receiver must do it too: a member a device added to a collection while
  // the entry's owner deleted the entry reached the owner too late for the
  // owner's cascade, so only the devices holding it can delete it. Returns
  // true when it deleted anything. REQUIRES: inside a transaction.
  bool DeleteRequirers();
  // Flushes the pending batches that are full.
  void FlushFullBatches();
  void FlushOwned();
  void FlushShared();
  void Send(const Uuid& peer, const Message& message);
  // Sends `message` and returns it ready for resending (first resend due
  // retry_timeout_ms from now).
  RetriedMessage SendRetried(const Uuid& peer, const Message& message);
  // Sends a realtime batch and keeps it until the peer acks it.
  // Sends a realtime batch and keeps it for resending; past
  // unacked_batches_max abandons the oldest unacked one and asks the peer,
  // in this and later batches, to catch up. REQUIRES: *message is a
  // StateBatch or a SharedChangeBatch with id batch_id.
  void SendBatch(const Uuid& peer, PeerSession& session, uint64_t batch_id, Message* message);
  // A batch that asks for a catch-up (its sender abandoned an earlier one)
  // starts a round, or one more after the current round.
  void RunRequestedCatchUp(const Uuid& from, PeerSession& session, const Message& message);
  // The peer acked realtime batch `batch_id`.
  void NoteBatchAcked(PeerSession& session, uint64_t batch_id);
  // Sends a request that expects an answer and keeps it for resending.
  void SendRequest(const Uuid& peer, PeerSession& session, uint64_t request_id, const Message& message);
  void Dispatch(const Uuid& from, Message message);
  // Realtime messages: buffered until the session is Ready, then applied.
  void ReceiveRealtime(const Uuid& from, PeerSession& session, Message message);
  void ApplyStateBatch(PeerSession& session, const StateBatch& batch);
  void ApplySharedChanges(const SharedChangeBatch& batch);
  void HandleStateAck(PeerSession& session, const AckStateBatch& ack);
  void HandleSharedAck(const Uuid& from, const AckSharedChanges& ack);
  // The peer protocol.
  void StartRound(const Uuid& peer, PeerSession& session);
  void AnswerExchange(const Uuid& from, const WatermarkExchangeRequest& request);
  void HandleExchangeResponse(const Uuid& from, PeerSession& session, const WatermarkExchangeResponse& response);
  void AnswerStateRequest(const Uuid& from, const StateRequest& request);
  void HandleStateResponse(const Uuid& from, PeerSession& session, const StateResponse& response);
  void RunNextJob(const Uuid& peer, PeerSession& session);
  void FinishRound(const Uuid& peer, PeerSession& session);
  void RetryDue(const Uuid& peer, PeerSession& session, int64_t now_ms);
  // The key under which a watermark of `model` is kept: its owner for
  // device-owned models, the peer it is pulled from for shared ones.
  Uuid WatermarkKey(const Uuid& owner, const std::string& model, const Uuid& peer) const;
  bool IsShared(const std::string& model) const;
  DigestBasis digest_basis() const;
  void AdvanceWatermark(const Uuid& owner, const std::string& model, const std::string& version);
  void AppendSharedLog(const SharedChangeEntry& change);
  void PruneSharedLog();
  void PersistHlc();

  LibraryDb& library_;
  const Clock& clock_;
  IdSource& ids_;
  Transport& transport_;
  const Uuid device_;
  const Uuid library_id_;
  const std::string device_name_;
  const SyncSettings& settings_;
  HlcClock hlc_;
  RecordApplier applier_;
  StateCatalog catalog_;
  EngineCounters counters_;
  // Position of each model in the dependency order: pull jobs run in it.
  std::map<std::string, size_t> dependency_rank_;

  SharedWriteObserver shared_write_observer_;

  // Volatile state: lost on a crash (DESIGN.md 3.5).
  std::vector<WireRecord> pending_owned_;
  int64_t pending_owned_since_ms_ = 0;  // monotonic, as every timer
  std::vector<SharedChangeEntry> pending_shared_;
  int64_t pending_shared_since_ms_ = 0;
  std::map<Uuid, PeerSession> sessions_;  // connected peers
  uint64_t next_batch_id_ = 1;
  uint64_t next_request_id_ = 1;
};

}  // namespace syncsim::core
