// storage.acked_kept: a change a device acked as durable (an engine's
// "durable_ack", core/engine.h) is still in its database when it comes
// back from a death (a power loss, a crash at an I/O point, a storage
// error). It is judged at the restart, before the device hears from any
// peer: a repair that brings the change back later hides a broken promise
// that a peer may already have acted on (stopped resending, pruned). Only
// runs that looked for at least one acked change get a verdict.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  uint64_t verified = 0;
  size_t lost = 0;
  std::string problems;
  for (const DeviceRunFacts& device : facts.devices) {
    verified += device.storage.acked_changes_verified;
    for (const std::string& line : device.storage.lost_acked_changes) {
      ++lost;
      if (problems.size() < 2'000) problems += fmt::format("{}{}", problems.empty() ? "" : "; ", line);
    }
  }
  if (verified == 0) return;
  out->push_back({"storage.acked_kept", lost == 0,
                  lost == 0 ? fmt::format("all {} acked changes looked for after restarts were kept", verified)
                            : fmt::format("{} of {} acked changes lost: {}", lost, verified, problems)});
}

const bool kRegistered = RegisterCheck({.name = "storage.acked_kept",
                                        .per_device_model = false,
                                        .order = 201,
                                        .listed = 20,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
