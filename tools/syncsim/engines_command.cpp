#include "tools/syncsim/engines_command.h"

#include <fmt/format.h>

#include "core/engine_registry.h"
#include "core/sync_settings.h"
#include "tools/syncsim/commands.h"

namespace syncsim::tools {

std::function<int()> RegisterEnginesCommand(CLI::App& app) {
  app.add_subcommand("engines", "List the sync engines (the values of sync.engine), the default first");
  return [] {
    fmt::print("{}\n", core::kDefaultEngineName);
    for (std::string_view name : core::EngineNames()) {
      if (name != core::kDefaultEngineName) fmt::print("{}\n", name);
    }
    return kExitOk;
  };
}

}  // namespace syncsim::tools
