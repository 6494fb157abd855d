// `syncsim merge RESULTS.json... [--junit FILE] [--json]`: joins the
// `sweep --json` results of the shards of one sweep (run with --shard K/N
// or --shard auto on N machines) into one: every seed's run in seed order,
// the counts, the coverage summed, and each failing seed with the command
// that replays it; optionally the merged JUnit XML. The shards must be of
// one sweep (same scenario, seed range, swarm flag, --set overrides and
// shard count) and
// complete, each once: otherwise exit 2 naming the file or the missing
// shards. Exit 1 when a seed failed (or a shard's determinism check found a
// mismatch), 0 when every seed passed.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace syncsim::tools {

std::function<int()> RegisterMergeCommand(CLI::App& app);

}  // namespace syncsim::tools
