// Swarm knobs (sim/scenario/swarm_knobs.h): drawn per seed, never over a
// knob the scenario sets, valid for the loader, small values common, and
// retry schedules patient enough for two round trips of the slowest link.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/swarm.h"
#include "sim/scenario/swarm_knobs.h"

namespace syncsim {
namespace {

using json = nlohmann::json;

json Minimal() {
  return {{"name", "knobs"},
          {"devices", {{{"name", "alice"}}, {{"name", "bob"}}}},
          {"steps", {{{"at_ms", 0}, {"action", "connect"}, {"devices", {"alice", "bob"}}},
                     {{"action", "run_until_quiescent"}, {"max_ms", 60000}}}}};
}

TEST_CASE("swarm knobs: the same seed draws the same knobs, other seeds others", "[swarm]") {
  json first = Minimal();
  json again = Minimal();
  CHECK(sim::DrawSwarmKnobs(11, 40, &first) == sim::DrawSwarmKnobs(11, 40, &again));
  CHECK(first == again);
  size_t differing = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    json other = Minimal();
    sim::DrawSwarmKnobs(seed, 40, &other);
    differing += other["sync"] != first["sync"] ? 1 : 0;
  }
  CHECK(differing >= 15);
}

TEST_CASE("swarm knobs: valid for the loader, small values common, set knobs kept", "[swarm]") {
  std::map<std::string, size_t> drawn_count;
  size_t page_size_one = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    json document = Minimal();
    document["sync"] = {{"buffer_max", 77}};
    const json drawn = sim::DrawSwarmKnobs(seed, 400, &document);
    CHECK(document["sync"]["buffer_max"] == 77);
    CHECK_FALSE(drawn.contains("buffer_max"));
    for (const auto& [knob, value] : drawn.items()) ++drawn_count[knob];
    page_size_one += drawn.value("page_size", 0) == 1 ? 1 : 0;
    sim::Scenario scenario;
    const core::Status status = sim::ParseScenario(document, &scenario);
    INFO("seed " << seed << ": " << status.message() << "\n" << document["sync"].dump());
    REQUIRE(status.ok());
    if (drawn.contains("retry_timeout_ms")) {
      CHECK(sim::RequestPatienceMs(scenario.sync.retry_timeout_ms, scenario.sync.retry_backoff_ms_max,
                                   scenario.sync.retry_attempts_max) >= 4 * 400 + 100);
      // Found by a 300-seed sweep: a 16 s cap and a lossy link left no
      // progress for the default 30 s window, a false stall.
      CHECK(scenario.stall_window_ms >= 15 * scenario.sync.retry_backoff_ms_max);
    }
  }
  for (const char* knob : {"page_size", "batch_size", "shared_batch_size", "unacked_batches_max", "flush_interval_ms",
                           "retry_timeout_ms", "retry_backoff_ms_max", "retry_attempts_max"}) {
    INFO(knob);
    CHECK(drawn_count[knob] >= 120);  // about half of 400
    CHECK(drawn_count[knob] <= 280);
  }
  CHECK(page_size_one >= 30);  // a quarter of the draws of page_size
}

TEST_CASE("swarm knobs: the patience raise covers any schedule", "[swarm]") {
  for (int64_t attempts : {1, 2, 3, 12}) {
    for (int64_t timeout_ms : {1, 5, 400}) {
      for (int64_t needed_ms : {1, 1'700, 2'400'000}) {
        int64_t timeout = timeout_ms;
        int64_t cap = timeout_ms;
        sim::RaiseToPatience(needed_ms, attempts, &timeout, &cap);
        CHECK(sim::RequestPatienceMs(timeout, cap, attempts) >= needed_ms);
        CHECK(timeout <= 2 * std::max(needed_ms, timeout_ms));
      }
    }
  }
  // 400, 800, 1000 (the cap), 1000: the engine's schedule with its defaults.
  CHECK(sim::RequestPatienceMs(400, 1'000, 4) == 3'200);
}

TEST_CASE("swarm: the drawn knobs are part of what the swarm prints", "[swarm]") {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    json document = Minimal();
    const json drawn = sim::ApplySwarm(seed, &document);
    REQUIRE(drawn.contains("sync"));
    for (const auto& [knob, value] : drawn["sync"].items()) CHECK(document["sync"][knob] == value);
  }
}

}  // namespace
}  // namespace syncsim
