// invariant.acks: once everything is delivered (a quiescent run), every peer
// a device can reach has acked every shared change that device made. The
// unacked counts are read by the runner (RunFacts::devices).
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  if (!facts.quiescent) return;
  std::string problems;
  for (const DeviceRunFacts& device : facts.devices) {
    for (const UnackedChanges& unacked : device.unacked) {
      if (unacked.changes == 0) continue;
      problems += fmt::format("{}{} holds {} of its shared changes that {} has not acked", problems.empty() ? "" : "; ",
                              device.name, unacked.changes, unacked.peer);
    }
  }
  out->push_back({"invariant.acks", problems.empty(),
                  problems.empty() ? std::string("every shared change is acked by every peer its device can reach")
                                   : problems});
}

const bool kRegistered = RegisterCheck({.name = "invariant.acks",
                                        .per_device_model = false,
                                        .order = 100,
                                        .listed = 7,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
