// MessageCounts: how many network message fates of each kind a run has seen.
//
// Kept by the Trace (counted from the records it is given) and by the Network
// (counted as it decides fates), so a test can check one against the other and
// the runner can report message statistics without re-reading the trace.
#pragma once

#include <cstdint>

namespace syncsim::sim {

struct MessageCounts {
  uint64_t sent = 0;        // Send() calls, including those dropped at once.
  uint64_t delivered = 0;   // Copies handed to the target's deliver callback.
  uint64_t dropped = 0;     // Copies lost, for any reason (every "dropped_*" fate).
  uint64_t duplicated = 0;  // Extra copies created at send time.
  uint64_t held = 0;        // Times a copy was held by a partition on arrival.
  uint64_t released = 0;    // Held copies put back in flight by Heal.

  bool operator==(const MessageCounts&) const = default;
};

}  // namespace syncsim::sim
