// The checks of engines that report events (sim/check/check_leader_*.cpp),
// judged on hand-made event lists: each holds on a clean history, fails on
// the history of the bug it is for, and gives no verdict without events.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/check/check.h"

namespace {

using syncsim::core::EngineEvent;
using syncsim::sim::DeviceEngineEvents;
using syncsim::sim::ExpectationResult;
using syncsim::sim::FindCheck;
using syncsim::sim::RecordedEngineEvent;
using syncsim::sim::RunFacts;

RecordedEngineEvent At(int64_t ms, std::string kind, int64_t term, int64_t seq = 0, std::string change = "") {
  return RecordedEngineEvent{ms * 1000, EngineEvent{std::move(kind), term, seq, std::move(change)}};
}

std::vector<ExpectationResult> Judge(const char* check, const std::vector<DeviceEngineEvents>& events) {
  RunFacts facts;
  facts.engine_events = events;
  std::vector<ExpectationResult> out;
  const auto* found = FindCheck(check);
  REQUIRE(found != nullptr);
  found->evaluate(facts, &out);
  return out;
}

// Alice leads term 1, then Bob term 2 after Alice stopped; every seq is
// assigned, acked and applied once.
std::vector<DeviceEngineEvents> CleanFailover() {
  return {{"alice", {At(0, "elected", 1), At(10, "assigned", 1, 1, "a:1"), At(20, "acked", 1, 1, "a:1"),
                     At(20, "applied", 1, 1, "a:1"), At(30, "applied", 2, 2, "")}},
          {"bob", {At(25, "applied", 1, 1, "a:1"), At(90, "elected", 2), At(91, "applied", 2, 2, "")}}};
}

TEST_CASE("leader checks: no verdict for an engine without events", "[sim][leader_checks]") {
  for (const char* check : {"invariant.one_leader_per_term", "invariant.unique_seq", "invariant.acked_writes_kept"}) {
    INFO(check);
    CHECK(Judge(check, {{"alice", {}}, {"bob", {}}}).empty());
  }
}

TEST_CASE("leader checks: a clean failover passes all three", "[sim][leader_checks]") {
  for (const char* check : {"invariant.one_leader_per_term", "invariant.unique_seq", "invariant.acked_writes_kept"}) {
    INFO(check);
    const std::vector<ExpectationResult> out = Judge(check, CleanFailover());
    REQUIRE(out.size() == 1);
    CHECK(out[0].ok);
  }
}

TEST_CASE("invariant.one_leader_per_term: two leaders of one term, or an old leader assigning on",
          "[sim][leader_checks]") {
  std::vector<DeviceEngineEvents> reused = CleanFailover();
  reused[1].events.push_back(At(200, "elected", 1));  // Bob wins term 1 again
  std::vector<ExpectationResult> out = Judge("invariant.one_leader_per_term", reused);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].ok);
  CHECK(out[0].detail.find("term 1 elected alice and bob") != std::string::npos);

  std::vector<DeviceEngineEvents> unfenced = CleanFailover();
  unfenced[0].events.push_back(At(95, "assigned", 1, 2, "a:2"));  // after Bob's election at 90 ms
  out = Judge("invariant.one_leader_per_term", unfenced);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].ok);
  // The same device elected again later is not a second leader.
  std::vector<DeviceEngineEvents> again = CleanFailover();
  again[1].events.push_back(At(300, "elected", 3));
  again[1].events.push_back(At(301, "assigned", 3, 3, "b:1"));
  CHECK(Judge("invariant.one_leader_per_term", again)[0].ok);
}

TEST_CASE("invariant.unique_seq: a seq assigned or applied as two changes", "[sim][leader_checks]") {
  std::vector<DeviceEngineEvents> assigned = CleanFailover();
  assigned[1].events.push_back(At(100, "assigned", 1, 1, "b:1"));  // term 1 seq 1 again, another change
  std::vector<ExpectationResult> out = Judge("invariant.unique_seq", assigned);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].ok);

  std::vector<DeviceEngineEvents> applied = CleanFailover();
  applied[1].events[0] = At(25, "applied", 1, 1, "b:7");  // Bob applied another change at seq 1
  CHECK_FALSE(Judge("invariant.unique_seq", applied)[0].ok);
  // The same change assigned twice (a resend) is fine.
  std::vector<DeviceEngineEvents> resent = CleanFailover();
  resent[0].events.push_back(At(11, "assigned", 1, 1, "a:1"));
  CHECK(Judge("invariant.unique_seq", resent)[0].ok);
}

TEST_CASE("invariant.acked_writes_kept: an acked write replaced at its seq, or never applied",
          "[sim][leader_checks]") {
  std::vector<DeviceEngineEvents> replaced = CleanFailover();
  replaced[1].events[0] = At(25, "applied", 2, 1, "b:1");
  std::vector<ExpectationResult> out = Judge("invariant.acked_writes_kept", replaced);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].ok);
  CHECK(out[0].detail.find("a:1") != std::string::npos);

  std::vector<DeviceEngineEvents> never = CleanFailover();
  never[0].events.push_back(At(40, "acked", 1, 5, "a:9"));
  CHECK_FALSE(Judge("invariant.acked_writes_kept", never)[0].ok);
}

}  // namespace
