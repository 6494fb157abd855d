// Cluster: a set of simulated devices of one library on one mock network,
// driven by one scheduler, all seeded from one root seed. It is the smallest
// in-process way to run several sync cores against each other; the scenario
// runner builds on it.
//
// Seed streams (DESIGN.md 2): "scheduler" (tie breaks), "network" (latency,
// drops, duplicates), "library" (the library id), "device/<name>" (a
// device's uuid), "ids/<name>" (the record ids a device creates), and
// "workload/<label>" for each workload. A new stream shifts no other.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/sync_settings.h"
#include "sim/check/convergence.h"
#include "sim/cluster/last_writer_wins_oracle.h"
#include "sim/cluster/run_observer.h"
#include "sim/cluster/sim_device.h"
#include "sim/kernel/network.h"
#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/trace.h"

namespace syncsim::sim {

struct ClusterSettings {
  uint64_t seed = 1;
  std::vector<SimDeviceSettings> devices;
  LinkSettings link;
  core::SyncSettings sync;
  uint64_t events_max = 50'000'000;
  bool random_tie_break = true;
  // Watches the run without changing it (syncsim explain); not owned.
  RunObserver* observer = nullptr;
};

class Cluster {
 public:
  // Builds every device (off) and the network. REQUIRES: device names are
  // distinct.
  explicit Cluster(ClusterSettings settings);
  // Tells the observer, if any, that the run is over.
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  Scheduler& scheduler() { return scheduler_; }
  Network& network() { return network_; }
  Trace& trace() { return trace_; }
  const SeedStreams& streams() const { return streams_; }
  const ClusterSettings& settings() const { return settings_; }
  const core::Uuid& library_id() const { return library_id_; }
  const DeviceDirectory& directory() const { return directory_; }

  // REQUIRES: a device of that name exists.
  SimDevice& device(const std::string& name);
  const std::vector<std::unique_ptr<SimDevice>>& devices() const { return devices_; }

  // Starts every device. Returns the first failure.
  core::Status StartAll();
  // Connects every pair among `names`.
  void ConnectAll(const std::vector<std::string>& names);

  // Work that keeps the cluster from being quiescent (a workload that has
  // not finished). Workloads call Begin when they start and End when done.
  void BeginWork() { ++active_work_; }
  void EndWork();

  // True when nothing left can happen without a fault ending: no workload
  // is active, no message is in flight, no connection notice is pending, no
  // running device has unflushed local writes, and no device has work in
  // progress with a peer it can reach both ways. Work with a peer that is
  // down, disconnected or partitioned away, and copies held by a partition,
  // wait for a restart, connect or heal: devices apart are quiescent.
  bool Quiescent() const;
  // True when `a` and `b` can exchange messages both ways now (both up,
  // connected, not cut by a partition in either direction).
  // REQUIRES: both devices exist.
  bool Reachable(const std::string& a, const std::string& b) const;
  // True when some two running devices cannot reach each other, or some
  // device is off: replicas may legitimately disagree.
  bool Apart() const;
  // The last-writer-wins oracle (sim/cluster/last_writer_wins_oracle.h):
  // for every shared record any device ever wrote, the value every device
  // must end with (nullopt when it must not exist).
  SharedOracle Oracle() const;

  // Runs events until Quiescent() or until virtual time passes
  // `time_us_max`. Returns true when quiescent.
  bool RunUntilQuiescent(int64_t time_us_max);

 private:
  ClusterSettings settings_;
  SeedStreams streams_;
  Trace trace_;
  Scheduler scheduler_;
  Network network_;
  core::Uuid library_id_;
  DeviceDirectory directory_;
  std::vector<std::unique_ptr<SimDevice>> devices_;
  int64_t active_work_ = 0;
  LastWriterWinsOracle oracle_;
};

// A uuid drawn from a stream, for ids the cluster assigns (library, devices).
core::Uuid UuidFromStream(Random random);

}  // namespace syncsim::sim
