#include "tools/syncsim/sweep_command.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.h"
#include "sim/snapshot/atomic_file.h"
#include "tools/syncsim/commands.h"
#include "tools/syncsim/decimal_flag.h"
#include "tools/syncsim/junit_xml.h"
#include "tools/syncsim/path_flag.h"
#include "tools/syncsim/shard_environment.h"
#include "tools/syncsim/sweep_coverage.h"
#include "tools/syncsim/sweep_determinism.h"
#include "tools/syncsim/sweep_failures.h"

extern char** environ;

namespace syncsim::tools {
namespace {

namespace fs = std::filesystem;

// A sweep is at most this many seeds (a typo must not start a run that
// never ends), and a shard count at most this.
constexpr uint64_t kSweepSeedsMax = 10'000'000;
constexpr uint64_t kShardsMax = 100'000;
constexpr unsigned kJobsMax = 256;

struct SweepArguments {
  std::string scenario_path;
  std::string seeds;
  bool swarm = false;
  unsigned jobs = 1;
  std::string shard;
  std::string junit_path;
  std::vector<std::string> overrides;
  bool json = false;
  std::optional<unsigned> determinism_percent;  // --check-determinism P
  std::string save_failures_dir;  // empty: failing seeds are only listed
};

// The outcome of one seed.
struct SeedResult {
  uint64_t seed = 0;
  int exit_code = 0;  // the worker's, or kExitInternal when it died of a signal
  double wall_s = 0;  // host time, reported in JUnit only (never in --json)
  nlohmann::json run;  // the worker's --json object (null when it printed none)
};

// Two unsigned numbers separated by `separator` ("1..100", "2/4"), nothing
// else around them.
bool ParseNumberPair(const std::string& text, const std::string& separator, uint64_t* left, uint64_t* right) {
  const size_t at = text.find(separator);
  if (at == std::string::npos) return false;
  return ParseDecimalU64(std::string_view(text).substr(0, at), left) &&
         ParseDecimalU64(std::string_view(text).substr(at + separator.size()), right);
}

// "A..B" with A <= B.
bool ParseSeedRange(const std::string& text, uint64_t* first, uint64_t* last) {
  return ParseNumberPair(text, "..", first, last) && *first <= *last;
}

// "K/N" with 1 <= K <= N.
bool ParseShard(const std::string& text, uint64_t* index, uint64_t* count) {
  return ParseNumberPair(text, "/", index, count) && *index >= 1 && *index <= *count && *count <= kShardsMax;
}

std::string ReplayCommand(const SweepArguments& arguments, uint64_t seed) {
  std::string command = fmt::format("syncsim run {} --seed {}", arguments.scenario_path, seed);
  if (arguments.swarm) command += " --swarm";
  for (const std::string& assignment : arguments.overrides) command += fmt::format(" --set {}", assignment);
  return command;
}

// Why a seed failed, in one line.
std::string FailureSummary(const SeedResult& result) {
  if (result.exit_code == kExitInternal || result.run.is_null()) {
    return fmt::format("worker exited with code {} (internal error)", result.exit_code);
  }
  std::string summary;
  for (const nlohmann::json& expectation : result.run.value("expectations", nlohmann::json::array())) {
    if (expectation.value("ok", true)) continue;
    summary += (summary.empty() ? "" : "; ") + expectation.value("name", std::string()) + ": " +
               expectation.value("detail", std::string());
  }
  return summary.empty() ? std::string("failed") : summary;
}

// Runs the workers, at most `jobs` at once, in seed order of start.
class WorkerPool {
 public:
  // The runs of `traced_seeds` keep their trace (DeterminismTracePath).
  WorkerPool(const SweepArguments& arguments, fs::path work_dir, std::vector<uint64_t> traced_seeds = {})
      : arguments_(arguments), work_dir_(std::move(work_dir)), traced_seeds_(std::move(traced_seeds)) {}

  // Returns false when a worker could not be started at all.
  bool Run(const std::vector<uint64_t>& seeds, std::vector<SeedResult>* results) {
    results->assign(seeds.size(), SeedResult());
    const bool terminal = isatty(fileno(stderr)) != 0 && !arguments_.json;
    size_t next = 0;
    size_t finished = 0;
    size_t failed = 0;
    std::map<pid_t, size_t> running;  // pid -> index in seeds
    std::map<pid_t, std::chrono::steady_clock::time_point> started;
    while (finished < seeds.size()) {
      while (next < seeds.size() && running.size() < arguments_.jobs) {
        const pid_t pid = Spawn(seeds[next]);
        if (pid <= 0) return false;
        running.emplace(pid, next);
        started.emplace(pid, std::chrono::steady_clock::now());
        ++next;
      }
      int status = 0;
      const pid_t pid = waitpid(-1, &status, 0);
      if (pid < 0) return false;
      auto found = running.find(pid);
      if (found == running.end()) continue;
      SeedResult& result = (*results)[found->second];
      result.seed = seeds[found->second];
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : kExitInternal;
      result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started[pid]).count();
      result.run = ReadOutput(result.seed);
      if (result.exit_code != kExitOk) ++failed;
      running.erase(found);
      started.erase(pid);
      ++finished;
      if (terminal) fmt::print(stderr, "\r  {}/{} seeds run, {} failed", finished, seeds.size(), failed);
    }
    if (terminal) fmt::print(stderr, "\n");
    return true;
  }

 private:
  fs::path OutputPath(uint64_t seed) const { return work_dir_ / fmt::format("seed-{}.json", seed); }

  pid_t Spawn(uint64_t seed) {
    std::vector<std::string> words = {"syncsim", "run", arguments_.scenario_path, "--seed", std::to_string(seed),
                                      "--json", "--no-snapshot"};
    if (arguments_.swarm) words.push_back("--swarm");
    if (std::find(traced_seeds_.begin(), traced_seeds_.end(), seed) != traced_seeds_.end()) {
      words.insert(words.end(), {"--trace-out", DeterminismTracePath(work_dir_, seed).string()});
    }
    for (const std::string& assignment : arguments_.overrides) {
      words.push_back("--set");
      words.push_back(assignment);
    }
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string output = OutputPath(seed).string();
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return error == 0 ? pid : -1;
  }

  nlohmann::json ReadOutput(uint64_t seed) const {
    std::ifstream file(OutputPath(seed));
    std::stringstream text;
    text << file.rdbuf();
    nlohmann::json parsed = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? nlohmann::json() : parsed;
  }

  const SweepArguments& arguments_;
  fs::path work_dir_;
  std::vector<uint64_t> traced_seeds_;
};

// Runs `rechecked` again in a folder of their own and compares each with
// its first run in `results`. Sets *ran to false when no worker started.
DeterminismReport RecheckDeterminism(const SweepArguments& arguments, const fs::path& work_dir,
                                     const std::vector<SeedResult>& results, const std::vector<uint64_t>& rechecked,
                                     bool* ran) {
  const fs::path again_dir = work_dir / "again";
  std::error_code error;
  fs::create_directories(again_dir, error);
  std::vector<SeedResult> again_results;
  *ran = !error && WorkerPool(arguments, again_dir, rechecked).Run(rechecked, &again_results);
  std::vector<DeterminismRun> first;
  std::vector<DeterminismRun> again;
  for (size_t i = 0; *ran && i < again_results.size(); ++i) {
    const uint64_t seed = again_results[i].seed;
    auto original = std::find_if(results.begin(), results.end(), [seed](const SeedResult& r) { return r.seed == seed; });
    assert(original != results.end() && "re-checked seeds are seeds of the sweep");
    first.push_back({seed, original->run, DeterminismTracePath(work_dir, seed)});
    again.push_back({seed, again_results[i].run, DeterminismTracePath(again_dir, seed)});
  }
  return CompareDeterminismRuns(arguments.determinism_percent.value_or(0), first, again);
}

// Writes the JUnit XML atomically; false (with the error printed) when it
// cannot be written after all.
bool WriteJunit(const SweepArguments& arguments, const std::string& scenario_name,
                const std::vector<SeedResult>& results) {
  std::vector<JunitCase> cases;
  for (const SeedResult& result : results) {
    JunitCase junit_case{.seed = result.seed, .wall_s = result.wall_s, .passed = result.exit_code == kExitOk};
    if (!junit_case.passed) {
      junit_case.failure = FailureSummary(result);
      junit_case.replay = ReplayCommand(arguments, result.seed);
    }
    cases.push_back(std::move(junit_case));
  }
  const core::Status status = sim::WriteFileAtomically(arguments.junit_path, JunitXml(scenario_name, cases));
  if (!status.ok()) fmt::print(stderr, "syncsim: --junit: {}\n", status.message());
  return status.ok();
}

// The seeds of --seeds A..B in --shard K/N; prints the error and returns
// false on bad flags.
bool SelectSeeds(const SweepArguments& arguments, uint64_t* first, uint64_t* last, std::vector<uint64_t>* seeds) {
  if (!ParseSeedRange(arguments.seeds, first, last)) {
    fmt::print(stderr, "syncsim: --seeds {}: expected A..B with 0 <= A <= B\n", arguments.seeds);
    return false;
  }
  if (*last - *first >= kSweepSeedsMax) {
    fmt::print(stderr, "syncsim: --seeds {}: more than {} seeds\n", arguments.seeds, kSweepSeedsMax);
    return false;
  }
  uint64_t shard_index = 1;
  uint64_t shard_count = 1;
  if (!arguments.shard.empty() && !ParseShard(arguments.shard, &shard_index, &shard_count)) {
    fmt::print(stderr, "syncsim: --shard {}: expected K/N with 1 <= K <= N <= {}\n", arguments.shard, kShardsMax);
    return false;
  }
  for (uint64_t seed = *first;; ++seed) {
    if ((seed - *first) % shard_count == shard_index - 1) seeds->push_back(seed);
    if (seed == *last) break;
  }
  return true;
}

// What the seeds' runs add up to.
struct SweepTally {
  size_t failed = 0;
  bool crashed = false;  // a worker died or printed nothing
  nlohmann::json runs = nlohmann::json::array();  // one entry per seed, for --json and --save-failures
  SweepCoverage coverage;
};

SweepTally TallyRuns(const SweepArguments& arguments, const std::vector<SeedResult>& results) {
  SweepTally tally;
  for (const SeedResult& result : results) {
    tally.coverage.Add(result.run);
    const bool passed = result.exit_code == kExitOk;
    if (!passed) ++tally.failed;
    if (result.exit_code == kExitInternal || (!passed && result.run.is_null())) tally.crashed = true;
    nlohmann::json entry = {{"seed", result.seed}, {"exit_code", result.exit_code}, {"passed", passed}};
    if (!result.run.is_null()) {
      entry["fingerprint"] = result.run.value("fingerprint", std::string());
      entry["state_fingerprint"] = result.run.value("state_fingerprint", std::string());
      entry["converged"] = result.run.value("converged", false);
      if (result.run.contains("swarm")) entry["swarm"] = result.run["swarm"];
    }
    if (!passed) {
      entry["failure"] = FailureSummary(result);
      entry["replay"] = ReplayCommand(arguments, result.seed);
    }
    tally.runs.push_back(std::move(entry));
  }
  return tally;
}

void PrintTally(std::FILE* human, const SweepTally& tally, size_t seeds) {
  tally.coverage.Print(human);
  fmt::print(human, "result        {} of {} seeds passed, {} failed\n", seeds - tally.failed, seeds, tally.failed);
  if (tally.failed == 0) return;
  fmt::print(human, "failing seeds:\n");
  for (const nlohmann::json& entry : tally.runs) {
    if (entry["passed"].get<bool>()) continue;
    fmt::print(human, "  seed {:<10} {}\n                  replay with: {}\n", entry["seed"].get<uint64_t>(),
               entry["failure"].get<std::string>(), entry["replay"].get<std::string>());
  }
}

// `--shard auto`: replaces it by the K/N the environment names (see
// shard_environment.h) and says where it came from; prints the error and
// returns false when the environment names none.
bool ResolveAutoShard(SweepArguments* arguments) {
  if (arguments->shard != "auto") return true;
  EnvironmentShard shard;
  std::string error;
  if (!ReadEnvironmentShard(ProcessEnvironment(), kShardsMax, &shard, &error)) {
    fmt::print(stderr, "syncsim: --shard auto: {}\n", error);
    return false;
  }
  arguments->shard = fmt::format("{}/{}", shard.index, shard.count);
  fmt::print(arguments->json ? stderr : stdout, "shard         {} from {}\n", arguments->shard, shard.source);
  return true;
}

int Sweep(SweepArguments arguments) {
  if (!ResolveAutoShard(&arguments)) return kExitBadInput;
  uint64_t first = 0;
  uint64_t last = 0;
  std::vector<uint64_t> seeds;
  if (!SelectSeeds(arguments, &first, &last, &seeds)) return kExitBadInput;
  // Check the scenario once, so that bad input is reported as such.
  sim::Scenario scenario;
  nlohmann::json resolved;
  core::Status status = sim::LoadScenarioFile(arguments.scenario_path, arguments.overrides, first, &scenario, &resolved);
  if (!status.ok()) {
    fmt::print(stderr, "syncsim: {}\n", status.message());
    return kExitBadInput;
  }
  if (!arguments.save_failures_dir.empty() && !PrepareFailuresDir(arguments.save_failures_dir)) return kExitBadInput;
  // A JUnit file that cannot be written is bad input, found before any
  // seed runs rather than after the whole sweep.
  if (std::string problem; !arguments.junit_path.empty() && !CanWriteBeside(arguments.junit_path, &problem)) {
    fmt::print(stderr, "syncsim: --junit {}: {}\n", arguments.junit_path, problem);
    return kExitBadInput;
  }

  const fs::path work_dir = fs::temp_directory_path() / fmt::format("syncsim-sweep-{}", getpid());
  std::error_code error;
  fs::create_directories(work_dir, error);
  if (error) {
    fmt::print(stderr, "syncsim: {}: {}\n", work_dir.string(), error.message());
    return kExitInternal;
  }
  std::FILE* human = arguments.json ? stderr : stdout;
  fmt::print(human, "sweep         {} seeds {}..{}{} ({} seeds{}), {} jobs\n", scenario.name, first, last,
             arguments.shard.empty() ? "" : " shard " + arguments.shard, seeds.size(),
             arguments.swarm ? ", swarm faults drawn from each seed" : "", arguments.jobs);
  std::vector<SeedResult> results;
  const std::vector<uint64_t> rechecked = DeterminismSeeds(seeds, arguments.determinism_percent.value_or(0));
  WorkerPool pool(arguments, work_dir, rechecked);
  bool ran = pool.Run(seeds, &results);
  std::optional<DeterminismReport> determinism;
  if (ran && arguments.determinism_percent.has_value()) determinism = RecheckDeterminism(arguments, work_dir, results, rechecked, &ran);
  fs::remove_all(work_dir, error);
  if (!ran) {
    fmt::print(stderr, "syncsim: could not start a worker process\n");
    return kExitInternal;
  }

  SweepTally tally = TallyRuns(arguments, results);
  if (!arguments.junit_path.empty() && !WriteJunit(arguments, scenario.name, results)) return kExitInternal;
  if (determinism.has_value()) determinism->Print(human);
  PrintTally(human, tally, seeds.size());
  if (!arguments.save_failures_dir.empty() &&
      !SaveFailures(arguments.save_failures_dir, {arguments.scenario_path, arguments.overrides, {}, arguments.swarm},
                    &tally.runs, human)) {
    return kExitBadInput;
  }
  if (arguments.json) {
    nlohmann::json object = {{"scenario", scenario.name},
                             {"seeds", {first, last}},
                             {"shard", arguments.shard.empty() ? std::string("1/1") : arguments.shard},
                             {"swarm", arguments.swarm},
                             {"overrides", arguments.overrides},
                             {"passed", seeds.size() - tally.failed},
                             {"failed", tally.failed},
                             {"coverage", tally.coverage.ToJson()},
                             {"runs", tally.runs}};
    if (determinism.has_value()) object["determinism"] = determinism->ToJson();
    fmt::print(stdout, "{}\n", object.dump());
  }
  if (tally.crashed) return kExitInternal;
  const bool nondeterministic = determinism.has_value() && !determinism->mismatches.empty();
  return tally.failed > 0 || nondeterministic ? kExitExpectationFailed : kExitOk;
}

}  // namespace

std::function<int()> RegisterSweepCommand(CLI::App& app) {
  auto arguments = std::make_shared<SweepArguments>();
  CLI::App* command = app.add_subcommand("sweep", "Run one scenario over a range of seeds, in parallel worker processes");
  command->add_option("scenario", arguments->scenario_path, "Scenario file (JSON)")->required();
  command->add_option("--seeds", arguments->seeds, "Seed range A..B (inclusive)")->required();
  command->add_flag("--swarm", arguments->swarm, "Draw the fault configuration from each seed and print it");
  command->add_option("--jobs", arguments->jobs, "Worker processes at once (default 1)")->check(CLI::Range(1u, kJobsMax));
  command->add_option("--shard", arguments->shard,
                      "Take shard K of N of the seed range (every N-th seed); auto: K/N from the CI or scheduler "
                      "environment (SYNCSIM_SHARD_INDEX/COUNT, GitLab, Kubernetes, Slurm, CircleCI, Buildkite)");
  command->add_option("--junit", arguments->junit_path, "Write JUnit XML to this file")->check(NonEmptyPath());
  command->add_option("--set", arguments->overrides, "Override a scalar of the file: key=value (repeatable)");
  command->add_option("--save-failures", arguments->save_failures_dir,
                      "Shrink each failing seed and write it to DIR/NAME_seed_N_shrunk.json (DIR created if missing)")
      ->check(NonEmptyPath());
  command->add_flag("--json", arguments->json, "Print exactly one JSON object on stdout (human output on stderr)");
  command->add_option("--check-determinism", arguments->determinism_percent,
                      "Re-run P% of the seeds (0..100) and require the same trace and state fingerprints")
      ->check(CLI::Range(0u, kDeterminismPercentMax));
  return [arguments] { return Sweep(*arguments); };
}

}  // namespace syncsim::tools
