// LeaderlessEngine (`sync.engine: "leaderless"`, the default): one device's
// sync core in which no device leads. It owns the device's HLC and the
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
// The engine is single-threaded and passive, as every core::Engine. Its
// code is split by direction: leaderless_engine.cpp (start, local writes,
// timers, what it reports, the log and watermarks), leaderless_send.cpp,
// leaderless_receive.cpp and leaderless_pull.cpp (the peer protocol). It
// registers itself as "leaderless" (core/engine_registry.h).
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
#include "core/engine.h"
#include "core/local_write_engine.h"
#include "core/hlc.h"
#include "core/leaderless/peer_session.h"
#include "core/library_db.h"
#include "core/messages.h"
#include "core/record_applier.h"
#include "core/state_catalog.h"
#include "core/status.h"
#include "core/sync_settings.h"
#include "core/transport.h"
#include "core/uuid.h"

namespace syncsim::core {

class LeaderlessEngine final : public LocalWriteEngine {
 public:
  // Every pointer in `setup` must outlive the engine.
  explicit LeaderlessEngine(const EngineSetup& setup);

  // Engine (core/engine.h has the contract of each).
  void Start() override;
  LibraryDb& library() override { return library_; }
  Uuid NewUuid() override { return ids_.NewUuid(); }
  // A fresh session that starts a watermark exchange.
  void OnPeerConnected(const Uuid& peer) override;
  // Forgets the session: its buffer, unacked batches and request in flight.
  void OnPeerDisconnected(const Uuid& peer) override;
  Status OnMessage(const Uuid& from, std::string_view payload) override;
  // Flushes batches that are full or have waited flush_interval_ms, and
  // resends what is due for a retry.
  void Tick() override;
  // Pending work: an unflushed write, an unacked batch, or an exchange,
  // pull or buffer not finished with a peer that has answered.
  bool HasPendingWork() const override;
  bool HasUnflushedWrites() const override { return !pending_owned_.empty() || !pending_shared_.empty(); }
  std::vector<PeerStatus> PeerStatuses() const override;
  const EngineCounters& counters() const override { return counters_; }
  const ApplyCounters& apply_counters() const override { return applier_.counters(); }
  // The peers of the peer_acks table; their acks bound the shared log.
  std::vector<Uuid> AckingPeers() override;
  int64_t UnackedSharedChanges(const Uuid& peer) override;
  std::optional<std::string> NewestChangeHlc() override;
  void SetSharedWriteObserver(SharedWriteObserver observer) override {
    shared_write_observer_ = std::move(observer);
  }

  const Uuid& device() const { return device_; }
  const Uuid& library_id() const { return library_id_; }
  const HlcClock& hlc() const { return hlc_; }

  // The watermark this device holds for `owner`'s records of `model`: the
  // newest version applied (empty when none). For a shared model, `owner` is
  // the peer the records were pulled from.
  std::string Watermark(const Uuid& owner, const std::string& model);
  // The watermark a catch-up resumes from: Watermark(), held back to the
  // oldest record of (owner, model) still parked, so that the catch-up reads
  // it again (unless the `watermark_skips_parked` defect is on).
  std::string ResumeWatermark(const Uuid& owner, const std::string& model);

 private:
  Status WriteLocal(const LocalWrite& write) override;
  // Stamps `record` with a fresh HLC, applies it, logs it if shared and
  // queues it for the peers. REQUIRES: Validate(record) ok; in a transaction.
  // `changed`: the fields the writer named (null: every field), which a
  // per-field merge stamps with the write's HLC.
  void ApplyLocalWrite(WireRecord record, bool shared, const nlohmann::json* changed = nullptr);
  // Sets record->field_versions for `sync.shared_merge: field`: the write's
  // HLC (record->version) for the fields it changes (all of them for a
  // record new here), the held version for the others.
  void StampFields(WireRecord* record, bool existed, const nlohmann::json* changed);
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
  // the session's retry timeout from now).
  RetriedMessage SendRetried(const Uuid& peer, const PeerSession& session, const Message& message);
  // `message`, sent by SendRetried, was answered: a round-trip sample.
  void NoteAnswered(PeerSession& session, const RetriedMessage& message);
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
  // Checks every record of a decoded message before any is applied.
  Status ValidateMessage(const Uuid& from, const Message& message) const;
  Status ValidateSharedChanges(const SharedChangeBatch& batch) const;
  Status ValidatePage(const StateResponse& page) const;
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
