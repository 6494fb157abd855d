// Tests for sim/action/action.h: the registry holds every action of the
// scenario format with its kind, keys and hooks; each hook names keys and
// actions that exist (a hint naming a key the action lacks would silently
// shrink nothing); the documentation names every action and key; and an
// action defined in this file alone is parsed, refused and run by the
// loader and the runner, which is what "one new file" means.
#include <catch2/catch.hpp>

#include <algorithm>
#include <any>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/action/action.h"
#include "sim/action/action_run.h"
#include "sim/action/step_parse_context.h"
#include "sim/base/json_readers.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"

namespace {

using nlohmann::json;
using syncsim::core::Status;
using namespace syncsim::sim;

// ---- An action of this file alone: counts its runs, per label ----

constexpr std::string_view kTestAction = "test_mark";

struct MarkSettings {
  std::string device;
  std::string label;
};

std::vector<std::string>& Marks() {
  static std::vector<std::string> marks;
  return marks;
}

const bool kMarkRegistered = RegisterAction(
    {.name = kTestAction,
     .kind = ActionKind::kFault,
     .listing_order = 10'000,
     .keys = {{"device", true, "a device name"}, {"label", false, "a name"}},
     .parse =
         [](const json& step, const std::string& path, StepParseContext* context, std::any* settings) {
           MarkSettings parsed;
           SYNCSIM_RETURN_IF_ERROR(context->ReadDevice(step["device"], MemberPath(path, "device"), &parsed.device));
           if (const json* label = Find(step, "label")) {
             SYNCSIM_RETURN_IF_ERROR(ReadName(*label, MemberPath(path, "label"), &parsed.label));
           }
           *settings = std::move(parsed);
           return Status::Ok();
         },
     .run =
         [](const std::any& settings, ActionRun* run) {
           const MarkSettings& mark = std::any_cast<const MarkSettings&>(settings);
           REQUIRE(run->cluster().device(mark.device).is_on());
           Marks().push_back(mark.device + ":" + mark.label);
           return Status::Ok();
         }});

json MarkScenario(json mark_step) {
  return {{"name", "marks"},
          {"devices", {{{"name", "alice"}}, {{"name", "bob"}}}},
          {"steps",
           {{{"action", "connect"}, {"devices", {"alice", "bob"}}},
            std::move(mark_step),
            {{"action", "run_until_quiescent"}, {"max_ms", 10'000}}}},
          {"expect", {{"converge_within_ms", 5'000}}}};
}

std::vector<std::string_view> BuiltInNames() {
  std::vector<std::string_view> names;
  for (const Action* action : RegisteredActions()) {
    if (action->name != kTestAction) names.push_back(action->name);
  }
  return names;
}

TEST_CASE("the action registry lists every action of the scenario format once, in listing order") {
  const std::vector<std::string_view> expected = {
      "connect", "disconnect", "partition", "heal",   "set_network", "start",   "crash",   "restart",
      "clock_jump", "index",   "mutate",    "tag",    "edit_tags",   "collect", "run_until_quiescent", "snapshot"};
  REQUIRE(BuiltInNames() == expected);
  for (std::string_view name : {"index", "mutate", "tag", "edit_tags", "collect"}) {
    CHECK(FindAction(name)->kind == ActionKind::kWorkload);
  }
  for (std::string_view name : {"run_until_quiescent", "snapshot"}) {
    CHECK(FindAction(name)->kind == ActionKind::kControl);
  }
  for (std::string_view name : {"connect", "disconnect", "partition", "heal", "set_network", "start", "crash",
                                "restart", "clock_jump"}) {
    CHECK(FindAction(name)->kind == ActionKind::kFault);
  }
  CHECK(FindAction("nonsense") == nullptr);
}

TEST_CASE("the swarm draws partitions, crashes and clock jumps, in that order") {
  std::vector<std::pair<int, std::string_view>> drawers;
  for (const Action* action : RegisteredActions()) {
    if (action->swarm) drawers.emplace_back(action->swarm_order, action->name);
  }
  std::sort(drawers.begin(), drawers.end());
  REQUIRE(drawers.size() == 3);
  CHECK(drawers[0].second == "partition");
  CHECK(drawers[1].second == "crash");
  CHECK(drawers[2].second == "clock_jump");
  CHECK(FindAction("crash")->power == PowerEffect::kTurnsOff);
  CHECK(FindAction("start")->power == PowerEffect::kTurnsOn);
  CHECK(FindAction("restart")->power == PowerEffect::kTurnsOn);
  CHECK(FindAction("partition")->power == PowerEffect::kNone);
}

bool HasKey(const Action& action, std::string_view key) {
  return std::any_of(action.keys.begin(), action.keys.end(), [&](const ActionKey& known) { return known.name == key; });
}

TEST_CASE("every shrink hint names a key or an action that exists") {
  size_t hints = 0;
  for (const Action* action : RegisteredActions()) {
    INFO(action->name);
    for (const SizeKey& key : action->shrink.size_keys) {
      CHECK(HasKey(*action, key.name));
      ++hints;
    }
    for (std::string_view key : action->shrink.probability_keys) {
      CHECK(HasKey(*action, key));
      ++hints;
    }
    if (action->shrink.network_keys) CHECK((HasKey(*action, "drop") && HasKey(*action, "latency_ms")));
    if (!action->shrink.removed_with.empty()) CHECK(FindAction(action->shrink.removed_with) != nullptr);
    if (action->shrink.devices_min > 1) CHECK(HasKey(*action, "devices"));
    for (const ActionKey& key : action->keys) CHECK_FALSE(key.holds.empty());
  }
  CHECK(hints == 12);  // 2 + 2 index, 3 mutate, 2 tag, 2 collect, 1 edit_tags
}

TEST_CASE("docs/scenario-format.md names every action with every one of its keys in its row") {
  std::ifstream file(std::string(SYNCSIM_SOURCE_DIR) + "/docs/scenario-format.md");
  REQUIRE(file.good());
  // The rows of the steps table: after "## Steps", before the next section
  // (the Devices table has a `start` row too).
  std::vector<std::string> lines;
  bool in_steps = false;
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with("## ")) in_steps = line == "## Steps";
    if (in_steps) lines.push_back(line);
  }
  REQUIRE(lines.size() > 15);
  for (const Action* action : RegisteredActions()) {
    if (action->name == kTestAction) continue;
    INFO(action->name);
    const std::string row_start = "| `" + std::string(action->name) + "` |";
    auto row = std::find_if(lines.begin(), lines.end(), [&](const std::string& line) { return line.starts_with(row_start); });
    REQUIRE(row != lines.end());
    for (const ActionKey& key : action->keys) {
      INFO(key.name);
      CHECK(row->find("`" + std::string(key.name) + "`") != std::string::npos);
    }
  }
}

TEST_CASE("an action defined in one file is parsed, refused and run like the built-in ones") {
  Scenario scenario;
  SECTION("its keys are checked with its own list") {
    const Status unknown = ParseScenario(MarkScenario({{"action", "test_mark"}, {"device", "alice"}, {"lable", "x"}}), &scenario);
    CHECK(unknown.message().find("steps[1]") != std::string::npos);
    CHECK(unknown.message().find("\"label\"") != std::string::npos);  // the suggestion
    const Status missing = ParseScenario(MarkScenario({{"action", "test_mark"}}), &scenario);
    CHECK(missing.message().find("\"device\"") != std::string::npos);
    const Status device = ParseScenario(MarkScenario({{"action", "test_mark"}, {"device", "carol"}}), &scenario);
    CHECK(device.message().find("steps[1].device: unknown device \"carol\"") != std::string::npos);
  }
  SECTION("its run is the runner's step, and a fault step opens the liveness window") {
    const json document = MarkScenario({{"action", "test_mark"}, {"device", "bob"}, {"label", "here"}});
    REQUIRE(ParseScenario(document, &scenario).message() == "");
    Marks().clear();
    RunResult result;
    REQUIRE(RunScenario(scenario, document, RunOptions{.out_dir = "", .db_dir = "", .force = false, .trace_path = ""},
                        &result)
                .ok());
    CHECK(Marks() == std::vector<std::string>{"bob:here"});
    CHECK(result.passed);
    const auto liveness = std::find_if(result.expectations.begin(), result.expectations.end(),
                                       [](const ExpectationResult& expectation) {
                                         return expectation.name == "converge_within_ms";
                                       });
    REQUIRE(liveness != result.expectations.end());
    CHECK(liveness->detail.find("step 1 (test_mark)") != std::string::npos);
  }
}

}  // namespace
