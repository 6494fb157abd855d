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

}  // namespace
}  // namespace syncsim
