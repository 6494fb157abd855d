#include "tools/syncsim/merge_command.h"

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/base/strict_json.h"
#include "sim/snapshot/atomic_file.h"
#include "tools/syncsim/commands.h"
#include "tools/syncsim/decimal_flag.h"
#include "tools/syncsim/junit_xml.h"
#include "tools/syncsim/path_flag.h"

namespace syncsim::tools {
namespace {

using nlohmann::json;

// A results file larger than this is not a sweep's (a million seeds take
// about 200 MB of --json).
constexpr uintmax_t kResultsFileBytesMax = 512ull * 1024 * 1024;

struct MergeArguments {
  std::vector<std::string> paths;
  std::string junit_path;
  bool json = false;
};

// One shard's results, as `sweep --json` printed them.
struct ShardResults {
  std::string path;
  json document;
  uint64_t index = 0;
  uint64_t count = 0;
};

// Checks that `document` has the members a merge reads, of their types.
bool CheckShape(const std::string& path, const json& document, std::string* error) {
  auto require = [&](const char* member, bool (json::*is)() const noexcept, const char* type) {
    if (document.contains(member) && (document[member].*is)()) return true;
    *error = fmt::format("{}: {}: expected {} (is this the output of sweep --json?)", path, member, type);
    return false;
  };
  if (!document.is_object()) {
    *error = path + ": expected a JSON object (the output of sweep --json)";
    return false;
  }
  if (!require("scenario", &json::is_string, "a string") || !require("seeds", &json::is_array, "[A, B]") ||
      !require("shard", &json::is_string, "\"K/N\"") || !require("swarm", &json::is_boolean, "a boolean") ||
      !require("overrides", &json::is_array, "an array") || !require("runs", &json::is_array, "an array") ||
      !require("coverage", &json::is_object, "an object")) {
    return false;
  }
  for (size_t i = 0; i < document["runs"].size(); ++i) {
    const json& run = document["runs"][i];
    const bool passed = run.is_object() && run.value("passed", false);
    if (!run.is_object() || !run.contains("seed") || !run["seed"].is_number_unsigned() ||
        !run.contains("passed") || !run["passed"].is_boolean() ||
        (!passed && (!run.contains("failure") || !run["failure"].is_string() || !run.contains("replay") ||
                     !run["replay"].is_string()))) {
      *error = fmt::format("{}: runs[{}]: expected seed, passed, and failure and replay when it failed", path, i);
      return false;
    }
  }
  return true;
}

// A regular file of at most kResultsFileBytesMax (a FIFO would block).
bool ReadResultsFile(const std::string& path, std::string* text, std::string* error) {
  std::error_code code;
  const std::filesystem::file_status status = std::filesystem::status(path, code);
  if (code || !std::filesystem::is_regular_file(status)) {
    *error = path + ": " + (code ? code.message() : std::string("not a regular file"));
    return false;
  }
  const uintmax_t size = std::filesystem::file_size(path, code);
  if (code || size > kResultsFileBytesMax) {
    *error = path + ": " + (code ? code.message() : fmt::format("larger than {} bytes", kResultsFileBytesMax));
    return false;
  }
  if (core::Status read = sim::ReadWholeFile(path, text); !read.ok()) {
    *error = read.message();
    return false;
  }
  return true;
}

bool ReadShard(const std::string& path, ShardResults* shard, std::string* error) {
  std::string text;
  if (!ReadResultsFile(path, &text, error)) return false;
  shard->path = path;
  if (core::Status status = sim::ParseStrictJson(text, &shard->document); !status.ok()) {
    *error = path + ": " + status.message();
    return false;
  }
  if (!CheckShape(path, shard->document, error)) return false;
  const std::string shard_text = shard->document["shard"].get<std::string>();
  const size_t slash = shard_text.find('/');
  if (slash == std::string::npos || !ParseDecimalU64(shard_text.substr(0, slash), &shard->index) ||
      !ParseDecimalU64(shard_text.substr(slash + 1), &shard->count) || shard->index < 1 ||
      shard->index > shard->count) {
    *error = fmt::format("{}: shard: expected \"K/N\", got \"{}\"", path, shard_text);
    return false;
  }
  return true;
}

// The shards must be one sweep's (same scenario, seeds, swarm flag, --set
// overrides and count), each once, and all of them.
bool CheckShardsAgree(const std::vector<ShardResults>& shards, std::string* error) {
  const ShardResults& first = shards.front();
  std::set<uint64_t> indexes;
  for (const ShardResults& shard : shards) {
    for (const char* member : {"scenario", "seeds", "swarm", "overrides"}) {
      if (shard.document[member] != first.document[member]) {
        *error = fmt::format("{}: {} is {}, but {} has {}: not shards of one sweep", shard.path, member,
                             shard.document[member].dump(), first.path, first.document[member].dump());
        return false;
      }
    }
    if (shard.count != first.count) {
      *error = fmt::format("{}: shard {}/{} is not one of {} shards ({})", shard.path, shard.index, shard.count,
                           first.count, first.path);
      return false;
    }
    if (!indexes.insert(shard.index).second) {
      *error = fmt::format("{}: shard {}/{} is given twice", shard.path, shard.index, shard.count);
      return false;
    }
  }
  std::string missing;
  for (uint64_t index = 1; index <= first.count; ++index) {
    if (!indexes.contains(index)) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", index, first.count);
  }
  if (!missing.empty()) *error = "missing shard(s) " + missing + " of sweep " + first.document["scenario"].dump();
  return missing.empty();
}

// Coverage summed over the shards: a path fired in a seed of any shard.
json MergeCoverage(const std::vector<ShardResults>& shards) {
  uint64_t seeds = 0;
  std::map<std::string, uint64_t> fired;
  std::vector<std::string> paths;  // in the first shard's order
  for (const ShardResults& shard : shards) {
    const json& coverage = shard.document["coverage"];
    seeds += coverage.value("seeds", uint64_t{0});
    // Named, not iterated as temporaries: a range-for over value(...).items()
    // would read a destroyed object.
    const json fired_here = coverage.value("fired_in_seeds", json::object());
    const json never_here = coverage.value("never_fired", json::array());
    for (const auto& [path, count] : fired_here.items()) {
      if (count.is_number_unsigned()) fired[path] += count.get<uint64_t>();
    }
    for (const json& path : never_here) {
      if (path.is_string() && std::find(paths.begin(), paths.end(), path.get<std::string>()) == paths.end()) {
        paths.push_back(path.get<std::string>());
      }
    }
  }
  json never = json::array();
  for (const std::string& path : paths) {
    if (!fired.contains(path)) never.push_back(path);
  }
  return {{"seeds", seeds}, {"fired_in_seeds", fired}, {"never_fired", never}};
}

json MergeShards(const std::vector<ShardResults>& shards, bool* nondeterministic) {
  json runs = json::array();
  json determinism = json::object();
  for (const ShardResults& shard : shards) {
    for (const json& run : shard.document["runs"]) runs.push_back(run);
    if (const auto found = shard.document.find("determinism"); found != shard.document.end()) {
      determinism[shard.document["shard"].get<std::string>()] = *found;
      if (found->is_object() && !found->value("mismatches", json::array()).empty()) *nondeterministic = true;
    }
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const json& left, const json& right) { return left["seed"] < right["seed"]; });
  uint64_t failed = 0;
  for (const json& run : runs) failed += run["passed"].get<bool>() ? 0 : 1;
  const json& first = shards.front().document;
  json merged = {{"scenario", first["scenario"]},
                 {"seeds", first["seeds"]},
                 {"shards", shards.front().count},
                 {"swarm", first["swarm"]},
                 {"overrides", first["overrides"]},
                 {"passed", runs.size() - failed},
                 {"failed", failed},
                 {"coverage", MergeCoverage(shards)},
                 {"runs", runs}};
  if (!determinism.empty()) merged["determinism_by_shard"] = determinism;
  return merged;
}

void PrintMerged(std::FILE* out, const json& merged) {
  fmt::print(out, "merged        {} shards of sweep {} seeds {}..{}\n", merged["shards"].get<uint64_t>(),
             merged["scenario"].get<std::string>(), merged["seeds"][0].dump(), merged["seeds"][1].dump());
  const uint64_t failed = merged["failed"].get<uint64_t>();
  const uint64_t total = merged["runs"].size();
  fmt::print(out, "result        {} of {} seeds passed, {} failed\n", total - failed, total, failed);
  if (failed == 0) return;
  fmt::print(out, "failing seeds:\n");
  for (const json& run : merged["runs"]) {
    if (run["passed"].get<bool>()) continue;
    fmt::print(out, "  seed {:<10} {}\n                  replay with: {}\n", run["seed"].get<uint64_t>(),
               run["failure"].get<std::string>(), run["replay"].get<std::string>());
  }
}

bool WriteMergedJunit(const std::string& path, const json& merged) {
  std::vector<JunitCase> cases;
  for (const json& run : merged["runs"]) {
    JunitCase junit_case{.seed = run["seed"].get<uint64_t>(), .passed = run["passed"].get<bool>()};
    if (!junit_case.passed) {
      junit_case.failure = run["failure"].get<std::string>();
      junit_case.replay = run["replay"].get<std::string>();
    }
    cases.push_back(std::move(junit_case));
  }
  const core::Status status = sim::WriteFileAtomically(path, JunitXml(merged["scenario"].get<std::string>(), cases));
  if (!status.ok()) fmt::print(stderr, "syncsim: --junit: {}\n", status.message());
  return status.ok();
}

int Merge(const MergeArguments& arguments) {
  std::vector<ShardResults> shards;
  std::string error;
  for (const std::string& path : arguments.paths) {
    ShardResults shard;
    if (!ReadShard(path, &shard, &error)) break;
    shards.push_back(std::move(shard));
  }
  if (error.empty()) CheckShardsAgree(shards, &error);
  if (error.empty() && !arguments.junit_path.empty()) CanWriteBeside(arguments.junit_path, &error);
  if (!error.empty()) {
    fmt::print(stderr, "syncsim: merge: {}\n", error);
    return kExitBadInput;
  }
  bool nondeterministic = false;
  const json merged = MergeShards(shards, &nondeterministic);
  if (!arguments.junit_path.empty() && !WriteMergedJunit(arguments.junit_path, merged)) return kExitInternal;
  PrintMerged(arguments.json ? stderr : stdout, merged);
  if (arguments.json) fmt::print(stdout, "{}\n", merged.dump());
  return merged["failed"].get<uint64_t>() > 0 || nondeterministic ? kExitExpectationFailed : kExitOk;
}

}  // namespace

std::function<int()> RegisterMergeCommand(CLI::App& app) {
  auto arguments = std::make_shared<MergeArguments>();
  CLI::App* command =
      app.add_subcommand("merge", "Join the --json results of a sharded sweep into one (and JUnit XML on request)");
  command->add_option("results", arguments->paths, "Each shard's `sweep --json` output, one file per shard")
      ->required();
  command->add_option("--junit", arguments->junit_path, "Write the merged JUnit XML to this file")
      ->check(NonEmptyPath());
  command->add_flag("--json", arguments->json, "Print exactly one JSON object on stdout (human output on stderr)");
  return [arguments] { return Merge(*arguments); };
}

}  // namespace syncsim::tools
