#include "tools/syncsim/list_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.h"
#include "tools/syncsim/commands.h"

namespace syncsim::tools {
namespace {

namespace fs = std::filesystem;

int List(const std::string& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    fmt::print(stderr, "syncsim: {}: not a directory\n", directory);
    return kExitBadInput;
  }
  std::vector<fs::path> candidates;
  std::vector<fs::path> runs;
  for (auto entry = fs::recursive_directory_iterator(directory, error); entry != fs::recursive_directory_iterator();
       entry.increment(error)) {
    // Hidden folders are a run's work in progress (.seed-N.partial-*) or a
    // replaced snapshot on its way out (.seed-N.old-*), never a scenario.
    const std::string name = entry->path().filename().string();
    if (entry->is_directory(error) && !name.empty() && name[0] == '.') {
      entry.disable_recursion_pending();
      continue;
    }
    if (!entry->is_regular_file() || entry->path().extension() != ".json") continue;
    if (entry->path().filename() == "result.json") {
      runs.push_back(entry->path().parent_path());
    } else {
      candidates.push_back(entry->path());
    }
  }
  // Every JSON file inside a run folder (scenario.json, summaries, live
  // state) belongs to the run, not to the scenarios.
  std::vector<fs::path> scenarios;
  for (const fs::path& path : candidates) {
    const bool in_run = std::any_of(runs.begin(), runs.end(), [&](const fs::path& run) {
      const std::string prefix = run.string() + "/";
      return path.string().rfind(prefix, 0) == 0;
    });
    if (!in_run) scenarios.push_back(path);
  }
  std::sort(scenarios.begin(), scenarios.end());
  std::sort(runs.begin(), runs.end());
  bool any_invalid = false;
  for (const fs::path& path : scenarios) {
    sim::Scenario scenario;
    nlohmann::json resolved;
    core::Status status = sim::LoadScenarioFile(path.string(), {}, std::nullopt, &scenario, &resolved);
    if (!status.ok()) {
      any_invalid = true;
      fmt::print("{:<50} INVALID: {}\n", path.string(), status.message());
      continue;
    }
    fmt::print("{:<50} {} devices, {} steps: {}\n", path.string(), scenario.devices.size(), scenario.steps.size(),
               scenario.description.empty() ? scenario.name : scenario.description);
  }
  for (const fs::path& run : runs) {
    std::ifstream file(run / "result.json");
    nlohmann::json result = nlohmann::json::parse(file, nullptr, false);
    if (result.is_discarded()) {
      fmt::print("{:<50} unreadable result.json\n", run.string());
      continue;
    }
    fmt::print("{:<50} {} fingerprint {} converged={} stall={}{}\n", run.string(),
               result.value("passed", false) ? "PASS" : "FAIL", result.value("fingerprint", ""),
               result.value("converged", false), result["stall"].is_null() ? "no" : "yes",
               fs::exists(run / "report.html", error) ? fmt::format(" report {}", (run / "report.html").string()) : "");
  }
  if (scenarios.empty() && runs.empty()) fmt::print("{}: no scenarios and no runs\n", directory);
  return any_invalid ? kExitBadInput : kExitOk;
}

}  // namespace

std::function<int()> RegisterListCommand(CLI::App& app) {
  auto directory = std::make_shared<std::string>("scenarios");
  CLI::App* command = app.add_subcommand("list", "List scenario files, or the runs under a snapshot folder");
  command->add_option("dir", *directory, "Folder to list (default: scenarios)");
  return [directory] { return List(*directory); };
}

}  // namespace syncsim::tools
