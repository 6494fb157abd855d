// counts.DEVICE.MODEL: each device named in expect.counts holds exactly that
// many rows of each model named, one expectation per device and model.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  for (const DeviceRunFacts& device : facts.devices) {
    auto expected = facts.expect.counts.find(device.name);
    if (expected == facts.expect.counts.end()) continue;
    for (const auto& [model, count] : expected->second) {
      const int64_t actual = device.database.counts.at(model);
      out->push_back({fmt::format("counts.{}.{}", device.name, model), actual == count,
                      fmt::format("{} holds {} {} rows (expected {})", device.name, actual, model, count)});
    }
  }
}

const bool kRegistered = RegisterCheck({.name = "counts.DEVICE.MODEL",
                                        .per_device_model = true,
                                        .order = 60,
                                        .listed = 15,
                                        .expect_keys = {"counts"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
