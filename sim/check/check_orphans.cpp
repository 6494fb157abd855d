// orphans_max: no device holds more non-root entries without a parent row
// than this; the device with the most is named.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  if (!facts.expect.orphans_max.has_value()) return;
  int64_t most = 0;
  std::string device_name;  // the first device with the most
  for (const DeviceRunFacts& device : facts.devices) {
    if (device.database.orphans > most) {
      most = device.database.orphans;
      device_name = device.name;
    }
  }
  const int64_t orphans_max = *facts.expect.orphans_max;
  out->push_back({"orphans_max", most <= orphans_max,
                  most == 0 ? std::string("no orphans")
                            : fmt::format("{} orphans on {} (max {})", most, device_name, orphans_max)});
}

const bool kRegistered = RegisterCheck({.name = "orphans_max",
                                        .per_device_model = false,
                                        .order = 70,
                                        .listed = 4,
                                        .expect_keys = {"orphans_max"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
