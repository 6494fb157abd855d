// ActionRun: what a step reaches while it runs, given by the runner: the
// cluster, the scenario's network, the timeline (wait for quiescence,
// write a snapshot) and the workloads (start one, find earlier ones).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "sim/cluster/cluster.h"
#include "sim/kernel/network.h"
#include "sim/kernel/random.h"

namespace syncsim::sim {

class Workload;

class ActionRun {
 public:
  virtual ~ActionRun() = default;

  virtual Cluster& cluster() = 0;
  // The link settings of the scenario's `network` object: what a
  // set_network step without a link changes from.
  virtual LinkSettings scenario_link() const = 0;

  // Runs the cluster until it is quiescent or `max_ms` of virtual time
  // passed, watching for stalls.
  virtual void RunUntilQuiescent(int64_t max_ms) = 0;
  // Writes the snapshot of `phase`. Returns IoError when a file cannot be
  // written.
  virtual core::Status WritePhase(const std::string& phase) = 0;

  // The seed stream of the workload this step starts: a stream of its own
  // per workload step ("workload/ACTION/ORDINAL"), so that adding a step
  // never shifts another's draws. Called once per workload step.
  virtual Random NewWorkloadStream() = 0;
  // Sets up and runs `workload`; the runner owns it from now on and checks
  // it at the end. REQUIRES: workload != nullptr.
  virtual void StartWorkload(std::unique_ptr<Workload> workload) = 0;
  // The workloads earlier steps started, in step order.
  virtual const std::vector<Workload*>& workloads() const = 0;
};

}  // namespace syncsim::sim
