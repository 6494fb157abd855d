#include "tools/syncsim/validate_command.h"

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.h"
#include "tools/syncsim/commands.h"

namespace syncsim::tools {
namespace {

struct ValidateArguments {
  std::vector<std::string> paths;
};

int Validate(const ValidateArguments& arguments) {
  size_t invalid = 0;
  for (const std::string& path : arguments.paths) {
    sim::Scenario scenario;
    nlohmann::json resolved;
    const core::Status status = sim::LoadScenarioFile(path, {}, std::nullopt, &scenario, &resolved);
    if (status.ok()) {
      fmt::print("ok       {} ({}: {} devices, {} steps)\n", path, scenario.name, scenario.devices.size(),
                 scenario.steps.size());
    } else {
      ++invalid;
      fmt::print("invalid  {}\n", status.message());
    }
  }
  if (arguments.paths.size() > 1) {
    fmt::print("result   {} of {} files valid\n", arguments.paths.size() - invalid, arguments.paths.size());
  }
  return invalid == 0 ? kExitOk : kExitBadInput;
}

}  // namespace

std::function<int()> RegisterValidateCommand(CLI::App& app) {
  auto arguments = std::make_shared<ValidateArguments>();
  CLI::App* command = app.add_subcommand("validate", "Check scenario files without running them");
  command->add_option("files", arguments->paths, "Scenario files (JSON)")->required();
  return [arguments] { return Validate(*arguments); };
}

}  // namespace syncsim::tools
