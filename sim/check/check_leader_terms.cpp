// invariant.one_leader_per_term (engines that report elections, such as
// `leader`): no two devices are elected in the same term, and no leader
// assigns a sequence number after another device was elected in a newer
// term (its lease must have run out, and it must have stopped, first).
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/check.h"

namespace syncsim::sim {
namespace {

struct Election {
  std::string device;
  int64_t time_us = 0;
};

void Evaluate(const RunFacts& facts, std::vector<ExpectationResult>* out) {
  std::multimap<int64_t, Election> elections;  // term -> who, when
  for (const DeviceEngineEvents& device : facts.engine_events) {
    for (const RecordedEngineEvent& recorded : device.events) {
      if (recorded.event.kind == "elected") elections.emplace(recorded.event.term, Election{device.device, recorded.time_us});
    }
  }
  if (elections.empty()) return;  // not an engine with leaders
  std::string problems;
  auto note = [&problems](const std::string& problem) {
    if (problems.size() < 2'000) problems += (problems.empty() ? "" : "; ") + problem;
  };
  for (auto it = elections.begin(); it != elections.end(); ++it) {
    auto next = std::next(it);
    if (next != elections.end() && next->first == it->first && next->second.device != it->second.device) {
      note(fmt::format("term {} elected {} and {}", it->first, it->second.device, next->second.device));
    }
  }
  for (const DeviceEngineEvents& device : facts.engine_events) {
    for (const RecordedEngineEvent& recorded : device.events) {
      if (recorded.event.kind != "assigned") continue;
      for (auto newer = elections.upper_bound(recorded.event.term); newer != elections.end(); ++newer) {
        if (newer->second.device == device.device || newer->second.time_us >= recorded.time_us) continue;
        note(fmt::format("{} assigned seq {} in term {} at {} ms, after {} was elected in term {} at {} ms",
                         device.device, recorded.event.seq, recorded.event.term, recorded.time_us / 1000,
                         newer->second.device, newer->first, newer->second.time_us / 1000));
        break;
      }
    }
  }
  out->push_back({"invariant.one_leader_per_term", problems.empty(),
                  problems.empty() ? fmt::format("{} elections, one leader at a time", elections.size()) : problems});
}

const bool kRegistered = RegisterCheck({.name = "invariant.one_leader_per_term",
                                        .per_device_model = false,
                                        .order = 170,
                                        .listed = 16,
                                        .expect_keys = {},
                                        .evaluate = &Evaluate});

}  // namespace
}  // namespace syncsim::sim
