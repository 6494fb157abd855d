// RunObserver: watches a run from outside without changing it, for tools
// that replay a run to tell what happened in it (`syncsim explain`). The
// cluster calls it; a run with an observer records the same trace, and so
// has the same fingerprint, as one without.
#pragma once

#include "sim/kernel/trace.h"

namespace syncsim::sim {

class Cluster;

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // The cluster is built, its devices off. REQUIRES: the observer outlives
  // the cluster.
  virtual void OnStart(Cluster& cluster) = 0;
  // Every trace record, after it is recorded: an "event" record before its
  // action runs, a "step" record before its step; a "message" record points
  // at the message's payload (TraceRecord::payload). It must not change the
  // cluster: reading the device databases is allowed, between transactions.
  virtual void OnTraceRecord(const TraceRecord& record) = 0;
  // The run is over; the cluster is about to be destroyed.
  virtual void OnFinish(Cluster& cluster) = 0;
};

}  // namespace syncsim::sim
