// stall: the run stalled (sim/scenario/scenario_runner.cpp's diagnosis) exactly
// when expect.stall says it must.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  const bool expect_stall = facts.expect.stall.value_or(false);
  const bool stalled = !facts.stall.is_null();
  out->push_back({"stall", stalled == expect_stall,
                  stalled ? fmt::format("stalled: {}", facts.stall.value("headline", "")) : std::string("no stall")});
}

const bool kRegistered = RegisterCheck(
    {.name = "stall", .per_device_model = false, .order = 10, .listed = 0, .expect_keys = {"stall"}, .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
