// One-value SQL queries against a simulated device's database, for the
// tests that look at what a cluster's devices hold.
#pragma once

#include <cstdint>
#include <string>

#include "sim/cluster/cluster.h"

namespace syncsim::testing {

// The first column of the first row of `sql` on `device`, as an integer.
// REQUIRES: the device has started (it has a database).
inline int64_t QueryInt(sim::Cluster& cluster, const std::string& device, const std::string& sql) {
  core::Statement& select = cluster.device(device).library()->sql().Prepare(sql);
  select.Step();
  const int64_t value = select.Int(0);
  select.Reset();
  return value;
}

// Records parked on `device` waiting for a missing dependency (the record
// applier's pending_dependencies table).
inline int64_t ParkedRecords(sim::Cluster& cluster, const std::string& device) {
  return QueryInt(cluster, device, "SELECT count(*) FROM pending_dependencies WHERE kind = 'record'");
}

}  // namespace syncsim::testing
