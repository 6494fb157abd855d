// repaired_max: records that catch-up missed and a digest re-sync had to
// apply, summed over the devices, stay within the bound.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  if (!facts.expect.repaired_max.has_value()) return;
  const uint64_t repaired = SumOverDevices(facts, &core::EngineCounters::records_repaired);
  out->push_back({"repaired_max", repaired <= static_cast<uint64_t>(*facts.expect.repaired_max),
                  fmt::format("{} record(s) missing after catch-up, found by digest re-sync (max {})", repaired,
                              *facts.expect.repaired_max)});
}

const bool kRegistered = RegisterCheck({.name = "repaired_max",
                                        .per_device_model = false,
                                        .order = 90,
                                        .listed = 6,
                                        .expect_keys = {"repaired_max"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
