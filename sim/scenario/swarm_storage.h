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
// The largest drawn probabilities, in thousandths.
inline constexpr int64_t kSwarmIoErrorPerMilleMax = 4;
inline constexpr int64_t kSwarmDiskFullPerMilleMax = 2;

// Rewrites `document` (a scenario whose drawn steps are inserted) and adds
// what it drew to `drawn` (its "storage" member).
void DrawSwarmStorage(uint64_t seed, nlohmann::json* document, nlohmann::json* drawn);

}  // namespace syncsim::sim
