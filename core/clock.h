// Clock: the only way the sync core reads time. The simulator implements it
// with a per-device virtual clock (offset, drift, jumps), so the core never
// touches the host's wall clock.
//
// Two readings, as a real operating system gives (CLOCK_REALTIME and
// CLOCK_MONOTONIC): the wall clock, which the HLC follows and which may jump
// either way, and a monotonic clock for timers and deadlines, which never
// goes backwards. A deadline taken from the wall clock moves with every
// jump: a resend due in 400 ms would wait a day after the clock is set back
// by a day.
#pragma once

#include <cstdint>

namespace syncsim::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // The device's current wall time in milliseconds since the Unix epoch, as
  // the device believes it. May go backwards (clock jumps); callers that need
  // an order of events use the HLC, callers that measure intervals use
  // monotonic_ms().
  virtual int64_t now_ms() const = 0;
  // Milliseconds on the device's monotonic clock: never smaller than an
  // earlier reading, unaffected by wall-clock jumps, counted from an origin
  // that means nothing by itself (only differences between readings do).
  virtual int64_t monotonic_ms() const = 0;
};

}  // namespace syncsim::core
