// Swarm testing (DESIGN.md 7, `--swarm`): the fault configuration of a run
// is drawn from its seed instead of being fixed by the scenario, so that a
// sweep over seeds explores many combinations of faults, as swarm testing
// does. From the seed's own "swarm" stream: link latency, drop and duplicate
// probabilities, each device's clock offset and drift, and, inserted before
// the first run_until_quiescent step, partitions (possibly one-way) with
// their heals, crashes and restarts of devices, and clock jumps: each kind
// present or not by a coin flip, then 1 to its maximum of them. The engine's
// knobs are drawn too (sim/scenario/swarm_knobs.h), and the storage faults
// (sim/scenario/swarm_storage.h), each from a stream of their own.
//
// The same (scenario, seed) always gives the same swarm, so a failing swarm
// run replays with `syncsim run SCENARIO --seed N --swarm`.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "sim/action/swarm_bounds.h"

namespace syncsim::sim {

// Upper bounds of what the swarm draws.
inline constexpr double kSwarmDropMax = 0.3;
inline constexpr double kSwarmDuplicateMax = 0.3;
inline constexpr int64_t kSwarmLatencyMsMax = 400;
inline constexpr int64_t kSwarmClockOffsetMsMax = 5'000;
inline constexpr int64_t kSwarmDriftPpmMax = 300;

// With drawn knobs, each run_until_quiescent waits at least this long
// (virtual time): small pages and batches make a run slower, not wrong.
// With pages of fewer than kSwarmSmallPageRecords records, longer: the
// minimum times kSwarmSmallPageRecords / page_size (rounded up), at most
// kSwarmQuiescenceMsMax (SwarmQuiescenceMs). Seed 266 of
// late_joiner_three_devices (pages of 1 record, round trips up to 700 ms,
// a quarter of messages lost) converges after 74 minutes, live all along.
inline constexpr int64_t kSwarmQuiescenceMsMin = 3'600'000;
inline constexpr int64_t kSwarmQuiescenceMsMax = 14'400'000;
inline constexpr int64_t kSwarmSmallPageRecords = 20;
int64_t SwarmQuiescenceMs(int64_t page_size);

// Under the swarm, expect.converge_within_ms is at least this and the stall
// window, times the factor by which sync.page_size is below its default,
// and at most SwarmQuiescenceMs (drawn faults and knobs make convergence
// slower, not wrong); the lifted bound is reported as drawn
// "converge_within_ms", a lifted run_until_quiescent as "quiescence_max_ms".
inline constexpr int64_t kSwarmConvergeWithinMsMin = 300'000;

// Rewrites `document` (a scenario, before validation) with faults drawn
// from `seed` and returns what was drawn, for printing and for the run's
// result. A document that is not a scenario-shaped object is left alone
// (the loader then reports it) and the result is null.
nlohmann::json ApplySwarm(uint64_t seed, nlohmann::json* document);

}  // namespace syncsim::sim
