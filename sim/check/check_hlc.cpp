// invariant.hlc: each device's clock is at or past every change in its own
// shared log (the newest change is read by the runner: RunFacts::devices).
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  std::string problems;
  for (const DeviceRunFacts& device : facts.devices) {
    if (device.newest_change_hlc.has_value() && *device.newest_change_hlc > device.database.hlc) {
      problems += fmt::format("{}: log holds {} beyond its clock {}; ", device.name, *device.newest_change_hlc,
                              device.database.hlc);
    }
  }
  out->push_back(
      {"invariant.hlc", problems.empty(), problems.empty() ? std::string("every log is behind its clock") : problems});
}

const bool kRegistered = RegisterCheck({.name = "invariant.hlc",
                                        .per_device_model = false,
                                        .order = 140,
                                        .listed = 10,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
