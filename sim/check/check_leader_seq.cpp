// invariant.unique_seq (engines that report assigned sequence numbers, such
// as `leader`): no (term, seq) is assigned to two different changes, and no
// seq is applied as two different changes on any devices (a committed log
// position means one change everywhere).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  std::map<std::pair<int64_t, int64_t>, std::pair<std::string, std::string>> assigned;  // (term, seq) -> change, who
  std::map<int64_t, std::pair<std::string, std::string>> applied;  // seq -> change, where
  std::string problems;
  auto note = [&problems](const std::string& problem) {
    if (problems.size() < 2'000) problems += (problems.empty() ? "" : "; ") + problem;
  };
  size_t events = 0;
  for (const DeviceEngineEvents& device : facts.engine_events) {
    for (const RecordedEngineEvent& recorded : device.events) {
      const core::EngineEvent& event = recorded.event;
      if (event.kind == "assigned") {
        ++events;
        auto [it, fresh] = assigned.try_emplace({event.term, event.seq}, event.change, device.device);
        if (!fresh && it->second.first != event.change) {
          note(fmt::format("term {} seq {} assigned to {} by {} and to {} by {}", event.term, event.seq,
                           it->second.first, it->second.second, event.change, device.device));
        }
      } else if (event.kind == "applied") {
        ++events;
        auto [it, fresh] = applied.try_emplace(event.seq, event.change, device.device);
        if (!fresh && it->second.first != event.change) {
          note(fmt::format("seq {} applied as {} on {} and as {} on {}", event.seq, it->second.first,
                           it->second.second, event.change, device.device));
        }
      }
    }
  }
  if (events == 0) return;  // not an engine with a sequence
  out->push_back({"invariant.unique_seq", problems.empty(),
                  problems.empty() ? fmt::format("{} seqs assigned, {} applied, each to one change", assigned.size(),
                                                 applied.size())
                                   : problems});
}

const bool kRegistered = RegisterCheck({.name = "invariant.unique_seq",
                                        .per_device_model = false,
                                        .order = 180,
                                        .listed = 17,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
