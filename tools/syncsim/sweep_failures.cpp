#include "tools/syncsim/sweep_failures.h"

#include <unistd.h>

#include <filesystem>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/candidate_run.h"
#include "sim/snapshot/atomic_file.h"

namespace syncsim::tools {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The checks that must fail for `document` to pass: those whose result the
// run reported as failed, with the document's own must_fail applied once
// more (a check it names that held was reported failed, one that failed was
// reported held). So: the reported failures and the old list, each name in
// exactly one of them.
json MustFail(const json& document, const std::vector<std::string>& failed_checks) {
  std::set<std::string> names;
  const json& expect = document.value("expect", json::object());
  for (const json& name : expect.value("must_fail", json::array())) names.insert(name.get<std::string>());
  for (const std::string& name : failed_checks) {
    if (!names.erase(name)) names.insert(name);
  }
  return json(names);
}

// `shrunk` as a negative scenario that passes while its checks fail, or
// null when its run does not pass that way (then it is saved as it is).
json AsNegative(const sim::ShrinkResult& shrunk) {
  if (shrunk.crashed) return json();
  json negative = shrunk.scenario;
  negative["expect"]["must_fail"] = MustFail(shrunk.scenario, shrunk.failed_checks);
  const sim::CandidateOutcome replay = sim::RunCandidateIsolated(sim::RunCandidateInProcess, negative);
  if (replay.kind != sim::CandidateOutcome::Kind::kRan || !replay.failed.empty()) return json();
  negative["description"] = negative["description"].get<std::string>() +
                            " Saved by syncsim sweep --save-failures: it passes while exactly the checks of "
                            "expect.must_fail fail; --set expect.must_fail=[] replays the failure.";
  return negative;
}

// Shrinks one failing seed and writes it; false when the file cannot be
// written (a seed that does not shrink is reported and skipped).
bool SaveFailure(const std::string& dir, ShrinkRequest request, json* run, std::FILE* human) {
  sim::ShrinkResult shrunk;
  const core::Status status = ShrinkSeedOfFile(request, {}, &shrunk);
  if (!status.ok()) {
    fmt::print(human, "not saved     seed {}: {}\n", *request.seed, status.message());
    return true;
  }
  json saved = AsNegative(shrunk);
  const bool negative = !saved.is_null();
  if (!negative) saved = shrunk.scenario;
  const std::string path = (fs::path(dir) / (saved["name"].get<std::string>() + ".json")).string();
  const core::Status written = sim::WriteFileAtomically(path, saved.dump(2) + "\n");
  if (!written.ok()) {
    fmt::print(stderr, "syncsim: --save-failures: {}\n", written.message());
    return false;
  }
  (*run)["saved"] = path;
  const std::string failure = shrunk.crashed ? "crashes: " + shrunk.failure_detail
                                            : fmt::format("{} {}", negative ? "must_fail" : "fails",
                                                          fmt::join(shrunk.failed_checks, ", "));
  fmt::print(human, "saved         {} (seed {}: {}; {})\n", path, *request.seed, ShrinkSizeLine(shrunk), failure);
  return true;
}

}  // namespace

bool PrepareFailuresDir(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    fmt::print(stderr, "syncsim: --save-failures {}: cannot create the folder: {}\n", dir, error.message());
    return false;
  }
  // A folder that exists can still refuse files: write one and take it away.
  const std::string probe = (fs::path(dir) / fmt::format(".syncsim-write-check-{}", getpid())).string();
  const core::Status written = sim::WriteFileAtomically(probe, "");
  if (!written.ok()) {
    fmt::print(stderr, "syncsim: --save-failures {}: cannot write there: {}\n", dir, written.message());
    return false;
  }
  fs::remove(probe, error);
  return true;
}

bool SaveFailures(const std::string& dir, const ShrinkRequest& sweep, json* runs, std::FILE* human) {
  for (json& run : *runs) {
    if (run.value("passed", true)) continue;
    ShrinkRequest request = sweep;
    request.seed = run["seed"].get<uint64_t>();
    if (!SaveFailure(dir, request, &run, human)) return false;
  }
  return true;
}

}  // namespace syncsim::tools
