// Workload: something devices do during a scenario (index a location,
// mutate it, tag entries, build collections). In the manner of
// FoundationDB's workloads, each has a name, registers itself, and has three
// parts: Setup (plan from the seed, before anything runs), Run (schedule its
// writes on the cluster's timeline) and Check (verify, at the end, what it
// knows it did on its own devices). Its action (sim/action/action.h), in
// the same file, parses the step into the workload's settings and starts
// it; a workload never sees the scenario.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sim/base/assert.h"
#include "sim/cluster/cluster.h"
#include "sim/kernel/random.h"

namespace syncsim::sim {

// The Status of one of a workload's local writes (SimDevice::Write): true
// when it was written; false when the device's storage failed under it
// (the device is then off until it restarts, and the workload runs the
// same step again once it is on). Any other failure is a bug of the
// workload's plan.
inline bool Written(const core::Status& status) {
  if (status.code() == core::Status::Code::kIoError) return false;
  SYNCSIM_ASSERT(status.ok());
  return true;
}

class Workload {
 public:
  virtual ~Workload() = default;
  virtual std::string_view name() const = 0;
  // Plans from the workload's seed stream. Runs before the first event.
  virtual void Setup() = 0;
  // Schedules the workload from the current virtual time. Marks the cluster
  // busy (Cluster::BeginWork) until done.
  virtual void Run() = 0;
  virtual bool done() const = 0;
  // Problems found on the devices the workload wrote to (an empty list when
  // all is well). Called once, after the run.
  virtual std::vector<std::string> Check() = 0;
};

}  // namespace syncsim::sim
