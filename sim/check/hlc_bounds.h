// invariant.hlc_bounds: the bounds of the hybrid logical clock paper
// (Kulkarni et al., "Logical Physical Clocks", 2014), checked on every HLC a
// sync core generates or receives, read from the run's trace (the "hlc"
// records of sim/kernel/hlc_trace.h, and the "step" records of clock_jump steps).
//
// For an HLC event f on device j at virtual time t, with pt its wall clock
// reading, l its physical part and c its counter:
//
//   1. l >= pt.
//   2. l - pt <= bound = H(t) - pt, where H(t) is the highest wall clock
//      reading any device of the scenario has shown at any virtual time up to
//      t (by its epoch, offset, drift and the clock_jump steps run so far).
//      Without jumps H(t) is the fastest-ahead device's clock, so the bound
//      is the clock offset between devices the scenario gives at that moment:
//      (offset_k - offset_j) + elapsed * (drift_k - drift_j) / 1e6. Message
//      latency does not widen it: a value was at most H when sent, and H only
//      grows while the message travels (the paper's Theorem 2 has the offset
//      bound alone).
//      After a clock_jump of device d by J:
//      - J > 0: d's clock is ahead by J more from then on; every device may
//        hold l up to J further above its pt, for as long as d stays ahead.
//      - J < 0: H keeps d's reading from just before the jump until d's clock
//        reaches it again (|J| ms of d's time later); until then d's own l may
//        exceed its offset bound by what remains of |J|, afterwards the bound
//        is the offset bound again.
//   3. c <= the number of earlier HLC events (on any device) with the same l
//      (the paper's Theorem 3: c.f <= |{g : g happened before f, l.g = l.f}|;
//      events that happened before f come before it in the trace, so counting
//      all earlier ones is an upper bound of that set; each clock's initial
//      {0, 0} counts as an event at l = 0). At most
//      kHlcTimestampsTrackedMax distinct l are counted; for an l below them
//      the bound is every earlier event, which is still sound.
//   4. pt is the device's wall clock as the scenario defines it (the trace
//      reports the reading the clock really saw).
//
// A failure names the device, virtual time, l, pt, c and the bound.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/hlc.h"
#include "sim/kernel/device_clock.h"
#include "sim/scenario/scenario.h"
#include "sim/kernel/trace.h"

namespace syncsim::sim {

// Distinct HLC physical parts whose events are counted for the counter bound.
inline constexpr size_t kHlcTimestampsTrackedMax = 1'000'000;

struct HlcBoundsDevice {
  std::string name;
  DeviceClockSettings clock;
};

struct HlcBoundsJump {
  std::string device;
  int64_t by_ms = 0;
};

class HlcBoundsChecker {
 public:
  // `devices`: every device of the run with its clock settings;
  // `jumps_by_step`: the clock_jump steps, by their index in the scenario.
  HlcBoundsChecker(const std::vector<HlcBoundsDevice>& devices, std::map<uint64_t, HlcBoundsJump> jumps_by_step);
  // The checker for a run of `scenario`.
  static HlcBoundsChecker ForScenario(const Scenario& scenario);

  HlcBoundsChecker(const HlcBoundsChecker&) = delete;
  HlcBoundsChecker& operator=(const HlcBoundsChecker&) = delete;

  // One trace record as it is recorded: "hlc" records are checked, "step"
  // records of clock_jump steps move the clock; the others do not matter.
  void OnTraceRecord(const TraceRecord& record);

  // What OnTraceRecord does with a clock jump and an HLC event (for tests).
  // REQUIRES: `device` is one of the devices; time_us never decreases.
  void ClockJump(int64_t time_us, const std::string& device, int64_t by_ms);
  void Observe(int64_t time_us, const std::string& device, const core::HlcObservation& observation);

  bool ok() const { return failures_ == 0; }
  uint64_t observations() const { return observations_; }
  uint64_t failures() const { return failures_; }
  // The first failure and how many there were, or what held (how many
  // events, the largest l - pt and c seen).
  std::string Detail() const;

 private:
  struct DeviceState {
    std::unique_ptr<DeviceClock> clock;  // reads the checker's virtual time
    int64_t reading_ms_max = 0;          // the highest reading so far
  };

  DeviceState& StateOf(const std::string& device);
  // Advances virtual time to `time_us` and returns H (see above).
  int64_t HighestReading(int64_t time_us);
  // The counter bound for an event at `timestamp_ms`, then counts the event.
  uint64_t CounterBoundThenCount(int64_t timestamp_ms);

  std::map<std::string, DeviceState> devices_;
  std::map<uint64_t, HlcBoundsJump> jumps_by_step_;
  int64_t now_us_ = 0;
  // l -> events seen at it; l <= untracked_at_or_below_ms_ are not counted
  // (evicted to keep at most kHlcTimestampsTrackedMax).
  std::map<int64_t, uint64_t> events_by_timestamp_;
  int64_t untracked_at_or_below_ms_ = -1;
  uint64_t observations_ = 0;
  uint64_t generated_ = 0;
  uint64_t failures_ = 0;
  std::string first_failure_;
  int64_t offset_ms_max_ = 0;      // the largest l - pt seen
  int64_t offset_bound_ms_ = 0;    // the bound at that event
  uint32_t counter_max_ = 0;       // the largest c seen
};

}  // namespace syncsim::sim
