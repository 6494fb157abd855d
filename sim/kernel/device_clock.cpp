#include "sim/kernel/device_clock.h"

#include <utility>

#include "sim/base/assert.h"
#include "sim/kernel/scheduler.h"

namespace syncsim::sim {

namespace {
constexpr int64_t parts_per_million = 1'000'000;
}  // namespace

DeviceClock::DeviceClock(const Scheduler& scheduler, DeviceClockSettings settings)
    : DeviceClock([&scheduler] { return scheduler.now_us(); }, settings) {}

DeviceClock::DeviceClock(std::function<int64_t()> virtual_time_us, DeviceClockSettings settings)
    : virtual_time_us_(std::move(virtual_time_us)), settings_(settings) {
  SYNCSIM_ASSERT(virtual_time_us_);
  SYNCSIM_ASSERT(settings_.drift_ppm > -parts_per_million);
}

int64_t DeviceClock::LocalMicroseconds() const {
  const int64_t virtual_us = virtual_time_us_();
  SYNCSIM_ASSERT(virtual_us >= 0);
  // virtual_us * drift_ppm / 1e6, split into whole seconds and the remainder
  // so the product cannot overflow for any run length; with virtual_us >= 0
  // both parts have the drift's sign, so the truncations agree with the
  // single-expression formula.
  const int64_t seconds = virtual_us / parts_per_million;
  const int64_t remainder_us = virtual_us % parts_per_million;
  const int64_t drift_us = seconds * settings_.drift_ppm + remainder_us * settings_.drift_ppm / parts_per_million;
  const int64_t local_us = virtual_us + drift_us;
  SYNCSIM_ASSERT(local_us >= 0);
  return local_us;
}

int64_t DeviceClock::now_ms() const {
  return settings_.epoch_ms + settings_.offset_ms + jumps_total_ms_ + LocalMicroseconds() / 1000;
}

int64_t DeviceClock::monotonic_ms() const { return LocalMicroseconds() / 1000; }

}  // namespace syncsim::sim
