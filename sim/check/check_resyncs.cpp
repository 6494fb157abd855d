// resyncs_max: digest re-syncs after watermark exchanges, summed over the
// devices, stay within the bound (a run without lossy faults needs none).
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  if (!facts.expect.resyncs_max.has_value()) return;
  const uint64_t resyncs = SumOverDevices(facts, &core::EngineCounters::resyncs);
  out->push_back({"resyncs_max", resyncs <= static_cast<uint64_t>(*facts.expect.resyncs_max),
                  fmt::format("{} digest re-sync(s) after watermark exchanges (max {})", resyncs,
                              *facts.expect.resyncs_max)});
}

const bool kRegistered = RegisterCheck({.name = "resyncs_max",
                                        .per_device_model = false,
                                        .order = 80,
                                        .listed = 5,
                                        .expect_keys = {"resyncs_max"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
