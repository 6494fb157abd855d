// Workload: something devices do during a scenario (index a location,
// mutate it, tag entries, build collections). In the manner of
// FoundationDB's workloads, each has a name, registers itself, and has three
// parts: Setup (plan from the seed, before anything runs), Run (schedule its
// writes on the cluster's timeline) and Check (verify, at the end, what it
// knows it did on its own devices).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cluster/cluster.h"
#include "sim/kernel/random.h"
#include "sim/scenario/scenario.h"

namespace syncsim::sim {

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

// Everything a workload needs to build itself: the cluster it acts on, its
// scenario step, its own seed stream, and the workloads started before it
// (a mutate step finds the index step of its location there).
struct WorkloadContext {
  Cluster* cluster;
  const ScenarioStep* step;
  Random random;
  const std::vector<Workload*>* earlier;
};

using WorkloadFactory = std::function<std::unique_ptr<Workload>(const WorkloadContext&)>;

// Registers a factory under an action name; returns true so it can
// initialise a namespace-scope constant in the workload's own file.
// REQUIRES: the name is not registered yet.
bool RegisterWorkload(std::string action, WorkloadFactory factory);
// The factory for an action, or nullptr when no workload has that name.
const WorkloadFactory* FindWorkload(std::string_view action);
// Registered action names, sorted.
std::vector<std::string> RegisteredWorkloads();

}  // namespace syncsim::sim
