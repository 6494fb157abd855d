// invariant.hlc_bounds: the hybrid logical clock paper's bounds on every HLC
// of the run (sim/check/hlc_bounds.h), decided by the runner's checker as the
// trace was recorded.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  out->push_back({"invariant.hlc_bounds", facts.hlc_bounds.ok, facts.hlc_bounds.detail});
}

const bool kRegistered = RegisterCheck({.name = "invariant.hlc_bounds",
                                        .per_device_model = false,
                                        .order = 150,
                                        .listed = 12,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
