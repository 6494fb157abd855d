// The swarm's storage faults (DESIGN.md 7, `--swarm`): from the seed's own
// "swarm/storage" stream, so that the network, clock and fault draws of
// earlier versions stay what they were for the same seed: the journal mode
// (unless the scenario sets it), each drawn crash's power loss and I/O
// point, and each device's I/O error and full-disk probabilities. A
// scenario whose storage.journal is "off" gets none of them (it cannot
// simulate them). The synchronous level is never drawn: a level that does
// not make commits durable is a configuration bug, not a fault.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace syncsim::sim {

// The most writes and syncs a drawn crash waits for.
inline constexpr int64_t kSwarmCrashAtIoMax = 400;
// The drawn probabilities per write or sync, in millionths: a device makes
// tens of thousands of them in a run (every page a WAL frame or a
// checkpoint writes is one), so these give a few storage errors per run;
// thousandths gave hundreds, a restart loop in which a run spent a minute.
inline constexpr int64_t kSwarmIoErrorPerMillionMin = 10;
inline constexpr int64_t kSwarmIoErrorPerMillionMax = 100;
inline constexpr int64_t kSwarmDiskFullPerMillionMin = 5;
inline constexpr int64_t kSwarmDiskFullPerMillionMax = 50;

// Rewrites `document` (a scenario whose drawn steps are inserted) and adds
// what it drew to `drawn` (its "storage" member).
void DrawSwarmStorage(uint64_t seed, nlohmann::json* document, nlohmann::json* drawn);

}  // namespace syncsim::sim
