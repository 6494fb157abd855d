#include "tools/syncsim/commands.h"

#include <functional>
#include <map>
#include <string>

#include "tools/syncsim/bench_command.h"
#include "tools/syncsim/compare_command.h"
#include "tools/syncsim/diff_command.h"
#include "tools/syncsim/engines_command.h"
#include "tools/syncsim/explain_command.h"
#include "tools/syncsim/list_command.h"
#include "tools/syncsim/merge_command.h"
#include "tools/syncsim/report_command.h"
#include "tools/syncsim/run_command.h"
#include "tools/syncsim/shrink_command.h"
#include "tools/syncsim/sweep_command.h"
#include "tools/syncsim/validate_command.h"

namespace syncsim::tools {
namespace {

std::map<std::string, std::function<int()>>& Handlers() {
  static std::map<std::string, std::function<int()>> handlers;
  return handlers;
}

}  // namespace

void RegisterCommands(CLI::App& app) {
  Handlers()["run"] = RegisterRunCommand(app);
  Handlers()["list"] = RegisterListCommand(app);
  Handlers()["bench"] = RegisterBenchCommand(app);
  Handlers()["sweep"] = RegisterSweepCommand(app);
  Handlers()["shrink"] = RegisterShrinkCommand(app);
  Handlers()["report"] = RegisterReportCommand(app);
  Handlers()["diff"] = RegisterDiffCommand(app);
  Handlers()["compare"] = RegisterCompareCommand(app);
  Handlers()["engines"] = RegisterEnginesCommand(app);
  Handlers()["merge"] = RegisterMergeCommand(app);
  Handlers()["explain"] = RegisterExplainCommand(app);
  Handlers()["validate"] = RegisterValidateCommand(app);
}

int RunSelectedCommand(CLI::App& app) {
  CLI::App* selected = app.get_subcommands().front();
  auto found = Handlers().find(selected->get_name());
  if (found == Handlers().end()) return kExitInternal;
  return found->second();
}

}  // namespace syncsim::tools
