#include "tools/syncsim/compare_command.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/engine_registry.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/scenario/scenario_runner.h"
#include "tools/syncsim/commands.h"
#include "tools/syncsim/decimal_flag.h"

namespace syncsim::tools {
namespace {

struct CompareArguments {
  std::string scenario_path;
  std::vector<std::string> engines;  // empty: every registered engine
  std::optional<uint64_t> seed;
  std::vector<std::string> overrides;
  bool swarm = false;
  bool json = false;
};

// What one engine's run shows, as the columns of the table.
struct EngineColumn {
  std::string engine;
  sim::RunResult result;
  uint64_t records_pulled = 0;
  int64_t owner_links = 0;     // content and parent links the owners hold
  int64_t receiver_links = 0;  // of those, the same link held by a receiver
  int64_t owner_entries = 0;
  int64_t receiver_entries = 0;
};

EngineColumn Summarize(const std::string& engine, sim::RunResult result) {
  EngineColumn column{.engine = engine, .result = std::move(result)};
  for (const auto& [name, device] : column.result.devices.items()) {
    column.records_pulled += device["sync"].value("records_pulled", uint64_t{0});
    for (const nlohmann::json& link : device["linkage"]) {
      column.owner_links += link.value("owner_content_links", int64_t{0}) + link.value("owner_parent_links", int64_t{0});
      column.receiver_links +=
          link.value("receiver_content_links", int64_t{0}) + link.value("receiver_parent_links", int64_t{0});
      column.owner_entries += link.value("owner_entries", int64_t{0});
      column.receiver_entries += link.value("receiver_entries", int64_t{0});
    }
  }
  return column;
}

std::string Share(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

// One row of the table: a label, then each engine's cell.
using Cell = std::function<std::string(const EngineColumn&)>;

void PrintTable(std::FILE* out, const std::vector<EngineColumn>& columns) {
  const std::vector<std::pair<std::string, Cell>> rows = {
      {"verdict", [](const EngineColumn& c) { return std::string(c.result.passed ? "PASS" : "FAIL"); }},
      {"converged", [](const EngineColumn& c) { return std::string(c.result.converged ? "yes" : "no"); }},
      {"quiescent", [](const EngineColumn& c) { return std::string(c.result.quiescent ? "yes" : "no"); }},
      {"virtual time ms", [](const EngineColumn& c) { return std::to_string(c.result.virtual_time_ms); }},
      {"events", [](const EngineColumn& c) { return std::to_string(c.result.events); }},
      {"messages sent", [](const EngineColumn& c) { return std::to_string(c.result.messages.sent); }},
      {"bytes sent", [](const EngineColumn& c) { return std::to_string(c.result.bytes_sent); }},
      {"messages dropped", [](const EngineColumn& c) { return std::to_string(c.result.messages.dropped); }},
      {"records pulled", [](const EngineColumn& c) { return std::to_string(c.records_pulled); }},
      {"entries held", [](const EngineColumn& c) { return Share(c.receiver_entries, c.owner_entries); }},
      {"links held", [](const EngineColumn& c) { return Share(c.receiver_links, c.owner_links); }},
      {"fingerprint", [](const EngineColumn& c) { return c.result.fingerprint; }},
  };
  std::string header = fmt::format("{:<18}", "");
  for (const EngineColumn& column : columns) header += fmt::format(" {:<18}", column.engine);
  fmt::print(out, "{}\n", header);
  for (const auto& [label, cell] : rows) {
    std::string line = fmt::format("{:<18}", label);
    for (const EngineColumn& column : columns) line += fmt::format(" {:<18}", cell(column));
    fmt::print(out, "{}\n", line);
  }
  for (const EngineColumn& column : columns) {
    for (const sim::ExpectationResult& expectation : column.result.expectations) {
      if (!expectation.ok) fmt::print(out, "{:<18} FAIL {} {}\n", column.engine, expectation.name, expectation.detail);
    }
  }
}

nlohmann::json ToJson(const EngineColumn& column) {
  nlohmann::json object = column.result.ToJson();
  object["records_pulled"] = column.records_pulled;
  object["links_held"] = {{"owner", column.owner_links}, {"receiver", column.receiver_links}};
  object["entries_held"] = {{"owner", column.owner_entries}, {"receiver", column.receiver_entries}};
  return object;
}

// Runs the scenario under `engine`. Returns an exit code other than kExitOk
// on bad input (the message printed), else fills *column.
int RunUnder(const CompareArguments& arguments, const std::string& engine, EngineColumn* column) {
  std::vector<std::string> overrides = arguments.overrides;
  overrides.push_back("sync.engine=" + engine);
  sim::Scenario scenario;
  nlohmann::json resolved;
  nlohmann::json swarm;
  core::Status status = sim::LoadScenarioFile(arguments.scenario_path, overrides, arguments.seed, &scenario, &resolved,
                                              arguments.swarm ? &swarm : nullptr);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  sim::RunOptions options;
  options.out_dir.clear();  // a comparison writes no snapshot
  sim::RunResult result;
  status = sim::RunScenario(scenario, resolved, options, &result);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  *column = Summarize(engine, std::move(result));
  return kExitOk;
}

int Compare(const CompareArguments& arguments) {
  std::vector<std::string> engines = arguments.engines;
  if (engines.empty()) {
    for (std::string_view name : core::EngineNames()) engines.emplace_back(name);
  }
  std::vector<EngineColumn> columns;
  for (const std::string& engine : engines) {
    if (core::FindEngine(engine) == nullptr) {
      std::string known;
      for (std::string_view name : core::EngineNames()) known += (known.empty() ? "" : ", ") + std::string(name);
      fmt::print(stderr, "syncsim: --engines: unknown engine \"{}\" (known: {})\n", engine, known);
      return kExitBadInput;
    }
    EngineColumn column;
    if (int code = RunUnder(arguments, engine, &column); code != kExitOk) return code;
    columns.push_back(std::move(column));
  }
  bool all_passed = true;
  for (const EngineColumn& column : columns) all_passed = all_passed && column.result.passed;
  std::FILE* human = arguments.json ? stderr : stdout;
  fmt::print(human, "scenario           {} (seed {})\n", columns.front().result.scenario, columns.front().result.seed);
  PrintTable(human, columns);
  if (arguments.json) {
    nlohmann::json object = {{"scenario", columns.front().result.scenario},
                             {"seed", columns.front().result.seed},
                             {"engines", nlohmann::json::array()}};
    for (const EngineColumn& column : columns) object["engines"].push_back(ToJson(column));
    fmt::print(stdout, "{}\n", object.dump());
  }
  return all_passed ? kExitOk : kExitExpectationFailed;
}

}  // namespace

std::function<int()> RegisterCompareCommand(CLI::App& app) {
  auto arguments = std::make_shared<CompareArguments>();
  CLI::App* command = app.add_subcommand(
      "compare", "Run one scenario and seed under several sync engines and print them side by side");
  command->add_option("scenario", arguments->scenario_path, "Scenario file (JSON)")->required();
  command->add_option("--engines", arguments->engines, "Engines to compare, comma-separated (default: every engine)")
      ->delimiter(',');
  AddSeedOption(command, "--seed", &arguments->seed, "Root seed (overrides the file's)");
  command->add_option("--set", arguments->overrides, "Override a scalar of the file: key=value (repeatable)");
  command->add_flag("--swarm", arguments->swarm, "Draw the fault configuration from the seed (the same for each engine)");
  command->add_flag("--json", arguments->json, "Print exactly one JSON object on stdout (the table on stderr)");
  return [arguments] { return Compare(*arguments); };
}

}  // namespace syncsim::tools
