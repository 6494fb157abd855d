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

}  // namespace syncsim::testing
