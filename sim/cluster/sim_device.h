// SimDevice: one simulated device: its library database, its sync core, its
// own clock and id stream, and the adapter that carries the core's messages
// over the mock network. It also owns the device's periodic sync timer.
//
// A device can be off (not started yet, or crashed). Crashing throws away
// the sync core and everything volatile in it (batches, buffers, timers);
// the database survives, and Restart builds a new core over it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/library_db.h"
#include "core/engine.h"
#include "core/sync_settings.h"
#include "core/transport.h"
#include "sim/check/engine_events.h"
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
  // Path of the device's database file, or ":memory:".
  std::string database_path = ":memory:";
  // How often the sync loop runs (flushes, later retries), virtual time.
  int64_t tick_period_us = 10'000;
};

class SimDevice {
 public:
  // `scheduler`, `network`, `directory` and `sync_settings` must outlive the
  // device. `id_random` is the device's own id stream. The device is off
  // until Start().
  SimDevice(SimDeviceSettings settings, const core::Uuid& uuid, const core::Uuid& library_id, Random id_random,
            Scheduler* scheduler, Network* network, const DeviceDirectory* directory,
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
  void Crash();
  // Start() after a Crash(): resumes from the database.
  core::Status Restart() { return Start(); }

  bool is_on() const { return engine_ != nullptr; }
  const std::string& name() const { return settings_.name; }
  const core::Uuid& uuid() const { return uuid_; }
  DeviceClock& clock() { return clock_; }
  // The engine `sync.engine` names. REQUIRES: is_on().
  core::Engine& engine();
  // The database; valid while on, and after a crash too (it survives).
  core::LibraryDb* library() { return library_.get(); }
  // Installed on the core at every start (the core is rebuilt on restart).
  void SetSharedWriteObserver(core::Engine::SharedWriteObserver observer) {
    shared_write_observer_ = std::move(observer);
    if (engine_ != nullptr) engine_->SetSharedWriteObserver(shared_write_observer_);
  }
  // The core's counters summed over every start of the device.
  core::EngineCounters counters() const;
  // The record applier's counters, summed the same way.
  core::ApplyCounters apply_counters() const;
  // The newest HLC of the shared change log, as the engine reports it; for
  // a crashed device, as its engine reported it at the crash (nothing
  // writes the database while the device is off).
  // REQUIRES: the device has started at least once.
  std::optional<std::string> newest_change_hlc();
  // Every EngineEvent its engines reported, over every start, in order.
  const std::vector<RecordedEngineEvent>& engine_events() const { return engine_events_; }
  // Messages the core rejected as malformed.
  uint64_t rejected_messages() const { return rejected_messages_; }

 private:
  class NetworkTransport;
  void RecordEngineEvent(const core::EngineEvent& event);

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
  std::unique_ptr<core::LibraryDb> library_;
  std::unique_ptr<core::Engine> engine_;
  core::Engine::SharedWriteObserver shared_write_observer_;
  Scheduler::EventId tick_timer_ = 0;
  uint64_t rejected_messages_ = 0;
  std::vector<RecordedEngineEvent> engine_events_;
  core::EngineCounters counters_before_crash_;  // of the cores that crashed
  core::ApplyCounters apply_counters_before_crash_;
  std::optional<std::string> newest_change_hlc_at_crash_;
  std::vector<std::string> reconnect_after_restart_;  // peers connected when the device crashed
};

}  // namespace syncsim::sim
