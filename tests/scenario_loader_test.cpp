// Tests for sim/scenario/scenario_loader.h: the DESIGN.md 5 example parses
// field for field, every file of tests/malformed_scenarios/ fails with the
// message its .expected sibling holds, and `--set` / `--seed` overrides.
#include <catch2/catch.hpp>

#include <algorithm>
#include <any>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "core/engine_registry.h"
#include "sim/control/control_settings.h"
#include "sim/faults/fault_settings.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/workloads/collect_workload.h"
#include "sim/workloads/index_workload.h"
#include "sim/workloads/mutate_workload.h"
#include "sim/workloads/tag_workload.h"

namespace {

using nlohmann::json;
using syncsim::core::MissingDependencyPolicy;
using syncsim::core::Status;
using syncsim::sim::ApplyOverride;
using syncsim::sim::LoadScenarioFile;
using syncsim::sim::ParseScenario;
using syncsim::sim::Scenario;
using namespace syncsim::sim;  // the actions' settings types

// What the step's action parsed its keys into.
template <typename Settings>
const Settings& As(const syncsim::sim::ScenarioStep& step) {
  return std::any_cast<const Settings&>(step.settings);
}

// The example of DESIGN.md 5, verbatim.
constexpr const char* kDesignExample = R"json({
  "name": "realtime_alice_to_bob",
  "description": "Alice indexes a location; Bob receives it in real time.",
  "seed": 1,
  "devices": [
    {"name": "alice"},
    {"name": "bob", "clock": {"offset_ms": -1500, "drift_ppm": 40}}
  ],
  "network": {"latency_ms": {"min": 1, "max": 40}, "drop": 0.0, "duplicate": 0.0},
  "sync": {"missing_dependency": "park", "batch_size": 100, "defects": []},
  "steps": [
    {"at_ms": 0, "action": "connect", "devices": ["alice", "bob"]},
    {"at_ms": 0, "action": "index", "device": "alice", "location": "Downloads",
     "dirs": 46, "files": 2045, "duplicate_content": 0.03,
     "identify_errors": 0.0, "files_per_s": 300},
    {"at_ms": 4000, "action": "partition", "groups": [["alice"], ["bob"]]},
    {"at_ms": 6000, "action": "heal"},
    {"action": "run_until_quiescent", "max_ms": 600000},
    {"action": "snapshot", "phase": "final_state"}
  ],
  "expect": {"converged": true, "stall": false, "linkage_min": 1.0, "orphans_max": 0}
})json";

// Every action of the DESIGN.md 5 table, with its optional fields.
constexpr const char* kEveryAction = R"json({
  "name": "every-action",
  "seed": 18446744073709551615,
  "stall_window_ms": 5000,
  "devices": [
    {"name": "alice", "start": true},
    {"name": "bob"},
    {"name": "carol", "start": false, "clock": {"drift_ppm": -100000}}
  ],
  "sync": {"missing_dependency": "null", "batch_size": 7, "flush_interval_ms": 60000, "shared_merge": "record",
           "defects": ["lww_guard_pruned", "ack_without_max"], "engine": "leaderless"},
  "steps": [
    {"action": "connect", "devices": ["alice", "bob", "carol"]},
    {"action": "disconnect", "devices": ["bob", "carol"]},
    {"at_ms": 10, "action": "partition", "groups": [["alice", "bob"], ["carol"]], "one_way": true},
    {"at_ms": 10, "action": "heal"},
    {"action": "set_network", "drop": 0.25, "latency_ms": {"min": 0, "max": 0}, "link": ["bob", "alice"]},
    {"action": "set_network", "duplicate": 1},
    {"action": "start", "device": "carol"},
    {"action": "crash", "device": "bob"},
    {"action": "restart", "device": "bob"},
    {"action": "clock_jump", "device": "alice", "by_ms": -3600000},
    {"action": "index", "device": "bob", "location": "Music", "dirs": 1, "files": 0},
    {"action": "mutate", "device": "bob", "location": "Music", "renames": 1, "moves": 2, "deletes": 3,
     "ops_per_s": 4},
    {"action": "mutate", "device": "bob", "location": "Music"},
    {"action": "tag", "devices": ["alice"], "tags": 5, "applications": 6, "ops_per_s": 7},
    {"action": "collect", "device": "carol", "collections": 8, "entries_per_collection": 9},
    {"action": "run_until_quiescent", "max_ms": 86400000},
    {"action": "snapshot", "phase": "a"},
    {"action": "snapshot", "phase": "b"}
  ],
  "expect": {"counts": {"bob": {"entry": 1, "collection_entry": 0}, "alice": {"device": 3}}}
})json";

std::string SourcePath(const std::string& relative) { return std::string(SYNCSIM_SOURCE_DIR) + "/" + relative; }

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  REQUIRE(input);
  return std::string(std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>());
}

// A scenario file in the temporary directory, removed when it goes out of
// scope. Named after the process so that parallel test runs do not collide.
class TemporaryScenarioFile {
 public:
  TemporaryScenarioFile(const std::string& stem, const std::string& text)
      : path_((std::filesystem::temp_directory_path() /
               ("syncsim_scenario_loader_" + std::to_string(getpid()) + "_" + stem + ".json"))
                  .string()) {
    std::ofstream output(path_, std::ios::binary);
    output << text;
    REQUIRE(output.good());
  }
  ~TemporaryScenarioFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TemporaryScenarioFile(const TemporaryScenarioFile&) = delete;
  TemporaryScenarioFile& operator=(const TemporaryScenarioFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Parses `text` with `overrides` applied; returns the status.
Status ParseWithOverrides(const std::string& text, const std::vector<std::string>& overrides, Scenario* scenario) {
  json document = json::parse(text);
  for (const std::string& assignment : overrides) {
    Status status = ApplyOverride(&document, assignment);
    if (!status.ok()) return status;
  }
  return ParseScenario(document, scenario);
}

}  // namespace

TEST_CASE("ScenarioLoader: the DESIGN.md 5 example parses with every field as given", "[scenario_loader]") {
  Scenario scenario;
  const Status status = ParseScenario(json::parse(kDesignExample), &scenario);
  REQUIRE(status.message() == "");
  REQUIRE(status.ok());

  CHECK(scenario.name == "realtime_alice_to_bob");
  CHECK(scenario.description == "Alice indexes a location; Bob receives it in real time.");
  CHECK(scenario.seed == 1);
  CHECK(scenario.stall_window_ms == 30'000);

  REQUIRE(scenario.devices.size() == 2);
  CHECK(scenario.devices[0].name == "alice");
  CHECK(scenario.devices[0].clock.offset_ms == 0);
  CHECK(scenario.devices[0].clock.drift_ppm == 0);
  CHECK(scenario.devices[0].start);
  CHECK(scenario.devices[1].name == "bob");
  CHECK(scenario.devices[1].clock.offset_ms == -1500);
  CHECK(scenario.devices[1].clock.drift_ppm == 40);
  CHECK(scenario.devices[1].clock.epoch_ms == syncsim::sim::DeviceClockSettings{}.epoch_ms);
  CHECK(scenario.devices[1].start);

  CHECK(scenario.network.latency_ms_min == 1);
  CHECK(scenario.network.latency_ms_max == 40);
  CHECK(scenario.network.drop == 0.0);
  CHECK(scenario.network.duplicate == 0.0);

  CHECK(scenario.sync.missing_dependency == MissingDependencyPolicy::kPark);
  CHECK(scenario.sync.batch_size == 100);
  CHECK(scenario.sync.defects.empty());
  CHECK(scenario.sync.engine == "leaderless");

  REQUIRE(scenario.steps.size() == 6);
  const auto& connect = scenario.steps[0];
  CHECK(connect.at_ms == std::optional<int64_t>(0));
  CHECK(connect.action == "connect");
  CHECK(As<DevicePairsSettings>(connect).devices == std::vector<std::string>{"alice", "bob"});

  const auto& index = scenario.steps[1];
  CHECK(index.at_ms == std::optional<int64_t>(0));
  CHECK(index.action == "index");
  CHECK(As<IndexSettings>(index).device == "alice");
  CHECK(As<IndexSettings>(index).location == "Downloads");
  CHECK(As<IndexSettings>(index).dirs == 46);
  CHECK(As<IndexSettings>(index).files == 2045);
  CHECK(As<IndexSettings>(index).duplicate_content == 0.03);
  CHECK(As<IndexSettings>(index).identify_errors == 0.0);
  CHECK(As<IndexSettings>(index).files_per_s == 300);

  const auto& partition = scenario.steps[2];
  CHECK(partition.at_ms == std::optional<int64_t>(4000));
  CHECK(partition.action == "partition");
  CHECK(As<PartitionSettings>(partition).groups == std::vector<std::vector<std::string>>{{"alice"}, {"bob"}});
  CHECK_FALSE(As<PartitionSettings>(partition).one_way);

  CHECK(scenario.steps[3].at_ms == std::optional<int64_t>(6000));
  CHECK(scenario.steps[3].action == "heal");

  CHECK_FALSE(scenario.steps[4].at_ms.has_value());
  CHECK(scenario.steps[4].action == "run_until_quiescent");
  CHECK(As<RunUntilQuiescentSettings>(scenario.steps[4]).max_ms == 600000);

  CHECK_FALSE(scenario.steps[5].at_ms.has_value());
  CHECK(scenario.steps[5].action == "snapshot");
  CHECK(As<SnapshotSettings>(scenario.steps[5]).phase == "final_state");

  CHECK(scenario.expect.converged == std::optional<bool>(true));
  CHECK(scenario.expect.stall == std::optional<bool>(false));
  CHECK(scenario.expect.linkage_min == std::optional<double>(1.0));
  CHECK(scenario.expect.orphans_max == std::optional<int64_t>(0));
  CHECK(scenario.expect.counts.empty());
}

TEST_CASE("ScenarioLoader: every action and optional field parses", "[scenario_loader]") {
  Scenario scenario;
  const Status status = ParseScenario(json::parse(kEveryAction), &scenario);
  REQUIRE(status.message() == "");

  CHECK(scenario.seed == 18446744073709551615ULL);
  CHECK(scenario.stall_window_ms == 5000);
  CHECK_FALSE(scenario.devices[2].start);
  CHECK(scenario.devices[2].clock.drift_ppm == -100000);
  CHECK(scenario.sync.missing_dependency == MissingDependencyPolicy::kNull);
  CHECK(scenario.sync.batch_size == 7);
  CHECK(scenario.sync.flush_interval_ms == 60000);
  CHECK(scenario.sync.HasDefect("lww_guard_pruned"));
  CHECK(scenario.sync.HasDefect("ack_without_max"));
  CHECK(scenario.sync.defects.size() == 2);
  CHECK(scenario.sync.engine == "leaderless");

  const auto& steps = scenario.steps;
  REQUIRE(steps.size() == 18);
  CHECK(As<DevicePairsSettings>(steps[0]).devices == std::vector<std::string>{"alice", "bob", "carol"});
  CHECK(steps[1].action == "disconnect");
  CHECK(As<DevicePairsSettings>(steps[1]).devices == std::vector<std::string>{"bob", "carol"});
  CHECK(As<PartitionSettings>(steps[2]).groups == std::vector<std::vector<std::string>>{{"alice", "bob"}, {"carol"}});
  CHECK(As<PartitionSettings>(steps[2]).one_way);
  CHECK(As<SetNetworkSettings>(steps[4]).changes == json::parse(R"({"drop": 0.25, "latency_ms": {"min": 0, "max": 0}})"));
  CHECK(As<SetNetworkSettings>(steps[4]).link == std::optional<std::pair<std::string, std::string>>({"bob", "alice"}));
  CHECK(As<SetNetworkSettings>(steps[5]).changes == json::parse(R"({"duplicate": 1})"));
  CHECK_FALSE(As<SetNetworkSettings>(steps[5]).link.has_value());
  CHECK(steps[6].action == "start");
  CHECK(As<DevicePowerSettings>(steps[6]).device == "carol");
  CHECK(steps[7].action == "crash");
  CHECK(steps[8].action == "restart");
  CHECK(As<ClockJumpSettings>(steps[9]).by_ms == -3600000);
  CHECK(As<IndexSettings>(steps[10]).dirs == 1);
  CHECK(As<IndexSettings>(steps[10]).files == 0);
  CHECK(As<IndexSettings>(steps[10]).files_per_s == 300);  // the default
  CHECK(As<MutateSettings>(steps[11]).renames == 1);
  CHECK(As<MutateSettings>(steps[11]).moves == 2);
  CHECK(As<MutateSettings>(steps[11]).deletes == 3);
  CHECK(As<MutateSettings>(steps[11]).ops_per_s == 4);
  CHECK(As<MutateSettings>(steps[12]).ops_per_s == 100);  // the default
  CHECK(As<TagSettings>(steps[13]).devices == std::vector<std::string>{"alice"});
  CHECK(As<TagSettings>(steps[13]).tags == 5);
  CHECK(As<TagSettings>(steps[13]).applications == 6);
  CHECK(As<TagSettings>(steps[13]).ops_per_s == 7);
  CHECK(As<CollectSettings>(steps[14]).collections == 8);
  CHECK(As<CollectSettings>(steps[14]).entries_per_collection == 9);
  CHECK(As<RunUntilQuiescentSettings>(steps[15]).max_ms == 86400000);
  CHECK(As<SnapshotSettings>(steps[17]).phase == "b");

  CHECK(scenario.expect.counts.size() == 2);
  CHECK(scenario.expect.counts.at("bob").at("entry") == 1);
  CHECK(scenario.expect.counts.at("bob").at("collection_entry") == 0);
  CHECK(scenario.expect.counts.at("alice").at("device") == 3);
}

TEST_CASE("ScenarioLoader: a failed parse leaves the scenario unchanged", "[scenario_loader]") {
  Scenario scenario;
  scenario.name = "before";
  json document = json::parse(kDesignExample);
  document["steps"][5]["phase"] = "final state";
  CHECK_FALSE(ParseScenario(document, &scenario).ok());
  CHECK(scenario.name == "before");
  CHECK(scenario.devices.empty());
}

TEST_CASE("ScenarioLoader: every malformed scenario fails with its expected message", "[scenario_loader]") {
  const std::filesystem::path directory = SourcePath("tests/malformed_scenarios");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 30);

  for (const std::filesystem::path& file : files) {
    std::filesystem::path expected_path = file;
    expected_path.replace_extension(".expected");
    std::string expected = ReadText(expected_path);
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
    REQUIRE_FALSE(expected.empty());

    Scenario scenario;
    json resolved = json::object();
    const Status status = LoadScenarioFile(file.string(), {}, std::nullopt, &scenario, &resolved);
    INFO("file: " << file.string());
    INFO("message: " << status.message());
    INFO("expected: " << expected);
    CHECK_FALSE(status.ok());
    CHECK(status.code() == Status::Code::kInvalidArgument);
    CHECK(status.message().rfind(file.string() + ": ", 0) == 0);
    CHECK(status.message().find(expected) != std::string::npos);
    CHECK(resolved == json::object());
  }
}

TEST_CASE("ScenarioLoader: a missing file or a directory is an error naming it", "[scenario_loader]") {
  Scenario scenario;
  json resolved;
  const std::string missing = SourcePath("tests/malformed_scenarios/no_such_scenario.json");
  Status status = LoadScenarioFile(missing, {}, std::nullopt, &scenario, &resolved);
  CHECK(status.code() == Status::Code::kNotFound);
  CHECK(status.message() == missing + ": cannot read the scenario file: no such file");

  const std::string directory = SourcePath("tests/malformed_scenarios");
  status = LoadScenarioFile(directory, {}, std::nullopt, &scenario, &resolved);
  CHECK(status.code() == Status::Code::kIoError);
  CHECK(status.message() == directory + ": cannot read the scenario file: it is a directory");
}

TEST_CASE("ScenarioLoader: a FIFO or a device is refused without reading it", "[scenario_loader]") {
  Scenario scenario;
  json resolved;
  const std::string fifo = (std::filesystem::temp_directory_path() /
                            ("syncsim_scenario_loader_" + std::to_string(getpid()) + "_fifo.json"))
                               .string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Opening a FIFO for reading would block until a writer comes.
  Status status = LoadScenarioFile(fifo, {}, std::nullopt, &scenario, &resolved);
  std::filesystem::remove(fifo);
  CHECK(status.code() == Status::Code::kIoError);
  CHECK(status.message() == fifo + ": cannot read the scenario file: it is not a regular file");
  status = LoadScenarioFile("/dev/zero", {}, std::nullopt, &scenario, &resolved);
  CHECK(status.message() == "/dev/zero: cannot read the scenario file: it is not a regular file");
}

TEST_CASE("ScenarioLoader: a file larger than kScenarioFileBytesMax is refused before parsing", "[scenario_loader]") {
  Scenario scenario;
  json resolved;
  // At the bound: read and parsed (whitespace then an invalid document).
  TemporaryScenarioFile at_bound("at_bound", std::string(syncsim::sim::kScenarioFileBytesMax - 2, ' ') + "[]");
  Status status = LoadScenarioFile(at_bound.path(), {}, std::nullopt, &scenario, &resolved);
  CHECK(status.message() == at_bound.path() + ": (root): expected an object, got an empty array");
  TemporaryScenarioFile over("over_bound", std::string(syncsim::sim::kScenarioFileBytesMax - 1, ' ') + "[]");
  status = LoadScenarioFile(over.path(), {}, std::nullopt, &scenario, &resolved);
  CHECK(status.code() == Status::Code::kInvalidArgument);
  CHECK(status.message() == over.path() + ": the scenario file is larger than 4194304 bytes (kScenarioFileBytesMax)");
}

TEST_CASE("ScenarioLoader: syntax errors give the byte offset and line", "[scenario_loader]") {
  TemporaryScenarioFile file("syntax", "{\n  \"name\": \"x\",\n  \"devices\": [\n}\n");
  Scenario scenario;
  json resolved;
  const Status status = LoadScenarioFile(file.path(), {}, std::nullopt, &scenario, &resolved);
  CHECK(status.message().rfind(file.path() + ": invalid JSON (byte ", 0) == 0);
  CHECK(status.message().find("line 4") != std::string::npos);
}

TEST_CASE("ScenarioLoader: --set overrides scalars", "[scenario_loader]") {
  Scenario scenario;
  SECTION("sync.missing_dependency=drop changes the policy") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"sync.missing_dependency=drop"}, &scenario).ok());
    CHECK(scenario.sync.missing_dependency == MissingDependencyPolicy::kDrop);
  }
  SECTION("sync.missing_dependency=null is the policy, not JSON null") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"sync.missing_dependency=null"}, &scenario).ok());
    CHECK(scenario.sync.missing_dependency == MissingDependencyPolicy::kNull);
  }
  SECTION("network.drop=0.2") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"network.drop=0.2"}, &scenario).ok());
    CHECK(scenario.network.drop == 0.2);
  }
  SECTION("steps[1].files=10") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"steps[1].files=10"}, &scenario).ok());
    CHECK(As<IndexSettings>(scenario.steps[1]).files == 10);
  }
  SECTION("seed=7") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"seed=7"}, &scenario).ok());
    CHECK(scenario.seed == 7);
  }
  SECTION("devices[1].clock.offset_ms=-3 and a clock created on a device without one") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"devices[1].clock.offset_ms=-3", "devices[0].clock.drift_ppm=5"},
                               &scenario)
                .ok());
    CHECK(scenario.devices[1].clock.offset_ms == -3);
    CHECK(scenario.devices[1].clock.drift_ppm == 40);
    CHECK(scenario.devices[0].clock.drift_ppm == 5);
  }
  SECTION("a missing section is created") {
    json document = json::parse(kDesignExample);
    document.erase("sync");
    REQUIRE(ApplyOverride(&document, "sync.batch_size=3").ok());
    REQUIRE(ParseScenario(document, &scenario).ok());
    CHECK(scenario.sync.batch_size == 3);
  }
  SECTION("nested array indexes and quoted strings") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"steps[2].groups[1][0]=\"alice\"", "steps[2].groups[0][0]=bob"},
                               &scenario)
                .ok());
    CHECK(As<PartitionSettings>(scenario.steps[2]).groups == std::vector<std::vector<std::string>>{{"bob"}, {"alice"}});
  }
  SECTION("a string target stays a string") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"name=2024", "description=true"}, &scenario).ok());
    CHECK(scenario.name == "2024");
    CHECK(scenario.description == "true");
  }
  SECTION("later overrides win") {
    REQUIRE(ParseWithOverrides(kDesignExample, {"network.drop=0.2", "network.drop=0.3"}, &scenario).ok());
    CHECK(scenario.network.drop == 0.3);
  }
  SECTION("a negative scenario is switched off by emptying its defects and must_fail lists") {
    json document = json::parse(kDesignExample);
    document["sync"]["defects"] = {"ack_without_max"};
    document["expect"]["must_fail"] = {"invariant.acks"};
    REQUIRE(ParseScenario(document, &scenario).ok());
    CHECK(scenario.sync.HasDefect("ack_without_max"));
    CHECK(scenario.expect.must_fail.count("invariant.acks") == 1);
    REQUIRE(ApplyOverride(&document, "sync.defects=[]").ok());
    REQUIRE(ApplyOverride(&document, "expect.must_fail=[]").ok());
    REQUIRE(ParseScenario(document, &scenario).ok());
    CHECK(scenario.sync.defects.empty());
    CHECK(scenario.expect.must_fail.empty());
  }
}

TEST_CASE("ScenarioLoader: bad --set keys are errors naming the key", "[scenario_loader]") {
  const json original = json::parse(kDesignExample);
  struct Case {
    std::string assignment;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"network.drop", "--set network.drop: expected KEY=VALUE"},
      {"=3", "--set : expected a key such as"},
      {"steps[x].files=1", "--set steps[x].files: expected a key such as"},
      {"steps[1]..files=1", "--set steps[1]..files: expected a key such as"},
      {"steps.[1]=1", "--set steps.[1]: expected a key such as"},
      {"steps[99].files=1", "--set steps[99].files: steps has 6 elements, so [99] does not exist"},
      {"steps.files=1", "--set steps.files: steps is an array, not an object"},
      {"name.first=1", "--set name.first: name is a string, not an object"},
      {"network[0]=1", "--set network[0]: network is an object, not an array"},
      {"network=3", "--set network: network is an object; only numbers, strings and booleans can be set"},
      {"steps[2].groups=[]", "--set steps[2].groups: steps[2].groups is an array; only"},
      {"missing[0].x=1", "--set missing[0].x: missing does not exist"},
      {"sync.new.deeper[0]=1", "--set sync.new.deeper[0]: sync.new does not exist"},
  };
  for (const Case& test : cases) {
    json document = original;
    const Status status = ApplyOverride(&document, test.assignment);
    INFO("assignment: " << test.assignment << "\nmessage: " << status.message());
    CHECK(status.code() == Status::Code::kInvalidArgument);
    CHECK(status.message().rfind(test.message, 0) == 0);
    CHECK(document == original);
  }
}

TEST_CASE("ScenarioLoader: overrides apply in order, then --seed, then validation", "[scenario_loader]") {
  TemporaryScenarioFile file("overrides", kDesignExample);
  Scenario scenario;
  json resolved;

  SECTION("the resolved document holds the overrides and the seed") {
    const Status status = LoadScenarioFile(file.path(), {"network.drop=0.2", "seed=5", "steps[1].files=10"}, 9,
                                           &scenario, &resolved);
    REQUIRE(status.message() == "");
    CHECK(scenario.seed == 9);
    CHECK(scenario.network.drop == 0.2);
    CHECK(As<IndexSettings>(scenario.steps[1]).files == 10);
    json expected = json::parse(kDesignExample);
    expected["network"]["drop"] = 0.2;
    expected["steps"][1]["files"] = 10;
    expected["seed"] = 9;
    CHECK(resolved == expected);
    // The resolved document replays: it parses to the same scenario.
    Scenario replayed;
    REQUIRE(ParseScenario(resolved, &replayed).ok());
    CHECK(replayed.seed == 9);
    CHECK(As<IndexSettings>(replayed.steps[1]).files == 10);
  }
  SECTION("the resolved document always states the seed") {
    TemporaryScenarioFile unseeded("unseeded", [] {
      json document = json::parse(kDesignExample);
      document.erase("seed");
      return document.dump();
    }());
    REQUIRE(LoadScenarioFile(unseeded.path(), {}, std::nullopt, &scenario, &resolved).ok());
    CHECK(scenario.seed == 1);
    CHECK(resolved.at("seed") == 1);
  }
  SECTION("an override producing an invalid value fails validation with the path") {
    resolved = json::object();
    const Status status =
        LoadScenarioFile(file.path(), {"network.drop=1.5"}, std::nullopt, &scenario, &resolved);
    CHECK(status.code() == Status::Code::kInvalidArgument);
    CHECK(status.message() == file.path() + ": network.drop: expected a number in [0, 1], got 1.5");
    CHECK(resolved == json::object());
  }
  SECTION("a plain-string value where a number belongs") {
    const Status status =
        LoadScenarioFile(file.path(), {"steps[1].files=abc"}, std::nullopt, &scenario, &resolved);
    CHECK(status.message() == file.path() + ": steps[1].files: expected a non-negative integer, got \"abc\"");
  }
  SECTION("an unknown key created by an override") {
    const Status status =
        LoadScenarioFile(file.path(), {"sync.missing_dependecy=drop"}, std::nullopt, &scenario, &resolved);
    CHECK(status.message() == file.path() +
                                  ": sync: unknown key \"missing_dependecy\" (did you mean \"missing_dependency\"?)");
  }
  SECTION("a bad override key names the file and the key") {
    const Status status = LoadScenarioFile(file.path(), {"steps[9].files=1"}, std::nullopt, &scenario, &resolved);
    CHECK(status.message() == file.path() + ": --set steps[9].files: steps has 6 elements, so [9] does not exist");
  }
}

namespace {

TEST_CASE("ScenarioLoader: an unknown defect lists every defect of the core's one list", "[scenario_loader]") {
  // The loader kept a copy of five names; the two defects added later were
  // accepted but missing from the message.
  json document = json::parse(kDesignExample);
  document["sync"]["defects"] = {"hlc_ignores_wall_clok"};
  Scenario scenario;
  const Status status = ParseScenario(document, &scenario);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("did you mean \"hlc_ignores_wall_clock\"") != std::string::npos);
  for (std::string_view defect : syncsim::core::KnownDefects()) {
    INFO(defect);
    CHECK(status.message().find(std::string(defect)) != std::string::npos);
  }
}

TEST_CASE("ScenarioLoader: sync.engine takes a registered engine and names them all otherwise", "[scenario_loader]") {
  json document = json::parse(kDesignExample);
  for (std::string_view name : syncsim::core::EngineNames()) {
    document["sync"]["engine"] = std::string(name);
    Scenario scenario;
    REQUIRE(ParseScenario(document, &scenario).message() == "");
    CHECK(scenario.sync.engine == name);
  }
  document["sync"]["engine"] = "raft";
  Scenario scenario;
  const Status status = ParseScenario(document, &scenario);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().rfind("sync.engine: unknown engine \"raft\"", 0) == 0);
  for (std::string_view name : syncsim::core::EngineNames()) {
    INFO(name);
    CHECK(status.message().find(std::string(name)) != std::string::npos);
  }
  SECTION("--set sync.engine picks one too") {
    Scenario overridden;
    REQUIRE(ParseWithOverrides(kDesignExample, {"sync.engine=leaderless"}, &overridden).ok());
    CHECK(overridden.sync.engine == "leaderless");
    CHECK_FALSE(ParseWithOverrides(kDesignExample, {"sync.engine=raft"}, &overridden).ok());
  }
}

TEST_CASE("docs/scenario-format.md names every defect and every sync key the loader accepts", "[scenario_loader]") {
  std::ifstream file(std::string(SYNCSIM_SOURCE_DIR) + "/docs/scenario-format.md");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(text.empty());
  for (std::string_view defect : syncsim::core::KnownDefects()) {
    INFO(defect);
    CHECK(text.find("`" + std::string(defect) + "`") != std::string::npos);
  }
  // Every key of the Sync table is one the loader knows (a value of the
  // wrong type is refused for its type, never as an unknown key).
  const size_t table = text.find("## Sync");
  const size_t table_end = text.find("\n## ", table + 1);
  REQUIRE(table != std::string::npos);
  size_t documented = 0;
  for (size_t row = text.find("\n| `", table); row < table_end; row = text.find("\n| `", row + 1)) {
    const size_t key_begin = row + 4;
    const std::string key = text.substr(key_begin, text.find('`', key_begin) - key_begin);
    json document = json::parse(kDesignExample);
    document["sync"][key] = json::object();
    Scenario scenario;
    const Status status = ParseScenario(document, &scenario);
    INFO(key << ": " << status.message());
    CHECK(status.message().find("unknown key") == std::string::npos);
    ++documented;
  }
  CHECK(documented == 17);
}

}  // namespace
