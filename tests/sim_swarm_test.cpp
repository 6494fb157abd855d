// Swarm (sim/scenario/swarm.h) on hostile and tight scenarios: an invalid
// file is reported as the file's own error, never replaced or crashed on;
// drawn steps fit between the explicit times around them and within the
// scenario time bound, so a swarm run never turns a valid file invalid.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/swarm.h"

namespace syncsim {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json TwoDevices() {
  return {{"name", "swarm_checks"},
          {"seed", 1},
          {"devices", {{{"name", "alice"}}, {{"name", "bob"}}}},
          {"steps", {{{"at_ms", 0}, {"action", "connect"}, {"devices", {"alice", "bob"}}},
                     {{"action", "run_until_quiescent"}, {"max_ms", 60000}}}}};
}

core::Status LoadWithSwarm(const json& document, uint64_t seed) {
  const fs::path path = fs::temp_directory_path() / "syncsim-swarm-test.json";
  std::ofstream(path) << document.dump();
  sim::Scenario scenario;
  json resolved;
  json swarm;
  core::Status status = sim::LoadScenarioFile(path.string(), {}, seed, &scenario, &resolved, &swarm);
  fs::remove(path);
  return status;
}

TEST_CASE("swarm: an invalid file is refused with its own error, before anything is drawn", "[swarm]") {
  // Each was an exception (exit 3) or silently replaced by drawn faults.
  json start_not_bool = TwoDevices();
  start_not_bool["devices"][1]["start"] = "no";
  CHECK(LoadWithSwarm(start_not_bool, 1).message().find("devices[1].start: expected true or false") != std::string::npos);
  json network_string = TwoDevices();
  network_string["network"] = "fast";
  CHECK(LoadWithSwarm(network_string, 1).message().find("network: expected an object") != std::string::npos);
  json action_number = TwoDevices();
  action_number["steps"][0]["action"] = 5;
  CHECK(LoadWithSwarm(action_number, 1).message().find("steps[0].action") != std::string::npos);
}

TEST_CASE("swarm: drawn steps stay before the next explicit time and within the time bound", "[swarm]") {
  // A step after the run with an early explicit time: drawn faults up to
  // 14 s after 0 would come after it, which steps in order forbid.
  json later_step = TwoDevices();
  later_step["steps"].push_back({{"at_ms", 300}, {"action", "disconnect"}, {"devices", {"alice", "bob"}}});
  // The last explicit time at the end of the virtual day.
  json near_bound = TwoDevices();
  near_bound["steps"][0]["at_ms"] = sim::kScenarioTimeMsMax - 50;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    INFO("seed " << seed);
    CHECK(LoadWithSwarm(later_step, seed).ok());
    CHECK(LoadWithSwarm(near_bound, seed).ok());
  }
}


TEST_CASE("swarm: storage faults are drawn from their own stream, and never with the journal off", "[swarm][storage]") {
  size_t power_losses = 0;
  size_t at_io = 0;
  size_t device_faults = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    json document = TwoDevices();
    const json drawn = sim::ApplySwarm(seed, &document);
    REQUIRE(drawn.is_object());
    // The same seed gives the same draws.
    json again = TwoDevices();
    CHECK(sim::ApplySwarm(seed, &again) == drawn);
    CHECK(again == document);
    for (const json& step : document["steps"]) {
      if (step.value("action", "") != "crash") continue;
      if (step.value("power_loss", false)) ++power_losses;
      if (step.contains("at_io")) ++at_io;
    }
    for (const json& device : document["devices"]) {
      if (device.contains("storage")) ++device_faults;
    }
    CHECK(LoadWithSwarm(document, seed).ok());
    // The journal off: no storage fault at all, and the file still loads.
    json off = TwoDevices();
    off["storage"] = {{"journal", "off"}};
    const json drawn_off = sim::ApplySwarm(seed, &off);
    CHECK_FALSE(drawn_off.contains("storage"));
    for (const json& step : off["steps"]) CHECK_FALSE((step.contains("power_loss") || step.contains("at_io")));
    for (const json& device : off["devices"]) CHECK_FALSE(device.contains("storage"));
    // The network, clocks and fault steps are those of a swarm without
    // storage draws: the storage stream shifts no other.
    CHECK(drawn_off["network"] == drawn["network"]);
    CHECK(drawn_off["clocks"] == drawn["clocks"]);
    CHECK(drawn_off["steps"].size() == drawn["steps"].size());
  }
  CHECK(power_losses > 0);
  CHECK(at_io > 0);
  CHECK(device_faults > 0);
}

TEST_CASE("swarm: converge_within_ms is lifted to its swarm minimum and said so, never lowered", "[swarm]") {
  // crash_restart_mid_sync --seed 3 --swarm failed its 2 s bound with drawn
  // pages of 5 records and a catch-up buffer of 1: slower, not wrong.
  // The page size set, so that the swarm draws none (see small_pages).
  json tight = TwoDevices();
  tight["sync"] = {{"page_size", 200}};
  tight["expect"] = {{"converge_within_ms", 2000}};
  const json drawn = sim::ApplySwarm(3, &tight);
  CHECK(tight["expect"]["converge_within_ms"] == sim::kSwarmConvergeWithinMsMin);
  CHECK(drawn["converge_within_ms"] == sim::kSwarmConvergeWithinMsMin);
  CHECK(LoadWithSwarm(tight, 3).ok());

  // A stall window longer than the minimum: the bound is the window.
  json long_window = TwoDevices();
  long_window["stall_window_ms"] = 400000;
  long_window["sync"] = {{"page_size", 200}};
  long_window["expect"] = {{"converge_within_ms", 2000}};
  sim::ApplySwarm(3, &long_window);
  CHECK(long_window["expect"]["converge_within_ms"] == long_window["stall_window_ms"]);
  CHECK(long_window["stall_window_ms"] >= 400000);

  // Pages of 1 record: a round trip per record, up to the quiescence bound.
  json small_pages = TwoDevices();
  small_pages["sync"] = {{"page_size", 1}};
  small_pages["expect"] = {{"converge_within_ms", 2000}};
  sim::ApplySwarm(3, &small_pages);
  CHECK(small_pages["expect"]["converge_within_ms"] == sim::kSwarmQuiescenceMsMax);
  // The time each run_until_quiescent gets grows as pages shrink below 20
  // records (late_joiner_three_devices seed 266: 74 minutes, live).
  CHECK(sim::SwarmQuiescenceMs(1) == sim::kSwarmQuiescenceMsMax);
  CHECK(sim::SwarmQuiescenceMs(5) == sim::kSwarmQuiescenceMsMax);
  CHECK(sim::SwarmQuiescenceMs(10) == 2 * sim::kSwarmQuiescenceMsMin);
  CHECK(sim::SwarmQuiescenceMs(20) == sim::kSwarmQuiescenceMsMin);
  CHECK(sim::SwarmQuiescenceMs(200) == sim::kSwarmQuiescenceMsMin);
  json half_pages = TwoDevices();
  half_pages["sync"] = {{"page_size", 100}};
  half_pages["expect"] = {{"converge_within_ms", 2000}};
  sim::ApplySwarm(3, &half_pages);
  CHECK(half_pages["expect"]["converge_within_ms"] == 2 * sim::kSwarmConvergeWithinMsMin);

  json loose = TwoDevices();
  loose["stall_window_ms"] = 5000;
  loose["sync"] = {{"page_size", 200}};
  loose["expect"] = {{"converge_within_ms", 900000}};
  const json drawn_loose = sim::ApplySwarm(3, &loose);
  CHECK(loose["expect"]["converge_within_ms"] == 900000);
  CHECK_FALSE(drawn_loose.contains("converge_within_ms"));

  json without = TwoDevices();
  const json drawn_without = sim::ApplySwarm(3, &without);
  CHECK_FALSE(without.contains("expect"));
  CHECK_FALSE(drawn_without.contains("converge_within_ms"));
}

}  // namespace
}  // namespace syncsim
