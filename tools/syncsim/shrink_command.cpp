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
#include "tools/syncsim/path_flag.h"

namespace syncsim::tools {
namespace {

int Shrink(const ShrinkRequest& request, const std::string& out_path_flag) {
  fmt::print("shrinking     {} with seed {}{}\n", request.scenario_path,
             request.seed.has_value() ? std::to_string(*request.seed) : std::string("of the file"),
             request.swarm ? " (swarm faults made explicit)" : "");
  const bool terminal = isatty(fileno(stdout)) != 0;
  sim::ShrinkResult result;
  const core::Status status = ShrinkSeedOfFile(request,
                                               [terminal](uint64_t attempts, bool kept) {
                                                 if (!terminal) return;
                                                 fmt::print("\r  {} runs{}", attempts, kept ? ", kept a smaller one" : "");
                                                 std::fflush(stdout);
                                               },
                                               &result);
  if (terminal) fmt::print("\n");
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  const std::string out_path =
      out_path_flag.empty() ? result.scenario.value("name", std::string("shrunk")) + ".json" : out_path_flag;
  const core::Status written = sim::WriteFileAtomically(out_path, result.scenario.dump(2) + "\n");
  if (!written.ok()) {
    fmt::print(stderr, "syncsim: {}\n", written.message());
    return kExitBadInput;
  }
  fmt::print("failure       {}: {}\n", result.failure, result.failure_detail);
  fmt::print("runs          {} ({} smaller variants kept), {} crashing variants refused\n", result.attempts,
             result.accepted, result.crashes_rejected);
  fmt::print("size          {}\n", ShrinkSizeLine(result));
  fmt::print("written       {}\nreplay with   syncsim run {}\n", out_path, out_path);
  return kExitOk;
}

}  // namespace

core::Status ShrinkSeedOfFile(const ShrinkRequest& request, const std::function<void(uint64_t, bool)>& progress,
                              sim::ShrinkResult* result) {
  sim::Scenario scenario;
  nlohmann::json resolved;
  nlohmann::json swarm;
  const core::Status status = sim::LoadScenarioFile(request.scenario_path, request.overrides, request.seed, &scenario,
                                                    &resolved, request.swarm ? &swarm : nullptr);
  if (!status.ok()) return status;
  sim::ShrinkOptions options;
  options.progress = progress;
  options.source = request.scenario_path;
  const core::Status shrunk = sim::ShrinkScenario(resolved, options, result);
  if (!shrunk.ok()) return core::Status::InvalidArgument(request.scenario_path + ": " + shrunk.message());
  return core::Status::Ok();
}

std::string ShrinkSizeLine(const sim::ShrinkResult& result) {
  return fmt::format("{} -> {} steps, {} -> {} devices, {} -> {} files", result.steps_before, result.steps_after,
                     result.devices_before, result.devices_after, result.files_before, result.files_after);
}

std::function<int()> RegisterShrinkCommand(CLI::App& app) {
  struct ShrinkArguments {
    ShrinkRequest request;
    std::string out_path;
  };
  auto arguments = std::make_shared<ShrinkArguments>();
  CLI::App* command = app.add_subcommand("shrink", "Make a failing scenario small and write it as a scenario file");
  command->add_option("scenario", arguments->request.scenario_path, "Scenario file (JSON)")->required();
  AddSeedOption(command, "--seed", &arguments->request.seed, "The failing seed (default: the file's)");
  command->add_flag("--swarm", arguments->request.swarm,
                    "The failure came from a swarm run: draw its faults from the seed");
  command->add_option("--set", arguments->request.overrides, "Override a scalar of the file: key=value (repeatable)");
  command->add_option("--out", arguments->out_path,
                      "Where to write the shrunk scenario (default: NAME_seed_N_shrunk.json)")
      ->check(NonEmptyPath());
  return [arguments] { return Shrink(arguments->request, arguments->out_path); };
}

}  // namespace syncsim::tools
