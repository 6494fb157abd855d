// SimDevice: one simulated device: its library database, its sync core, its
// own clock and id stream, and the adapter that carries the core's messages
// over the mock network. It also owns the device's periodic sync timer.
//
// A device can be off (not started yet, or crashed). Crashing throws away
// the sync core and everything volatile in it (batches, buffers, timers);
// the database survives (what of it was durable, after a power loss), and
// Restart builds a new core over it.
//
// Every call into the engine goes through the device, which catches the
// storage's failures (core/storage_error.h): the engine is destroyed as in
// a crash, the database reopened, and the device restarts by itself after
// the scenario's storage.restart_after_error_ms. A crash armed at an I/O
// point strikes the same way, from inside the engine's transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/library_db.h"
#include "core/storage_error.h"
#include "core/sync_settings.h"
#include "core/transport.h"
#include "sim/check/engine_events.h"
#include "sim/cluster/device_storage.h"
#include "sim/cluster/seeded_id_source.h"
#include "sim/kernel/device_clock.h"
#include "sim/kernel/hlc_trace.h"
#include "sim/kernel/network.h"
#include "sim/kernel/scheduler.h"

namespace syncsim::sim {

// Maps device uuids to network node names and back, for every device of a
// cluster. Owned by the cluster; devices read it.
class DeviceDirectory {
 public:
  void Add(const core::Uuid& uuid, const std::string& name);
  const std::string& NameOf(const core::Uuid& uuid) const;
  const core::Uuid& UuidOf(const std::string& name) const;
  bool Contains(const std::string& name) const { return uuids_.contains(name); }
  // Every device's uuid in the order added (the scenario's: the creator
  // first).
  const std::vector<core::Uuid>& Members() const { return members_; }

 private:
  std::vector<core::Uuid> members_;
  std::map<core::Uuid, std::string> names_;
  std::map<std::string, core::Uuid> uuids_;
};

struct SimDeviceSettings {
  std::string name;
  DeviceClockSettings clock;
  DeviceStorageSettings storage;
  // How long the device stays down after a storage error, virtual time.
  int64_t restart_after_error_us = 1'000'000;
  // How often the sync loop runs (flushes, later retries), virtual time.
  int64_t tick_period_us = 10'000;
};

// A crash as a step asks for it (sim/faults/crash.cpp).
struct CrashSettings {
  // The disk loses, keeps or tears every write not yet synced.
  bool power_loss = false;
  // 0: now. N: at the device's N-th write or sync of its database from
  // now, inside whatever transaction is running (fault VFS only).
  uint64_t at_io = 0;
};

class SimDevice {
 public:
  // `scheduler`, `network`, `directory` and `sync_settings` must outlive the
  // device. `id_random` is the device's own id stream, `storage_random`
  // its disk's. The device is off until Start().
  SimDevice(SimDeviceSettings settings, const core::Uuid& uuid, const core::Uuid& library_id, Random id_random,
            Random storage_random, Scheduler* scheduler, Network* network, const DeviceDirectory* directory,
            const core::SyncSettings* sync_settings);
  ~SimDevice();
  SimDevice(const SimDevice&) = delete;
  SimDevice& operator=(const SimDevice&) = delete;

  // Opens the database (created on first start), starts the core, brings the
  // network node up and starts the sync timer. Returns the database's Status.
  // REQUIRES: the device is off.
  core::Status Start();
  // Loses all volatile state: the core, its batches, its timer; its
  // connections close (peers are told) and the network drops messages to it
  // until Restart, which opens them again. REQUIRES: the device is on.
  void Crash() { Crash(CrashSettings{}); }
  // A crash as `crash` describes: now, or armed for an I/O point (the
  // device runs on until then, or until TurnOn). On a device that is off
  // already (restarting after a storage error) it cancels that restart;
  // a power loss still strikes its disk.
  void Crash(const CrashSettings& crash);
  // Start() after a Crash(): resumes from the database.
  core::Status Restart() { return Start(); }
  // What a start or restart step does: a crash still armed strikes now,
  // a pending restart after a storage error is cancelled, and the device
  // starts unless it is on.
  core::Status TurnOn();

  // A workload's local write through one of the engine's four write
  // methods, guarded: the engine's Status, or IoError when the storage
  // failed under it (the device is then off; retry when it is on again).
  // REQUIRES: is_on().
  core::Status Write(const std::function<core::Status(core::Engine&)>& write);

  bool is_on() const { return engine_ != nullptr; }
  // Off after a storage error, with its restart due.
  bool restarting() const { return restart_timer_ != 0; }
  const std::string& name() const { return settings_.name; }
  const core::Uuid& uuid() const { return uuid_; }
  DeviceClock& clock() { return clock_; }
  // The engine `sync.engine` names. REQUIRES: is_on().
  core::Engine& engine();
  // The database; valid while on, and after a crash too (it survives).
  core::LibraryDb* library() { return storage_.library(); }
  DeviceStorage& storage() { return storage_; }
  // Storage errors the engine met (each restarted the device).
  uint64_t storage_errors() const { return storage_errors_; }
  // Crashes that struck at an I/O point.
  uint64_t crashes_at_io() const { return crashes_at_io_; }
  // Changes the engine acked as durable ("durable_ack" events, core/engine.h).
  size_t durable_acks() const { return acked_changes_.size(); }
  // Acked changes looked for after restarts that followed a death (a crash
  // at an I/O point, a storage error, a power loss), and those missing:
  // one line each, in time order.
  uint64_t acked_changes_verified() const { return acked_changes_verified_; }
  const std::vector<std::string>& lost_acked_changes() const { return lost_acked_changes_; }
  // Installed on the core at every start (the core is rebuilt on restart).
  // Told only of writes whose transaction committed.
  void SetSharedWriteObserver(core::Engine::SharedWriteObserver observer) {
    shared_write_observer_ = std::move(observer);
  }
  // The core's counters summed over every start of the device.
  core::EngineCounters counters() const;
  // The record applier's counters, summed the same way.
  core::ApplyCounters apply_counters() const;
  // The newest HLC of the shared change log, as the engine reports it; for
  // a crashed device, as its engine reported it at the crash (nothing
  // writes the database while the device is off), or empty when the crash
  // came from a storage failure (SQLite then refuses to read; the device
  // answers again once restarted).
  // REQUIRES: the device has started at least once.
  std::optional<std::string> newest_change_hlc();
  // Every EngineEvent its engines reported, over every start, in order.
  const std::vector<RecordedEngineEvent>& engine_events() const { return engine_events_; }
  // Messages the core rejected as malformed.
  uint64_t rejected_messages() const { return rejected_messages_; }

 private:
  class NetworkTransport;
  void RecordEngineEvent(const core::EngineEvent& event);
  // Runs `call` on the engine; a StorageError ends the engine (a crash if
  // an armed crash struck, else a restart later). Returns false then.
  // REQUIRES: is_on().
  bool Guarded(const std::function<void()>& call);
  void OnStorageError(const core::StorageError& error);
  // The volatile part of a crash: the engine, its timer, its connections.
  // `database_readable`: false after a storage failure.
  void StopEngine(bool database_readable);
  void TraceStorage(const std::string& detail);
  // Records a death (what it was) for the next start's VerifyAckedChanges.
  void NoteDeath(const std::string& what);
  // After a restart that followed a death: every change acked as durable
  // before must still be here.
  void VerifyAckedChanges();

  SimDeviceSettings settings_;
  const core::Uuid uuid_;
  const core::Uuid library_id_;
  Scheduler& scheduler_;
  Network& network_;
  const DeviceDirectory& directory_;
  const core::SyncSettings& sync_settings_;
  DeviceClock clock_;
  SeededIdSource ids_;
  std::unique_ptr<NetworkTransport> transport_;
  // Traces every HLC the core issues; null when the scheduler has no trace.
  std::unique_ptr<HlcTraceRecorder> hlc_recorder_;
  DeviceStorage storage_;
  std::unique_ptr<core::Engine> engine_;
  core::Engine::SharedWriteObserver shared_write_observer_;
  // Shared writes the engine reported during the call running; told to
  // shared_write_observer_ when the call returns, dropped when the storage
  // failed under it (the write did not happen).
  std::vector<core::SharedChangeEntry> observed_writes_;
  bool guarded_call_running_ = false;
  std::optional<CrashSettings> armed_crash_;
  Scheduler::EventId restart_timer_ = 0;  // the restart after a storage error
  uint64_t storage_errors_ = 0;
  uint64_t crashes_at_io_ = 0;
  std::set<std::string> acked_changes_;
  bool verify_acked_on_start_ = false;  // a death happened since the last start
  std::string last_death_;              // what it was, for the lines below
  uint64_t acked_changes_verified_ = 0;
  std::vector<std::string> lost_acked_changes_;
  Scheduler::EventId tick_timer_ = 0;
  uint64_t rejected_messages_ = 0;
  std::vector<RecordedEngineEvent> engine_events_;
  core::EngineCounters counters_before_crash_;  // of the cores that crashed
  core::ApplyCounters apply_counters_before_crash_;
  std::optional<std::string> newest_change_hlc_at_crash_;
  std::vector<std::string> reconnect_after_restart_;  // peers connected when the device crashed
};

}  // namespace syncsim::sim
