// storage.integrity: after every death of a device on the simulated disk
// (a power loss, a crash at an I/O point, a storage error) its database
// reopens and passes PRAGMA integrity_check. Only runs that had such a
// death get a verdict: a run without one checked nothing.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  uint64_t checks = 0;
  std::string problems;
  size_t failures = 0;
  for (const DeviceRunFacts& device : facts.devices) {
    checks += device.storage.integrity_checks;
    for (const std::string& failure : device.storage.integrity_failures) {
      ++failures;
      if (problems.size() < 2'000) problems += fmt::format("{}{}: {}", problems.empty() ? "" : "; ", device.name, failure);
    }
  }
  if (checks == 0) return;
  out->push_back({"storage.integrity", failures == 0,
                  failures == 0 ? fmt::format("all {} databases reopened after a death passed integrity_check", checks)
                                : fmt::format("{} of {} reopened databases failed: {}", failures, checks, problems)});
}

const bool kRegistered = RegisterCheck({.name = "storage.integrity",
                                        .per_device_model = false,
                                        .order = 200,
                                        .listed = 19,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
