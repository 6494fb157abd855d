#include "tools/syncsim/run_command.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/check/coverage.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"
#include "tools/syncsim/commands.h"
#include "tools/syncsim/decimal_flag.h"
#include "tools/syncsim/path_flag.h"
#include "tools/syncsim/sweep_determinism.h"

namespace syncsim::tools {
namespace {

struct RunArguments {
  std::string scenario_path;
  std::optional<uint64_t> seed;
  std::string out_dir = "snapshots";
  std::vector<std::string> overrides;
  bool json = false;
  std::string db_dir;
  bool force = false;
  bool swarm = false;
  bool no_snapshot = false;
  std::string trace_out;  // hidden: sweep --check-determinism keeps each run's trace
};

std::string ReplayCommand(const RunArguments& arguments, uint64_t seed) {
  std::string command = fmt::format("syncsim run {} --seed {}", arguments.scenario_path, seed);
  if (arguments.swarm) command += " --swarm";
  for (const std::string& assignment : arguments.overrides) command += fmt::format(" --set {}", assignment);
  return command;
}

void PrintHuman(std::FILE* out, const sim::RunResult& result, const RunArguments& arguments) {
  fmt::print(out, "scenario      {} (seed {})\n", result.scenario, result.seed);
  fmt::print(out, "engine        {}\n", result.engine);
  fmt::print(out, "fingerprint   {}\n", result.fingerprint);
  // The state fingerprint with every device's digest: devices that hold the
  // same synced rows show the same digest.
  std::string digests;
  for (const auto& [name, device] : result.devices.items()) {
    digests += fmt::format("{}{} {}", digests.empty() ? "" : ", ", name, device.value("state_digest", ""));
  }
  fmt::print(out, "state         {} ({})\n", result.state_fingerprint, digests);
  fmt::print(out, "virtual time  {} ms, {} events\n", result.virtual_time_ms, result.events);
  fmt::print(out, "messages      {} sent, {} delivered, {} dropped, {} duplicated\n", result.messages.sent,
             result.messages.delivered, result.messages.dropped, result.messages.duplicated);
  fmt::print(out, "converged     {}\n", result.converged ? "yes" : "no");
  // Which rare paths the run took, in table order, with how often.
  std::string fired;
  size_t fired_count = 0;
  for (const sim::CoveragePath& path : sim::CoveragePaths()) {
    const uint64_t count = result.coverage.value(std::string(path.name), uint64_t{0});
    if (count == 0) continue;
    ++fired_count;
    fired += fmt::format("{}{} {}", fired.empty() ? "" : ", ", path.name, count);
  }
  fmt::print(out, "coverage      {} of {} rare paths{}{}\n", fired_count, sim::CoveragePaths().size(),
             fired.empty() ? "" : ": ", fired);
  if (!result.stall.is_null()) {
    fmt::print(out, "stall         at {} ms: {}\n              {}\n", result.stall.value("detected_at_ms", 0),
               result.stall.value("reason", ""), result.stall.value("headline", ""));
  }
  for (const auto& [name, device] : result.devices.items()) {
    fmt::print(out, "device {:<8} {} entries, {} files, {} with content, {} orphans, {} parked\n", name,
               device.value("entries", 0), device.value("files", 0), device.value("files_with_content", 0),
               device.value("orphans", 0), device.value("parked_records", 0));
    for (const nlohmann::json& link : device["linkage"]) {
      fmt::print(out, "       {:<8} {} ({:.1f}%)\n", "", link.value("text", ""),
                 100.0 * link.value("content_share", 0.0));
    }
    const nlohmann::json& sync = device["sync"];
    if (sync.value("pages_received", 0) > 0 || sync.value("resyncs", 0) > 0 || sync.value("resends", 0) > 0) {
      fmt::print(out, "       {:<8} pulled {} records in {} pages; {} re-syncs repaired {} records; {} resends\n", "",
                 sync.value("records_pulled", 0), sync.value("pages_received", 0), sync.value("resyncs", 0),
                 sync.value("records_repaired", 0), sync.value("resends", 0));
    }
  }
  for (const sim::ExpectationResult& expectation : result.expectations) {
    fmt::print(out, "{} {:<22} {}\n", expectation.ok ? "  ok  " : "  FAIL", expectation.name, expectation.detail);
  }
  if (!result.snapshot_dir.empty()) {
    fmt::print(out, "snapshot      {}\nreport        {}/report.html\n", result.snapshot_dir, result.snapshot_dir);
  }
  fmt::print(out, "verdict       {}\n", result.passed ? "PASS" : "FAIL");
  if (!result.passed) fmt::print(out, "replay with   {}\n", ReplayCommand(arguments, result.seed));
}

int Run(const RunArguments& arguments) {
  sim::Scenario scenario;
  nlohmann::json resolved;
  nlohmann::json swarm;
  core::Status status = sim::LoadScenarioFile(arguments.scenario_path, arguments.overrides, arguments.seed, &scenario,
                                              &resolved, arguments.swarm ? &swarm : nullptr);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  ApplyTestNondeterminism(&scenario);
  if (arguments.swarm) {
    // The drawn faults, so that a person reading the output knows the run.
    fmt::print(arguments.json ? stderr : stdout, "swarm         {}\n", swarm.dump());
  }
  sim::RunOptions options;
  options.out_dir = arguments.no_snapshot ? std::string() : arguments.out_dir;
  options.db_dir = arguments.db_dir;
  options.force = arguments.force;
  options.trace_path = arguments.trace_out;
  sim::RunResult result;
  status = sim::RunScenario(scenario, resolved, options, &result);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  if (arguments.json) {
    PrintHuman(stderr, result, arguments);
    nlohmann::json object = result.ToJson();
    if (!result.passed) object["replay"] = ReplayCommand(arguments, result.seed);
    if (arguments.swarm) object["swarm"] = swarm;
    fmt::print(stdout, "{}\n", object.dump());
  } else {
    PrintHuman(stdout, result, arguments);
  }
  return result.passed ? kExitOk : kExitExpectationFailed;
}

}  // namespace

std::function<int()> RegisterRunCommand(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "Run one scenario, write its snapshot and check its expectations");
  command->add_option("scenario", arguments->scenario_path, "Scenario file (JSON)")->required();
  AddSeedOption(command, "--seed", &arguments->seed, "Root seed (overrides the file's)");
  command->add_option("--out", arguments->out_dir, "Snapshot folder (default: snapshots)")->check(NonEmptyPath());
  command->add_option("--set", arguments->overrides, "Override a scalar of the file: key=value (repeatable)");
  command->add_flag("--json", arguments->json, "Print exactly one JSON object on stdout (human output on stderr)");
  command->add_option("--db-dir", arguments->db_dir, "Keep device databases as files in this folder")
      ->check(NonEmptyPath());
  command->add_flag("--force", arguments->force, "Replace an existing snapshot of the same scenario and seed");
  command->add_flag("--swarm", arguments->swarm, "Draw the fault configuration from the seed (see sweep --swarm)");
  command->add_flag("--no-snapshot", arguments->no_snapshot, "Write nothing; print the verdict only (sweeps use it)");
  // Hidden (no group): for sweep --check-determinism, not for people.
  command->add_option("--trace-out", arguments->trace_out, "Write the trace to this file")->group("");
  return [arguments] { return Run(*arguments); };
}

}  // namespace syncsim::tools
