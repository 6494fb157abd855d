// `sweep --shard auto`: the shard K/N of this job, read from the
// environment that a CI matrix or a batch scheduler gives each of its jobs,
// so that one command line serves every job of a sharded sweep.
//
// Sources, tried in this order (the first whose variables are set wins):
//   syncsim      SYNCSIM_SHARD_INDEX (0-based) and SYNCSIM_SHARD_COUNT: for
//                schedulers that name neither, e.g. a GitHub Actions matrix
//                (SYNCSIM_SHARD_INDEX: ${{ strategy.job-index }},
//                SYNCSIM_SHARD_COUNT: ${{ strategy.job-total }});
//   GitLab       CI_NODE_INDEX (1-based) and CI_NODE_TOTAL (`parallel:`);
//   Kubernetes   JOB_COMPLETION_INDEX (0-based, an Indexed Job) with
//                SYNCSIM_SHARD_COUNT (Kubernetes does not pass the count);
//   Slurm        SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and
//                SLURM_ARRAY_TASK_COUNT (an array of step 1);
//   CircleCI     CIRCLE_NODE_INDEX (0-based) and CIRCLE_NODE_TOTAL;
//   Buildkite    BUILDKITE_PARALLEL_JOB (0-based) and
//                BUILDKITE_PARALLEL_JOB_COUNT.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace syncsim::tools {

struct EnvironmentShard {
  uint64_t index = 1;  // 1-based, as in --shard K/N
  uint64_t count = 1;
  std::string source;  // e.g. "GitLab: CI_NODE_INDEX=2 CI_NODE_TOTAL=4"
};

// Reads a variable; nullopt when it is not set.
using EnvironmentReader = std::function<std::optional<std::string>(const char* name)>;

// The process environment.
EnvironmentReader ProcessEnvironment();

// The shard the environment names. Fails (false, *error says what is
// missing or wrong, naming the variables) when no source is set, when a
// value is not a decimal number, or when the index is outside the count or
// the count above `count_max`.
bool ReadEnvironmentShard(const EnvironmentReader& read, uint64_t count_max, EnvironmentShard* shard,
                          std::string* error);

}  // namespace syncsim::tools
