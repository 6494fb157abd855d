// converged: every device holds the same synced rows (sim/check/convergence.h)
// exactly when expect.converged says so; by default unless a stall is expected.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  const ConvergenceResult& convergence = facts.convergence;
  const bool expect_converged = facts.expect.converged.value_or(!facts.expect.stall.value_or(false));
  std::string detail = "every device holds the same synced rows";
  if (!convergence.converged) {
    const Difference& first = convergence.differences[0];
    detail = fmt::format("{} difference group(s); first: {} {} on {} ({} of {})", convergence.differences.size(),
                         first.kind, first.count, first.device, first.model, first.owner);
  }
  out->push_back({"converged", convergence.converged == expect_converged, detail});
}

const bool kRegistered = RegisterCheck({.name = "converged",
                                        .per_device_model = false,
                                        .order = 30,
                                        .listed = 1,
                                        .expect_keys = {"converged", "stall"},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
