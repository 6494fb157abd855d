// quiescent: a run that neither stalled nor was expected to reached
// quiescence before its run_until_quiescent's max_ms. Says nothing otherwise:
// a stalled run is judged by the stall check.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  const bool stalled = !facts.stall.is_null();
  if (!stalled && !facts.quiescent && !facts.expect.stall.value_or(false)) {
    out->push_back({"quiescent", false, "the run did not reach quiescence before max_ms"});
  }
}

const bool kRegistered = RegisterCheck({.name = "quiescent",
                                        .per_device_model = false,
                                        .order = 40,
                                        .listed = 2,
                                        .expect_keys = {"stall"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
