#include "tools/syncsim/explain_command.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/uuid.h"
#include "sim/base/strict_json.h"
#include "sim/explain/record_story.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"
#include "sim/snapshot/atomic_file.h"
#include "tools/syncsim/commands.h"

namespace syncsim::tools {
namespace {

namespace fs = std::filesystem;

struct ExplainArguments {
  std::string run_dir;
  std::string record;
  std::string device;
  bool json = false;
};

// The fingerprint RUN_DIR/result.json records; empty (with *error) when
// the file cannot be read or has none.
std::string RecordedFingerprint(const fs::path& run_dir, std::string* error) {
  const std::string path = (run_dir / "result.json").string();
  std::string text;
  nlohmann::json result;
  if (core::Status status = sim::ReadWholeFile(path, &text); !status.ok()) {
    *error = status.message();
    return "";
  }
  if (core::Status status = sim::ParseStrictJson(text, &result); !status.ok()) {
    *error = path + ": " + status.message();
    return "";
  }
  if (!result.is_object() || !result.contains("fingerprint") || !result["fingerprint"].is_string()) {
    *error = path + ": fingerprint: expected a string";
    return "";
  }
  return result["fingerprint"].get<std::string>();
}

int Explain(const ExplainArguments& arguments) {
  const std::optional<core::Uuid> record = core::Uuid::Parse(arguments.record);
  if (!record.has_value()) {
    fmt::print(stderr, "syncsim: explain: --record {}: expected a uuid (8-4-4-4-12 hex digits)\n", arguments.record);
    return kExitBadInput;
  }
  const fs::path run_dir(arguments.run_dir);
  std::string error;
  const std::string recorded = RecordedFingerprint(run_dir, &error);
  sim::Scenario scenario;
  nlohmann::json resolved;
  if (error.empty()) {
    const core::Status status =
        sim::LoadScenarioFile((run_dir / "scenario.json").string(), {}, std::nullopt, &scenario, &resolved);
    if (!status.ok()) error = status.message();
  }
  if (error.empty() && !arguments.device.empty() &&
      std::none_of(scenario.devices.begin(), scenario.devices.end(),
                   [&](const sim::ScenarioDevice& device) { return device.name == arguments.device; })) {
    error = fmt::format("--device {}: the run has no such device", arguments.device);
  }
  if (!error.empty()) {
    fmt::print(stderr, "syncsim: explain: {}\n", error);
    return kExitBadInput;
  }
  sim::RecordStory story(*record, arguments.device);
  sim::RunResult result;
  const core::Status status = sim::RunScenario(scenario, resolved, sim::RunOptions{.out_dir = "", .observer = &story}, &result);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: explain: replaying {}: {}\n", run_dir.string(), status.message());
    return kExitInternal;
  }
  const bool same_run = result.fingerprint == recorded;
  const std::string replayed =
      same_run ? fmt::format("the run's own (fingerprint {})", recorded)
               : fmt::format("NOT the run's: this build replays fingerprint {}, the run recorded {}; the story is of "
                             "this build's run",
                             result.fingerprint, recorded);
  if (arguments.json) {
    nlohmann::json object = sim::StoryToJson(story, record->ToString());
    object["replay_matches_run"] = same_run;
    object["fingerprint"] = result.fingerprint;
    fmt::print(stdout, "{}\n", object.dump());
    return kExitOk;
  }
  fmt::print("replay        {}\n{}", replayed, sim::FormatStory(story, record->ToString()));
  return kExitOk;
}

}  // namespace

std::function<int()> RegisterExplainCommand(CLI::App& app) {
  auto arguments = std::make_shared<ExplainArguments>();
  CLI::App* command = app.add_subcommand("explain", "Tell the story of one record across a run, by replaying it");
  command->add_option("run", arguments->run_dir, "A run's snapshot folder (<out>/<scenario>/seed-<seed>)")
      ->required();
  command->add_option("--record", arguments->record, "The record's uuid")->required();
  command->add_option("--device", arguments->device, "Tell only what concerns this device");
  command->add_flag("--json", arguments->json, "Print exactly one JSON object on stdout");
  return [arguments] { return Explain(*arguments); };
}

}  // namespace syncsim::tools
