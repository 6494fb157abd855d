#include "sim/cluster/cluster.h"

#include "sim/base/assert.h"

namespace syncsim::sim {

core::Uuid UuidFromStream(Random random) {
  const uint64_t high = random.NextU64();
  const uint64_t low = random.NextU64();
  return core::Uuid::FromRandomBits(high, low);
}

Cluster::Cluster(ClusterSettings settings)
    : settings_(std::move(settings)),
      streams_(settings_.seed),
      scheduler_(SchedulerSettings{.events_max = settings_.events_max, .random_tie_break = settings_.random_tie_break},
                 streams_.Stream("scheduler"), &trace_),
      network_(scheduler_, streams_.Stream("network"), trace_, settings_.link),
      library_id_(UuidFromStream(streams_.Stream("library"))) {
  for (const SimDeviceSettings& device : settings_.devices) {
    SYNCSIM_ASSERT(!directory_.Contains(device.name));
    directory_.Add(UuidFromStream(streams_.Stream("device/" + device.name)), device.name);
  }
  for (const SimDeviceSettings& device : settings_.devices) {
    devices_.push_back(std::make_unique<SimDevice>(device, directory_.UuidOf(device.name), library_id_,
                                                   streams_.Stream("ids/" + device.name),
                                                   streams_.Stream("storage/" + device.name), &scheduler_, &network_,
                                                   &directory_, &settings_.sync));
    devices_.back()->SetSharedWriteObserver(
        [this](const core::SharedChangeEntry& change) { oracle_.Observe(change); });
  }
  if (RunObserver* observer = settings_.observer; observer != nullptr) {
    trace_.SetObserver([observer](const TraceRecord& record) { observer->OnTraceRecord(record); });
    observer->OnStart(*this);
  }
}

Cluster::~Cluster() {
  if (settings_.observer != nullptr) settings_.observer->OnFinish(*this);
}

SharedOracle Cluster::Oracle() const { return oracle_.Values(); }

SimDevice& Cluster::device(const std::string& name) {
  for (const auto& device : devices_) {
    if (device->name() == name) return *device;
  }
  SYNCSIM_ASSERT(false && "no device of that name");
  std::abort();
}

core::Status Cluster::StartAll() {
  for (const auto& device : devices_) {
    if (device->is_on()) continue;
    core::Status status = device->Start();
    if (!status.ok()) return status;
  }
  return core::Status::Ok();
}

void Cluster::ConnectAll(const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = i + 1; j < names.size(); ++j) network_.Connect(names[i], names[j]);
  }
}

void Cluster::EndWork() {
  SYNCSIM_ASSERT(active_work_ > 0);
  --active_work_;
}

bool Cluster::Quiescent() const {
  if (active_work_ > 0) return false;
  // Held copies are not counted: only a heal moves them.
  if (network_.in_flight() > 0) return false;
  // A (re)connection not yet announced still has its exchange to run.
  if (network_.notifications_pending() > 0) return false;
  for (const auto& device : devices_) {
    // A device down after a storage error comes back by itself.
    if (device->restarting()) return false;
    if (!device->is_on()) continue;
    if (device->engine().HasUnflushedWrites()) return false;
    for (const core::PeerStatus& status : device->engine().PeerStatuses()) {
      if (status.pending_work && Reachable(device->name(), directory_.NameOf(status.peer))) return false;
    }
  }
  return true;
}

bool Cluster::Reachable(const std::string& a, const std::string& b) const {
  return network_.CanDeliver(a, b) && network_.CanDeliver(b, a);
}

bool Cluster::Apart() const {
  for (size_t i = 0; i < devices_.size(); ++i) {
    if (!devices_[i]->is_on()) return true;
    for (size_t j = i + 1; j < devices_.size(); ++j) {
      if (devices_[j]->is_on() && !Reachable(devices_[i]->name(), devices_[j]->name())) return true;
    }
  }
  return false;
}

bool Cluster::RunUntilQuiescent(int64_t time_us_max) {
  scheduler_.RunWhile([this] { return !Quiescent(); }, time_us_max);
  return Quiescent();
}

}  // namespace syncsim::sim
