// DeviceClock: one device's wall clock, derived from the scheduler's virtual
// time.
//
// Devices disagree about the time in real deployments, and the sync core's
// HLC must stay correct when they do (DESIGN.md section 2.7). Each device gets
// its own DeviceClock with an offset, a drift rate and jumps; all of them read
// the same virtual time, so the simulation stays deterministic. Integer
// arithmetic only, so the same virtual time gives the same reading everywhere.
#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"

namespace syncsim::sim {

class Scheduler;

struct DeviceClockSettings {
  // Local time at virtual time 0, before offset and jumps (2023-11-14).
  int64_t epoch_ms = 1'700'000'000'000;
  // A constant error added to the clock.
  int64_t offset_ms = 0;
  // Rate error in parts per million: +100 runs 100 us fast per virtual second.
  // Must be > -1'000'000 so the clock still moves forward.
  int64_t drift_ppm = 0;
};

// Local time = epoch_ms + offset_ms + jumps_total_ms
//            + (virtual_us + virtual_us * drift_ppm / 1'000'000) / 1000;
// monotonic time = (virtual_us + virtual_us * drift_ppm / 1'000'000) / 1000.
// Owns its settings and jump total; reads virtual time through a source it
// does not own.
class DeviceClock : public syncsim::core::Clock {
 public:
  // Reads virtual time from `scheduler`.
  // REQUIRES: `scheduler` outlives this clock; settings.drift_ppm > -1'000'000.
  DeviceClock(const Scheduler& scheduler, DeviceClockSettings settings);
  // Reads virtual time (microseconds, >= 0) from `virtual_time_us`; for tests
  // and tools that have no scheduler.
  // REQUIRES: as above; virtual_time_us is callable.
  DeviceClock(std::function<int64_t()> virtual_time_us, DeviceClockSettings settings);

  // The device's wall time in milliseconds since the Unix epoch.
  int64_t now_ms() const override;
  // The device's monotonic time: virtual time at the device's rate (drift
  // applies, offset and jumps do not), in milliseconds since virtual time 0.
  // Without jumps it advances exactly as now_ms() does, so timers behave the
  // same on both readings until a clock jumps.
  int64_t monotonic_ms() const override;

  // Steps the clock by `by_ms` from now on (negative steps it back), as an
  // NTP correction or a user changing the time would.
  void Jump(int64_t by_ms) { jumps_total_ms_ += by_ms; }

  const DeviceClockSettings& settings() const { return settings_; }
  int64_t jumps_total_ms() const { return jumps_total_ms_; }

 private:
  // Virtual time at the device's rate, in microseconds (>= 0).
  int64_t LocalMicroseconds() const;

  std::function<int64_t()> virtual_time_us_;
  DeviceClockSettings settings_;
  int64_t jumps_total_ms_ = 0;
};

}  // namespace syncsim::sim
