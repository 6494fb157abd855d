// Engine: one device's sync engine, seen from the outside. It is what the
// simulator's devices, workloads and checks talk to, so that another way to
// sync (a change log, a leader) can run in the same harness and be judged by
// the same checks: the local writes of the device's workloads go in,
// connection events, peer messages and timer ticks go in, messages go out
// through the Transport, and what the engine knows of its own progress
// (pending work, per-peer status, counters, acknowledgements) comes out as
// data. Everything durable lives in the device's library database, which
// the engine writes and the checks read.
//
// An engine is single-threaded and passive: it acts only when its owner
// calls it. Time, identifiers and the network are reached only through the
// injected Clock, IdSource and Transport (EngineSetup), so the simulator
// decides all of them. A crash is the destruction of the engine: everything
// but the database is volatile, and a new engine built over the same
// database resumes from it.
//
// Engines are found by name in core/engine_registry.h; each one registers
// itself from its own folder (core/leaderless/ is the first).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/hlc.h"
#include "core/library_db.h"
#include "core/messages.h"
#include "core/record_applier.h"
#include "core/status.h"
#include "core/sync_settings.h"
#include "core/transport.h"
#include "core/uuid.h"

namespace syncsim::core {

// Message traffic as one engine saw it. Not every engine takes every path:
// a counter an engine has no use for stays 0.
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

// Where a session with one connected peer stands.
enum class PeerState {
  kUninitialized,  // connected, nothing exchanged yet
  kBackfilling,    // first sync with this peer: pulling everything
  kCatchingUp,     // a later connection: pulling what is behind
  kReady,          // caught up: realtime changes apply as they arrive
  kFailed,         // gave up on this connection without finishing
};

std::string_view ToString(PeerState state);

// What one peer session looks like from outside, for diagnosis.
struct PeerStatus {
  Uuid peer;
  PeerState state = PeerState::kUninitialized;
  size_t jobs = 0;          // pull jobs left
  bool request_in_flight = false;
  size_t buffered = 0;      // realtime messages waiting for Ready
  size_t unacked = 0;       // batches sent to the peer and not acked
  // Work in progress with this peer that only the peer can end (by
  // answering or acking), with a peer that has answered on this connection.
  bool pending_work = false;
};

// What an engine is built from. Every pointer must outlive the engine; none
// is owned by it.
struct EngineSetup {
  LibraryDb* library = nullptr;      // the device's database
  const Clock* clock = nullptr;      // the device's clock
  IdSource* ids = nullptr;           // where new record uuids come from
  Transport* transport = nullptr;    // how messages leave the device
  HlcObserver* hlc_observer = nullptr;  // told every HLC generated or received; may be null
  Uuid device;
  Uuid library_id;
  std::string device_name;
  const SyncSettings* settings = nullptr;
  // Every device of the library, the creator first (an engine with a leader
  // counts its majorities over them); may be empty for engines that need
  // no list.
  std::vector<Uuid> members;
};

// Something an engine did that a check may judge from outside (a leader
// elected, a sequence number assigned, a write acknowledged). Engines that
// have nothing to report never emit one.
struct EngineEvent {
  std::string kind;    // e.g. "elected", "assigned", "acked", "applied"
  int64_t term = 0;
  int64_t seq = 0;
  std::string change;  // the change's id, or empty
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Resumes from the database (on a new database, writes this device's own
  // `device` record). REQUIRES: called once, before anything else.
  virtual void Start() = 0;

  // The device's database; not owned by the caller, valid for the engine's
  // life.
  virtual LibraryDb& library() = 0;

  // --- Local writes (the workloads' API). Each is one transaction. ---

  // A fresh record uuid from the IdSource.
  virtual Uuid NewUuid() = 0;
  // Inserts or updates a device-owned record this device owns. `data` holds
  // synced columns and foreign keys as wire uuids; on an update, only the
  // fields that change. Returns InvalidArgument when `data` does not fit
  // the model (nothing is written).
  // REQUIRES: every referenced record exists on this device.
  virtual Status WriteOwned(const std::string& model, const Uuid& uuid, const nlohmann::json& data) = 0;
  // Deletes a device-owned record (an entry with its subtree), then the
  // shared records that require a deleted record, so every device removes
  // them. Returns InvalidArgument for a model that is not device-owned.
  virtual Status DeleteOwned(const std::string& model, const Uuid& uuid) = 0;
  // Inserts or updates a shared record. Returns InvalidArgument as
  // WriteOwned does. REQUIRES: no uuid reference of `data` names a record
  // deleted here.
  virtual Status WriteShared(const std::string& model, const Uuid& uuid, const nlohmann::json& data) = 0;
  // Deletes a shared record, then the shared records that require it.
  virtual Status DeleteShared(const std::string& model, const Uuid& uuid) = 0;

  // --- Events from the transport and the timer. ---

  // A (re)connection to `peer`: an existing session with it is replaced.
  virtual void OnPeerConnected(const Uuid& peer) = 0;
  // The connection closed: everything volatile about the peer is forgotten.
  virtual void OnPeerDisconnected(const Uuid& peer) = 0;
  // Decodes and handles one message from `from`. A malformed message, or one
  // for another library, is rejected whole with InvalidArgument and changes
  // nothing.
  virtual Status OnMessage(const Uuid& from, std::string_view payload) = 0;
  // Runs what is due on the device's monotonic clock (flushes, resends).
  virtual void Tick() = 0;

  // --- What the engine reports, as data. ---

  // True while local writes wait to be flushed, or work with a peer that
  // has answered on this connection is in progress.
  virtual bool HasPendingWork() const = 0;
  // True while local writes wait to be flushed (work no peer is needed for).
  virtual bool HasUnflushedWrites() const = 0;
  // One entry per connected peer, by peer uuid.
  virtual std::vector<PeerStatus> PeerStatuses() const = 0;
  virtual const EngineCounters& counters() const = 0;
  virtual const ApplyCounters& apply_counters() const = 0;
  // The peers whose acknowledgements this device keeps (every peer it was
  // ever connected to), sorted.
  virtual std::vector<Uuid> AckingPeers() = 0;
  // This device's own shared changes that `peer` has not acknowledged (all
  // of them for a peer it never heard an ack from).
  virtual int64_t UnackedSharedChanges(const Uuid& peer) = 0;
  // The newest HLC in the device's shared change log; empty when it holds
  // none.
  virtual std::optional<std::string> NewestChangeHlc() = 0;

  // Called for each local shared write, with the change as logged. The
  // simulator uses it to compute the last-writer-wins oracle.
  using SharedWriteObserver = std::function<void(const SharedChangeEntry&)>;
  virtual void SetSharedWriteObserver(SharedWriteObserver observer) = 0;

  // Called for each EngineEvent; the default engine reports none.
  using EventObserver = std::function<void(const EngineEvent&)>;
  virtual void SetEventObserver(EventObserver observer) { (void)observer; }

  // True when the change `change_id` is in the device's database. An
  // engine whose acknowledgements promise durability reports each change
  // it acks as a "durable_ack" EngineEvent, and answers this for it: the
  // simulator asks, after every restart that followed a crash or a power
  // loss, about every change the device had acked before (a change acked
  // and then lost is a broken promise). Engines that report no
  // "durable_ack" are never asked; the default answer is false so that
  // one that reports them without answering fails loudly.
  virtual bool HoldsChange(const std::string& change_id) {
    (void)change_id;
    return false;
  }
};

}  // namespace syncsim::core
