// Clock: the only way the sync core reads time. The simulator implements it
// with a per-device virtual clock (offset, drift, jumps), so the core never
// touches the host's wall clock.
#pragma once

#include <cstdint>

namespace syncsim::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // The device's current wall time in milliseconds since the Unix epoch, as
  // the device believes it. May go backwards (clock jumps); callers that need
  // monotonic time use the HLC.
  virtual int64_t now_ms() const = 0;
};

}  // namespace syncsim::core
