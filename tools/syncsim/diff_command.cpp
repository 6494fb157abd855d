#include "tools/syncsim/diff_command.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "sim/snapshot/snapshot_diff.h"
#include "tools/syncsim/commands.h"

namespace syncsim::tools {
namespace {

struct DiffArguments {
  std::string a;
  std::string b;
  bool json = false;
};

int Diff(const DiffArguments& arguments) {
  sim::SnapshotDiff diff;
  core::Status status = sim::DiffSnapshots(arguments.a, arguments.b, &diff);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  if (arguments.json) {
    fmt::print(stderr, "{}", sim::RenderDiffText(diff));
    fmt::print("{}\n", sim::ToJson(diff).dump());
  } else {
    fmt::print("{}", sim::RenderDiffText(diff));
  }
  return diff.content_differs ? kExitExpectationFailed : kExitOk;
}

}  // namespace

std::function<int()> RegisterDiffCommand(CLI::App& app) {
  auto arguments = std::make_shared<DiffArguments>();
  CLI::App* command =
      app.add_subcommand("diff", "Compare two phases or two runs; exit 1 when their synced content differs");
  command->add_option("dir_a", arguments->a, "A phase folder or a run folder")->required();
  command->add_option("dir_b", arguments->b, "A folder of the same kind")->required();
  command->add_flag("--json", arguments->json, "Print exactly one JSON object on stdout (the text goes to stderr)");
  return [arguments] { return Diff(*arguments); };
}

}  // namespace syncsim::tools
