// workloads: every workload's own check (Workload::Check, read by the runner)
// held.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  std::string detail;
  for (const std::string& problem : facts.workload_problems) detail += (detail.empty() ? "" : "; ") + problem;
  out->push_back({"workloads", facts.workload_problems.empty(),
                  facts.workload_problems.empty() ? std::string("every workload's own check held") : detail});
}

const bool kRegistered = RegisterCheck({.name = "workloads",
                                        .per_device_model = false,
                                        .order = 160,
                                        .listed = 13,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
