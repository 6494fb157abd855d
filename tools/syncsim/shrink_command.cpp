#include "tools/syncsim/shrink_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/shrinker.h"
#include "sim/snapshot/atomic_file.h"
#include "tools/syncsim/commands.h"
#include "tools/syncsim/decimal_flag.h"

namespace syncsim::tools {
namespace {

struct ShrinkArguments {
  std::string scenario_path;
  std::optional<uint64_t> seed;
  bool swarm = false;
  std::vector<std::string> overrides;
  std::string out_path;
};

int Shrink(const ShrinkArguments& arguments) {
  sim::Scenario scenario;
  nlohmann::json resolved;
  nlohmann::json swarm;
  core::Status status = sim::LoadScenarioFile(arguments.scenario_path, arguments.overrides, arguments.seed, &scenario,
                                              &resolved, arguments.swarm ? &swarm : nullptr);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  const std::string out_path =
      arguments.out_path.empty() ? fmt::format("{}-seed-{}-shrunk.json", scenario.name, scenario.seed) : arguments.out_path;
  fmt::print("shrinking     {} with seed {}{}\n", arguments.scenario_path, scenario.seed,
             arguments.swarm ? " (swarm faults made explicit)" : "");
  const bool terminal = isatty(fileno(stdout)) != 0;
  sim::ShrinkResult result;
  status = sim::ShrinkScenario(resolved,
                               [terminal](uint64_t attempts, bool kept) {
                                 if (terminal) fmt::print("\r  {} runs{}", attempts, kept ? ", kept a smaller one" : "");
                                 std::fflush(stdout);
                               },
                               &result);
  if (terminal) fmt::print("\n");
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}: {}\n", arguments.scenario_path, status.message());
    return kExitBadInput;
  }
  // The shrunk scenario describes itself, then goes to disk atomically.
  result.scenario["description"] =
      fmt::format("Shrunk by syncsim shrink from {} (seed {}): fails {}. {}", arguments.scenario_path, scenario.seed,
                  result.failure, result.scenario.value("description", ""));
  status = sim::WriteFileAtomically(out_path, result.scenario.dump(2) + "\n");
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  fmt::print("failure       {}: {}\n", result.failure, result.failure_detail);
  fmt::print("runs          {} ({} smaller variants kept)\n", result.attempts, result.accepted);
  fmt::print("size          {} -> {} steps, {} -> {} devices\n", result.steps_before, result.steps_after,
             result.devices_before, result.devices_after);
  fmt::print("written       {}\nreplay with   syncsim run {}\n", out_path, out_path);
  return kExitOk;
}

}  // namespace

std::function<int()> RegisterShrinkCommand(CLI::App& app) {
  auto arguments = std::make_shared<ShrinkArguments>();
  CLI::App* command = app.add_subcommand("shrink", "Make a failing scenario small and write it as a scenario file");
  command->add_option("scenario", arguments->scenario_path, "Scenario file (JSON)")->required();
  AddSeedOption(command, "--seed", &arguments->seed, "The failing seed (default: the file's)");
  command->add_flag("--swarm", arguments->swarm, "The failure came from a swarm run: draw its faults from the seed");
  command->add_option("--set", arguments->overrides, "Override a scalar of the file: key=value (repeatable)");
  command->add_option("--out", arguments->out_path, "Where to write the shrunk scenario (default: NAME-seed-N-shrunk.json)");
  return [arguments] { return Shrink(*arguments); };
}

}  // namespace syncsim::tools
