// Upper bounds of the fault steps the swarm draws (sim/scenario/swarm.h);
// the fault actions' swarm hooks draw within them.
#pragma once

#include <cstdint>

namespace syncsim::sim {

// A drawn fault starts within this much of the last explicit time before
// the drawn steps, and one that ends (a partition's heal, a crash's
// restart) lasts at most kSwarmFaultLengthMsMax.
inline constexpr int64_t kSwarmFaultStartMsMax = 6'000;
inline constexpr int64_t kSwarmFaultLengthMsMax = 8'000;
inline constexpr int64_t kSwarmPartitionsMax = 2;
inline constexpr int64_t kSwarmCrashesMax = 2;
inline constexpr int64_t kSwarmClockJumpsMax = 2;
// A drawn jump is small (an NTP correction, up to kSwarmClockJumpSmallMsMax
// either way) or large (a user setting the date, up to a day either way),
// by a coin flip: timers must not freeze after either.
inline constexpr int64_t kSwarmClockJumpSmallMsMax = 3'000;
inline constexpr int64_t kSwarmClockJumpLargeMsMax = 86'400'000;

}  // namespace syncsim::sim
