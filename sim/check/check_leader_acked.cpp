// invariant.acked_writes_kept (engines that report acknowledgements, such
// as `leader`): a write acknowledged at seq S stays there through every
// failover: each device that applied seq S applied that write, and some
// device applied it.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  std::map<int64_t, std::pair<std::string, std::string>> acked;  // seq -> change, by whom
  std::map<int64_t, std::set<std::string>> applied;               // seq -> changes applied there
  for (const DeviceEngineEvents& device : facts.engine_events) {
    for (const RecordedEngineEvent& recorded : device.events) {
      const core::EngineEvent& event = recorded.event;
      if (event.kind == "acked") acked.try_emplace(event.seq, event.change, device.device);
      if (event.kind == "applied") applied[event.seq].insert(event.change);
    }
  }
  if (acked.empty()) return;  // not an engine that acknowledges by log position
  std::string problems;
  size_t lost = 0;
  for (const auto& [seq, change] : acked) {
    auto found = applied.find(seq);
    const bool kept = found != applied.end() && found->second.size() == 1 && found->second.count(change.first) == 1;
    if (kept) continue;
    ++lost;
    if (problems.size() < 2'000) {
      problems += fmt::format("{}{} acked {} at seq {}, applied there: {}", problems.empty() ? "" : "; ",
                              change.second, change.first, seq,
                              found == applied.end() ? std::string("nothing")
                                                     : fmt::format("{}", fmt::join(found->second, ", ")));
    }
  }
  out->push_back({"invariant.acked_writes_kept", lost == 0,
                  lost == 0 ? fmt::format("all {} acknowledged writes kept at their seq", acked.size())
                            : fmt::format("{} acknowledged writes lost: {}", lost, problems)});
}

const bool kRegistered = RegisterCheck({.name = "invariant.acked_writes_kept",
                                        .per_device_model = false,
                                        .order = 190,
                                        .listed = 18,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
