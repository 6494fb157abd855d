// Tests for sim/kernel/device_clock.h: a device's wall clock follows virtual time
// with its offset, drift and jumps, in exact integer arithmetic.
#include <catch2/catch.hpp>

#include <cstdint>

#include "sim/kernel/device_clock.h"
#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"

namespace {

using syncsim::sim::DeviceClock;
using syncsim::sim::DeviceClockSettings;

constexpr int64_t epoch_ms = 1'700'000'000'000;

}  // namespace

TEST_CASE("DeviceClock: epoch and offset", "[sim]") {
  int64_t virtual_us = 0;
  DeviceClock plain([&virtual_us] { return virtual_us; }, DeviceClockSettings{});
  DeviceClock ahead([&virtual_us] { return virtual_us; }, DeviceClockSettings{.offset_ms = 2500});
  DeviceClock behind([&virtual_us] { return virtual_us; }, DeviceClockSettings{.offset_ms = -60'000});
  CHECK(plain.now_ms() == epoch_ms);
  CHECK(ahead.now_ms() == epoch_ms + 2500);
  CHECK(behind.now_ms() == epoch_ms - 60'000);
  virtual_us = 1'234'567;  // Sub-millisecond parts truncate.
  CHECK(plain.now_ms() == epoch_ms + 1234);
  CHECK(ahead.now_ms() == epoch_ms + 2500 + 1234);
}

TEST_CASE("DeviceClock: drift in parts per million", "[sim]") {
  int64_t virtual_us = 0;
  DeviceClock fast([&virtual_us] { return virtual_us; }, DeviceClockSettings{.drift_ppm = 100});
  DeviceClock slow([&virtual_us] { return virtual_us; }, DeviceClockSettings{.drift_ppm = -100});
  virtual_us = 10'000'000;  // 10 virtual seconds: +-100 ppm is +-1 ms.
  CHECK(fast.now_ms() == epoch_ms + 10'001);
  CHECK(slow.now_ms() == epoch_ms + 9'999);
  virtual_us = 1'000'000;  // 1 second: 100 us of drift, not yet a millisecond.
  CHECK(fast.now_ms() == epoch_ms + 1000);
  CHECK(slow.now_ms() == epoch_ms + 999);  // 999'900 us truncates to 999 ms.
  // A year of virtual time with a large drift: no overflow, exact result.
  virtual_us = 365LL * 24 * 3600 * 1'000'000;
  DeviceClock very_fast([&virtual_us] { return virtual_us; }, DeviceClockSettings{.drift_ppm = 500'000});
  CHECK(very_fast.now_ms() == epoch_ms + 365LL * 24 * 3600 * 1500);
}

TEST_CASE("DeviceClock: jumps go back and forward and add up", "[sim]") {
  int64_t virtual_us = 5'000'000;
  DeviceClock clock([&virtual_us] { return virtual_us; }, DeviceClockSettings{.epoch_ms = 0});
  CHECK(clock.now_ms() == 5000);
  clock.Jump(-3000);
  CHECK(clock.now_ms() == 2000);  // The wall clock went backwards.
  CHECK(clock.jumps_total_ms() == -3000);
  virtual_us += 1'000'000;
  CHECK(clock.now_ms() == 3000);
  clock.Jump(10'000);
  CHECK(clock.now_ms() == 13'000);
  CHECK(clock.jumps_total_ms() == 7000);
}

TEST_CASE("DeviceClock: the monotonic reading ignores offset and jumps and keeps the drift", "[sim]") {
  int64_t virtual_us = 10'000'000;
  DeviceClock clock([&virtual_us] { return virtual_us; },
                    DeviceClockSettings{.epoch_ms = 1'000'000, .offset_ms = -1500, .drift_ppm = 100'000});
  CHECK(clock.monotonic_ms() == 11'000);  // 10 s at +10%
  CHECK(clock.now_ms() == 1'000'000 - 1500 + 11'000);
  clock.Jump(-86'400'000);  // the wall clock set back by a day
  CHECK(clock.monotonic_ms() == 11'000);
  virtual_us += 1'000'000;
  CHECK(clock.monotonic_ms() == 12'100);
  // Without jumps both readings advance alike, so intervals agree.
  clock.Jump(86'400'000);
  const int64_t wall_before = clock.now_ms();
  const int64_t monotonic_before = clock.monotonic_ms();
  virtual_us += 1'234'567;
  CHECK(clock.now_ms() - wall_before == clock.monotonic_ms() - monotonic_before);
}

TEST_CASE("DeviceClock: reads the scheduler's virtual time", "[sim]") {
  syncsim::sim::Scheduler scheduler({.events_max = 10, .random_tie_break = false}, syncsim::sim::Random(1), nullptr);
  DeviceClock clock(scheduler, DeviceClockSettings{.epoch_ms = 1000, .offset_ms = 7, .drift_ppm = 0});
  const syncsim::core::Clock& as_core_clock = clock;
  CHECK(as_core_clock.now_ms() == 1007);
  int64_t seen_ms = 0;
  scheduler.ScheduleAt(42'000, "read", [&] { seen_ms = as_core_clock.now_ms(); });
  scheduler.RunUntil(100'000);
  CHECK(seen_ms == 1049);
  CHECK(clock.now_ms() == 1107);
}
