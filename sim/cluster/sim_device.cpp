#include "sim/cluster/sim_device.h"

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
                     Random id_random, Scheduler* scheduler, Network* network, const DeviceDirectory* directory,
                     const core::SyncSettings* sync_settings)
    : settings_(std::move(settings)),
      uuid_(uuid),
      library_id_(library_id),
      scheduler_(*scheduler),
      network_(*network),
      directory_(*directory),
      sync_settings_(*sync_settings),
      clock_(*scheduler, settings_.clock),
      ids_(id_random),
      transport_(std::make_unique<NetworkTransport>(settings_.name, *network, *directory)) {
  if (scheduler_.trace() != nullptr) {
    hlc_recorder_ = std::make_unique<HlcTraceRecorder>(settings_.name, scheduler_, *scheduler_.trace());
  }
  network_.AddNode(
      settings_.name,
      [this](const Envelope& envelope) {
        // The network drops messages to a device that is down, so a delivery
        // always finds the core running.
        SYNCSIM_ASSERT(engine_ != nullptr);
        core::Status status = engine_->OnMessage(directory_.UuidOf(envelope.from), envelope.payload);
        if (!status.ok()) ++rejected_messages_;
      },
      [this](const std::string& peer, bool /*connected*/) {
        if (engine_ == nullptr) return;
        // Notifications made at the same instant may run in any order (the
        // scheduler breaks ties from the seed), so act on the connection's
        // state now rather than on the event that announced it.
        if (network_.IsConnected(settings_.name, peer)) {
          engine_->OnPeerConnected(directory_.UuidOf(peer));
        } else {
          engine_->OnPeerDisconnected(directory_.UuidOf(peer));
        }
      });
  network_.SetNodeUp(settings_.name, false);
}

SimDevice::~SimDevice() {
  if (tick_timer_ != 0) scheduler_.Cancel(tick_timer_);
}

core::Status SimDevice::Start() {
  SYNCSIM_ASSERT(engine_ == nullptr);
  if (library_ == nullptr) {
    core::Status status = core::LibraryDb::Open(settings_.database_path, core::ModelRegistry::Default(), &library_);
    if (!status.ok()) return status;
    // A simulated crash does not end the process, so the database never
    // needs recovery, and the core never abandons a transaction: the
    // journal would only cost time (most of a small transaction's).
    library_->sql().DisableRollbackJournal();
  }
  const core::EngineFactory make_engine = core::FindEngine(sync_settings_.engine);
  SYNCSIM_ASSERT(make_engine != nullptr);  // the loader accepts registered names only
  engine_ = make_engine(core::EngineSetup{.library = library_.get(),
                                          .clock = &clock_,
                                          .ids = &ids_,
                                          .transport = transport_.get(),
                                          .hlc_observer = hlc_recorder_.get(),
                                          .device = uuid_,
                                          .library_id = library_id_,
                                          .device_name = settings_.name,
                                          .settings = &sync_settings_,
                                          .members = directory_.Members()});
  if (shared_write_observer_) engine_->SetSharedWriteObserver(shared_write_observer_);
  engine_->SetEventObserver([this](const core::EngineEvent& event) { RecordEngineEvent(event); });
  engine_->Start();
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
                                         "tick " + settings_.name, [this] { engine_->Tick(); });
  return core::Status::Ok();
}

void SimDevice::Crash() {
  SYNCSIM_ASSERT(engine_ != nullptr);
  scheduler_.Cancel(tick_timer_);
  tick_timer_ = 0;
  counters_before_crash_ += engine_->counters();
  apply_counters_before_crash_ += engine_->apply_counters();
  newest_change_hlc_at_crash_ = engine_->NewestChangeHlc();
  engine_.reset();
  // Peers see the connection drop; the device reconnects when it restarts.
  reconnect_after_restart_ = network_.ConnectedPeers(settings_.name);
  for (const std::string& peer : reconnect_after_restart_) network_.Disconnect(settings_.name, peer);
  network_.SetNodeUp(settings_.name, false);
}

void SimDevice::RecordEngineEvent(const core::EngineEvent& event) {
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
  SYNCSIM_ASSERT(library_ != nullptr);
  return engine_ != nullptr ? engine_->NewestChangeHlc() : newest_change_hlc_at_crash_;
}

core::Engine& SimDevice::engine() {
  SYNCSIM_ASSERT(engine_ != nullptr);
  return *engine_;
}

}  // namespace syncsim::sim
