// invariant.closure: entry_closure agrees with every entry's parent chain on
// every device.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  int64_t errors = 0;
  for (const DeviceRunFacts& device : facts.devices) errors += device.database.closure_errors;
  out->push_back({"invariant.closure", errors == 0,
                  errors == 0 ? std::string("entry_closure agrees with every parent chain")
                              : fmt::format("{} entries with inconsistent closure rows", errors)});
}

const bool kRegistered = RegisterCheck({.name = "invariant.closure",
                                        .per_device_model = false,
                                        .order = 120,
                                        .listed = 8,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
