// converge_within_ms: the liveness verdict (sim/check/liveness.h), decided by
// the runner's LivenessWatch as the run went; only with expect.converge_within_ms.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  if (facts.liveness.has_value()) out->push_back({"converge_within_ms", facts.liveness->ok, facts.liveness->detail});
}

const bool kRegistered = RegisterCheck({.name = "converge_within_ms",
                                        .per_device_model = false,
                                        .order = 20,
                                        .listed = 14,
                                        .expect_keys = {"converge_within_ms"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
