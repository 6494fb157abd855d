#include "sim/cluster/sim_device.h"

#include "sim/cluster/host_storage_error.h"

#include <set>

#include <fmt/format.h>

#include "core/engine_registry.h"
#include "sim/base/assert.h"

namespace syncsim::sim {

void DeviceDirectory::Add(const core::Uuid& uuid, const std::string& name) {
  SYNCSIM_ASSERT(!names_.contains(uuid));
  SYNCSIM_ASSERT(!uuids_.contains(name));
  names_.emplace(uuid, name);
  uuids_.emplace(name, uuid);
  members_.push_back(uuid);
}

const std::string& DeviceDirectory::NameOf(const core::Uuid& uuid) const {
  auto found = names_.find(uuid);
  SYNCSIM_ASSERT(found != names_.end());
  return found->second;
}

const core::Uuid& DeviceDirectory::UuidOf(const std::string& name) const {
  auto found = uuids_.find(name);
  SYNCSIM_ASSERT(found != uuids_.end());
  return found->second;
}

// Carries the core's messages over the mock network, addressing peers by
// their node names.
class SimDevice::NetworkTransport : public core::Transport {
 public:
  NetworkTransport(std::string name, Network& network, const DeviceDirectory& directory)
      : name_(std::move(name)), network_(network), directory_(directory) {}

  void Send(const core::Uuid& peer, std::string_view kind, std::string payload) override {
    network_.Send(name_, directory_.NameOf(peer), std::string(kind), std::move(payload));
  }

  std::vector<core::Uuid> ConnectedPeers() const override {
    std::vector<core::Uuid> peers;
    for (const std::string& peer : network_.ConnectedPeers(name_)) peers.push_back(directory_.UuidOf(peer));
    std::sort(peers.begin(), peers.end());
    return peers;
  }

 private:
  std::string name_;
  Network& network_;
  const DeviceDirectory& directory_;
};

SimDevice::SimDevice(SimDeviceSettings settings, const core::Uuid& uuid, const core::Uuid& library_id,
                     Random id_random, Random storage_random, Scheduler* scheduler, Network* network,
                     const DeviceDirectory* directory, const core::SyncSettings* sync_settings)
    : settings_(std::move(settings)),
      uuid_(uuid),
      library_id_(library_id),
      scheduler_(*scheduler),
      network_(*network),
      directory_(*directory),
      sync_settings_(*sync_settings),
      clock_(*scheduler, settings_.clock),
      ids_(id_random),
      transport_(std::make_unique<NetworkTransport>(settings_.name, *network, *directory)),
      storage_(settings_.storage, storage_random) {
  if (scheduler_.trace() != nullptr) {
    hlc_recorder_ = std::make_unique<HlcTraceRecorder>(settings_.name, scheduler_, *scheduler_.trace());
  }
  network_.AddNode(
      settings_.name,
      [this](const Envelope& envelope) {
        // The network drops messages to a device that is down, so a delivery
        // always finds the core running.
        SYNCSIM_ASSERT(engine_ != nullptr);
        Guarded([&] {
          core::Status status = engine_->OnMessage(directory_.UuidOf(envelope.from), envelope.payload);
          if (!status.ok()) ++rejected_messages_;
        });
      },
      [this](const std::string& peer, bool /*connected*/) {
        if (engine_ == nullptr) return;
        // Notifications made at the same instant may run in any order (the
        // scheduler breaks ties from the seed), so act on the connection's
        // state now rather than on the event that announced it.
        Guarded([&] {
          if (network_.IsConnected(settings_.name, peer)) {
            engine_->OnPeerConnected(directory_.UuidOf(peer));
          } else {
            engine_->OnPeerDisconnected(directory_.UuidOf(peer));
          }
        });
      });
  network_.SetNodeUp(settings_.name, false);
}

SimDevice::~SimDevice() {
  if (tick_timer_ != 0) scheduler_.Cancel(tick_timer_);
  if (restart_timer_ != 0) scheduler_.Cancel(restart_timer_);
  engine_.reset();  // before the database it writes
}

core::Status SimDevice::Start() {
  SYNCSIM_ASSERT(engine_ == nullptr);
  if (core::Status status = storage_.Open(); !status.ok()) return status;
  const core::EngineFactory make_engine = core::FindEngine(sync_settings_.engine);
  SYNCSIM_ASSERT(make_engine != nullptr);  // the loader accepts registered names only
  engine_ = make_engine(core::EngineSetup{.library = storage_.library(),
                                          .clock = &clock_,
                                          .ids = &ids_,
                                          .transport = transport_.get(),
                                          .hlc_observer = hlc_recorder_.get(),
                                          .device = uuid_,
                                          .library_id = library_id_,
                                          .device_name = settings_.name,
                                          .settings = &sync_settings_,
                                          .members = directory_.Members()});
  engine_->SetSharedWriteObserver([this](const core::SharedChangeEntry& change) {
    if (guarded_call_running_) {
      observed_writes_.push_back(change);
    } else if (shared_write_observer_) {
      shared_write_observer_(change);  // a test's direct write: nothing to undo
    }
  });
  engine_->SetEventObserver([this](const core::EngineEvent& event) { RecordEngineEvent(event); });
  // Faults are disarmed while the engine resumes: a restart always
  // succeeds, so that a run cannot stall on a device that never comes back.
  // (Open disarms them only when it opens the database; a plain crash
  // keeps the connection open.)
  storage_.ArmFaults(false);
  engine_->Start();
  if (verify_acked_on_start_) VerifyAckedChanges();
  storage_.ArmFaults(true);
  network_.SetNodeUp(settings_.name, true);
  // Connections opened while the device was off, and those a crash closed,
  // are (re)opened now, so that both ends start fresh sessions.
  std::set<std::string> peers(reconnect_after_restart_.begin(), reconnect_after_restart_.end());
  for (const std::string& peer : network_.ConnectedPeers(settings_.name)) peers.insert(peer);
  reconnect_after_restart_.clear();
  for (const std::string& peer : peers) {
    network_.Disconnect(settings_.name, peer);
    network_.Connect(settings_.name, peer);
  }
  tick_timer_ = scheduler_.ScheduleEvery(scheduler_.now_us() + settings_.tick_period_us, settings_.tick_period_us,
                                         "tick " + settings_.name, [this] { Guarded([this] { engine_->Tick(); }); });
  return core::Status::Ok();
}

void SimDevice::StopEngine(bool database_readable) {
  SYNCSIM_ASSERT(engine_ != nullptr);
  scheduler_.Cancel(tick_timer_);
  tick_timer_ = 0;
  counters_before_crash_ += engine_->counters();
  apply_counters_before_crash_ += engine_->apply_counters();
  // After a storage failure SQLite may refuse even reads, or read what the
  // failed sync took back, until the connection is reopened: unknown then
  // (see newest_change_hlc()).
  newest_change_hlc_at_crash_.reset();
  if (database_readable) newest_change_hlc_at_crash_ = engine_->NewestChangeHlc();
  engine_.reset();
  observed_writes_.clear();
  // Peers see the connection drop; the device reconnects when it restarts.
  reconnect_after_restart_ = network_.ConnectedPeers(settings_.name);
  for (const std::string& peer : reconnect_after_restart_) network_.Disconnect(settings_.name, peer);
  network_.SetNodeUp(settings_.name, false);
}

void SimDevice::Crash(const CrashSettings& crash) {
  if (restart_timer_ != 0) {
    scheduler_.Cancel(restart_timer_);
    restart_timer_ = 0;
  }
  if (crash.at_io > 0 && engine_ != nullptr) {
    SYNCSIM_ASSERT(storage_.vfs() != nullptr);  // the loader refuses at_io without the fault VFS
    armed_crash_ = crash;
    storage_.vfs()->ArmPowerLossAt(crash.at_io, [] {});
    TraceStorage(fmt::format("crash armed at I/O {}{}", crash.at_io, crash.power_loss ? " with power loss" : ""));
    return;
  }
  armed_crash_.reset();
  // A countdown armed by an earlier crash that never struck must not
  // outlive it and strike inside the restart.
  if (storage_.vfs() != nullptr) storage_.vfs()->DisarmPowerLoss();
  if (engine_ != nullptr) StopEngine(/*database_readable=*/true);
  if (crash.power_loss) {
    storage_.Die(/*power_loss=*/true);
    NoteDeath("a power loss");
  }
}

core::Status SimDevice::TurnOn() {
  if (armed_crash_.has_value()) {
    // The I/O point was never reached: the crash strikes at the restart.
    CrashSettings crash = *armed_crash_;
    crash.at_io = 0;
    Crash(crash);
  }
  if (restart_timer_ != 0) {
    scheduler_.Cancel(restart_timer_);
    restart_timer_ = 0;
  }
  return is_on() ? core::Status::Ok() : Start();
}

core::Status SimDevice::Write(const std::function<core::Status(core::Engine&)>& write) {
  core::Status status;
  if (!Guarded([&] { status = write(*engine_); })) return core::Status::IoError(settings_.name + ": storage failed");
  return status;
}

bool SimDevice::Guarded(const std::function<void()>& call) {
  SYNCSIM_ASSERT(engine_ != nullptr);
  SYNCSIM_ASSERT(!guarded_call_running_);  // the engine never calls back into the device
  guarded_call_running_ = true;
  try {
    call();
  } catch (const core::StorageError& error) {
    guarded_call_running_ = false;
    OnStorageError(error);
    return false;
  }
  guarded_call_running_ = false;
  for (const core::SharedChangeEntry& change : observed_writes_) {
    if (shared_write_observer_) shared_write_observer_(change);
  }
  observed_writes_.clear();
  return true;
}

void SimDevice::OnStorageError(const core::StorageError& error) {
  FaultVfs* vfs = storage_.vfs();
  if (vfs == nullptr) {
    // Not the simulated disk: the host's own (a full disk under --db-dir).
    throw HostStorageError(fmt::format("{}: the disk failed under device {}'s database: {}",
                                       storage_.settings().database_path, settings_.name, error.what()));
  }
  StopEngine(/*database_readable=*/false);
  if (vfs->power_is_cut() && armed_crash_.has_value()) {
    // The armed crash struck inside the engine's transaction.
    const bool power_loss = armed_crash_->power_loss;
    armed_crash_.reset();
    ++crashes_at_io_;
    storage_.Die(power_loss);
    NoteDeath(power_loss ? "a power loss at an I/O point" : "a crash at an I/O point");
    return;
  }
  // The app saw its disk fail: it stops, and comes back a moment later.
  ++storage_errors_;
  storage_.Die(/*power_loss=*/false);
  NoteDeath("a storage error");
  TraceStorage(fmt::format("storage error ({}): restart in {} ms", error.what(), settings_.restart_after_error_us / 1000));
  restart_timer_ = scheduler_.ScheduleAfter(settings_.restart_after_error_us, "restart " + settings_.name, [this] {
    restart_timer_ = 0;
    if (is_on()) return;
    core::Status status = Start();
    SYNCSIM_ASSERT(status.ok());  // faults are disarmed while a device opens its database
  });
}

void SimDevice::NoteDeath(const std::string& what) {
  verify_acked_on_start_ = true;
  last_death_ = fmt::format("{} at {} ms", what, scheduler_.now_us() / 1000);
  TraceStorage(what);
}

void SimDevice::VerifyAckedChanges() {
  verify_acked_on_start_ = false;
  for (const std::string& change : acked_changes_) {
    ++acked_changes_verified_;
    if (engine_->HoldsChange(change)) continue;
    lost_acked_changes_.push_back(fmt::format("{} acked {} as durable, and lost it in {}", settings_.name, change,
                                              last_death_));
  }
}

void SimDevice::TraceStorage(const std::string& detail) {
  if (scheduler_.trace() == nullptr) return;
  scheduler_.trace()->Record(
      TraceRecord{.time_us = scheduler_.now_us(), .kind = "storage", .source = settings_.name, .detail = detail});
}

void SimDevice::RecordEngineEvent(const core::EngineEvent& event) {
  // Durable acks are many (one per change per batch): kept as a set for
  // VerifyAckedChanges, not traced (the trace says which batches were acked).
  if (event.kind == "durable_ack") {
    acked_changes_.insert(event.change);
    return;
  }
  engine_events_.push_back({scheduler_.now_us(), event});
  if (scheduler_.trace() == nullptr) return;
  scheduler_.trace()->Record(TraceRecord{.time_us = scheduler_.now_us(),
                                         .kind = "engine",
                                         .source = settings_.name,
                                         .detail = fmt::format("{} term={} seq={} change={}", event.kind, event.term,
                                                               event.seq, event.change)});
}

core::EngineCounters SimDevice::counters() const {
  core::EngineCounters total = counters_before_crash_;
  if (engine_ != nullptr) total += engine_->counters();
  return total;
}

core::ApplyCounters SimDevice::apply_counters() const {
  core::ApplyCounters total = apply_counters_before_crash_;
  if (engine_ != nullptr) total += engine_->apply_counters();
  return total;
}

std::optional<std::string> SimDevice::newest_change_hlc() {
  SYNCSIM_ASSERT(storage_.library() != nullptr);
  return engine_ != nullptr ? engine_->NewestChangeHlc() : newest_change_hlc_at_crash_;
}

core::Engine& SimDevice::engine() {
  SYNCSIM_ASSERT(engine_ != nullptr);
  return *engine_;
}

}  // namespace syncsim::sim
