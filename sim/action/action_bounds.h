// Bounds on what a step may ask for, shared by the actions and the scenario
// loader: they keep a typo from asking for a run that never ends or
// exhausts memory. Parsers refuse anything beyond them.
#pragma once

#include <cstdint>

namespace syncsim::sim {

inline constexpr uint32_t kScenarioDirsMax = 100'000;
inline constexpr uint32_t kScenarioFilesMax = 1'000'000;
inline constexpr uint32_t kScenarioOperationsMax = 1'000'000;  // per step, and over all steps
inline constexpr int64_t kScenarioTimeMsMax = 86'400'000;      // one virtual day
inline constexpr int64_t kScenarioLatencyMsMax = 600'000;
inline constexpr int64_t kScenarioClockOffsetMsMax = 10LL * 365 * 86'400'000;

}  // namespace syncsim::sim
