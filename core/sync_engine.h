// SyncEngine: one device's sync core. It owns the device's HLC and the
// outgoing batches; it applies what peers send through a RecordApplier, logs
// and acknowledges shared changes, keeps per-owner watermarks, and exposes
// the local-write API that workloads (an indexer, a tagger) call.
//
// The engine is single-threaded and passive: it acts only when its owner
// calls it (a local write, a message, a connection event, a Tick). Time,
// identifiers and the network are reached only through the injected Clock,
// IdSource and Transport, so the simulator decides all of them.
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
#include "core/record_applier.h"
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
};

class SyncEngine {
 public:
  struct Environment {
    LibraryDb* library;      // the device's database; not owned
    const Clock* clock;      // the device's clock; not owned
    IdSource* ids;           // where new record uuids come from; not owned
    Transport* transport;    // how messages leave the device; not owned
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
  // Deletes a device-owned record (an entry with its subtree).
  Status DeleteOwned(const std::string& model, const Uuid& uuid);
  // Inserts or updates a shared record: HLC-stamped, logged, queued.
  Status WriteShared(const std::string& model, const Uuid& uuid, const nlohmann::json& data);
  Status DeleteShared(const std::string& model, const Uuid& uuid);

  // --- Events from the transport and the timer. ---

  void OnPeerConnected(const Uuid& peer);
  void OnPeerDisconnected(const Uuid& peer);
  // Decodes and handles one message. A malformed message, or one for another
  // library, is rejected whole with a Status and changes nothing.
  Status OnMessage(const Uuid& from, std::string_view payload);
  // Flushes batches that are full or have waited flush_interval_ms.
  void Tick();

  // True while local writes wait to be flushed.
  bool HasPendingWork() const { return !pending_owned_.empty() || !pending_shared_.empty(); }

  // Called for each local shared write, with the change as logged.
  // The simulator uses it to compute the last-writer-wins oracle.
  using SharedWriteObserver = std::function<void(const SharedChangeEntry&)>;
  void SetSharedWriteObserver(SharedWriteObserver observer) { shared_write_observer_ = std::move(observer); }

  const ApplyCounters& apply_counters() const { return applier_.counters(); }
  const EngineCounters& counters() const { return counters_; }
  const HlcClock& hlc() const { return hlc_; }

  // The watermark this device holds for `owner`'s records of `model`: the
  // newest version applied (empty when none).
  std::string Watermark(const Uuid& owner, const std::string& model);
  // Number of records parked in pending_dependencies.
  int64_t ParkedCount();
  // Size of the shared change log.
  int64_t SharedLogSize();

 private:
  Status WriteLocal(const std::string& model, const Uuid& uuid, const nlohmann::json& data, bool deleted,
                    bool shared);
  void FlushOwned();
  void FlushShared();
  void Send(const Uuid& peer, const Message& message);
  void HandleStateBatch(const Uuid& from, const StateBatch& batch);
  void HandleSharedChanges(const Uuid& from, const SharedChangeBatch& batch);
  void HandleAck(const Uuid& from, const AckSharedChanges& ack);
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
  EngineCounters counters_;

  SharedWriteObserver shared_write_observer_;

  // Volatile state: lost on a crash (DESIGN.md 3.5).
  std::vector<WireRecord> pending_owned_;
  int64_t pending_owned_since_ms_ = 0;
  std::vector<SharedChangeEntry> pending_shared_;
  int64_t pending_shared_since_ms_ = 0;
};

}  // namespace syncsim::core
