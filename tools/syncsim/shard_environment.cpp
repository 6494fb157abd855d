#include "tools/syncsim/shard_environment.h"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "tools/syncsim/decimal_flag.h"

namespace syncsim::tools {
namespace {

// One scheduler's variables. `first` is the index variable's value for
// the first shard (0 or 1); `minimum` names a variable holding it instead
// (Slurm's arrays may start anywhere); `count` may be another source's.
struct ShardSource {
  const char* scheduler;
  const char* index;
  const char* count;
  uint64_t first;
  const char* minimum;
};

const std::vector<ShardSource>& Sources() {
  static const std::vector<ShardSource> sources = {
      {"syncsim", "SYNCSIM_SHARD_INDEX", "SYNCSIM_SHARD_COUNT", 0, nullptr},
      {"GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1, nullptr},
      {"Kubernetes", "JOB_COMPLETION_INDEX", "SYNCSIM_SHARD_COUNT", 0, nullptr},
      {"Slurm", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", 0, "SLURM_ARRAY_TASK_MIN"},
      {"CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0, nullptr},
      {"Buildkite", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0, nullptr},
  };
  return sources;
}

bool ReadNumber(const EnvironmentReader& read, const char* name, uint64_t* value, std::string* error) {
  const std::optional<std::string> text = read(name);
  if (text.has_value() && ParseDecimalU64(*text, value)) return true;
  *error = fmt::format("{} is {}, expected a decimal number", name, text.has_value() ? "\"" + *text + "\"" : "unset");
  return false;
}

bool ReadSource(const EnvironmentReader& read, const ShardSource& source, uint64_t count_max, EnvironmentShard* shard,
                std::string* error) {
  uint64_t index = 0;
  uint64_t count = 0;
  uint64_t first = source.first;
  if (!ReadNumber(read, source.index, &index, error) || !ReadNumber(read, source.count, &count, error)) return false;
  std::string described = fmt::format("{}: {}={} {}={}", source.scheduler, source.index, index, source.count, count);
  if (source.minimum != nullptr) {
    if (!ReadNumber(read, source.minimum, &first, error)) return false;
    described += fmt::format(" {}={}", source.minimum, first);
    const std::optional<std::string> step = read("SLURM_ARRAY_TASK_STEP");
    if (step.has_value() && *step != "1") {
      *error = fmt::format("{}: SLURM_ARRAY_TASK_STEP is {}; a sharded sweep needs an array of step 1", described, *step);
      return false;
    }
  }
  if (count == 0 || count > count_max || index < first || index - first >= count) {
    *error = fmt::format("{}: expected an index from {} to {} of a count from 1 to {}", described, first,
                         count == 0 ? first : first + count - 1, count_max);
    return false;
  }
  shard->index = index - first + 1;
  shard->count = count;
  shard->source = std::move(described);
  return true;
}

}  // namespace

EnvironmentReader ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

bool ReadEnvironmentShard(const EnvironmentReader& read, uint64_t count_max, EnvironmentShard* shard,
                          std::string* error) {
  for (const ShardSource& source : Sources()) {
    if (!read(source.index).has_value()) continue;
    return ReadSource(read, source, count_max, shard, error);
  }
  std::string names;
  for (const ShardSource& source : Sources()) {
    names += fmt::format("{}{} ({}, with {})", names.empty() ? "" : "; ", source.index, source.scheduler, source.count);
  }
  *error = "no shard in the environment: set one of " + names;
  return false;
}

}  // namespace syncsim::tools
