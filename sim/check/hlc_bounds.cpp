#include "sim/check/hlc_bounds.h"

#include <algorithm>
#include <any>
#include <charconv>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "sim/base/assert.h"
#include "sim/faults/fault_settings.h"
#include "sim/kernel/hlc_trace.h"

namespace syncsim::sim {
namespace {

constexpr int64_t kMicrosecondsPerMillisecond = 1000;

// The step index at the front of a "step" record's detail ("INDEX ACTION").
bool ParseStepIndex(std::string_view detail, uint64_t* index) {
  const auto [stop, error] = std::from_chars(detail.data(), detail.data() + detail.size(), *index);
  return error == std::errc() && stop != detail.data() && stop < detail.data() + detail.size() && *stop == ' ';
}

}  // namespace

HlcBoundsChecker::HlcBoundsChecker(const std::vector<HlcBoundsDevice>& devices,
                                   std::map<uint64_t, HlcBoundsJump> jumps_by_step)
    : jumps_by_step_(std::move(jumps_by_step)) {
  for (const HlcBoundsDevice& device : devices) {
    DeviceState state;
    state.clock = std::make_unique<DeviceClock>([this] { return now_us_; }, device.clock);
    state.reading_ms_max = std::max<int64_t>(state.clock->now_ms(), 0);
    const bool added = devices_.emplace(device.name, std::move(state)).second;
    SYNCSIM_ASSERT(added && "device names are distinct");
  }
  // Every clock starts at {0, 0}, as the paper's initial event of each
  // process: a clock reading 0 (before the epoch) then counts from there.
  if (!devices.empty()) events_by_timestamp_[0] = devices.size();
}

HlcBoundsChecker HlcBoundsChecker::ForScenario(const Scenario& scenario) {
  std::vector<HlcBoundsDevice> devices;
  for (const ScenarioDevice& device : scenario.devices) devices.push_back({device.name, device.clock});
  std::map<uint64_t, HlcBoundsJump> jumps;
  for (size_t index = 0; index < scenario.steps.size(); ++index) {
    const ScenarioStep& step = scenario.steps[index];
    if (const auto* jump = std::any_cast<ClockJumpSettings>(&step.settings)) jumps[index] = {jump->device, jump->by_ms};
  }
  return HlcBoundsChecker(devices, std::move(jumps));
}

HlcBoundsChecker::DeviceState& HlcBoundsChecker::StateOf(const std::string& device) {
  auto found = devices_.find(device);
  SYNCSIM_ASSERT(found != devices_.end() && "HLC events come from the scenario's devices");
  return found->second;
}

int64_t HlcBoundsChecker::HighestReading(int64_t time_us) {
  SYNCSIM_ASSERT(time_us >= now_us_);
  now_us_ = time_us;
  int64_t highest = 0;
  for (auto& [name, state] : devices_) {
    // The HLC clamps readings before the epoch to 0; so does H.
    state.reading_ms_max = std::max({state.reading_ms_max, state.clock->now_ms(), int64_t{0}});
    highest = std::max(highest, state.reading_ms_max);
  }
  return highest;
}

void HlcBoundsChecker::ClockJump(int64_t time_us, const std::string& device, int64_t by_ms) {
  // H keeps the reading from just before the jump (a clock set back does
  // not take back the HLC values it gave).
  HighestReading(time_us);
  StateOf(device).clock->Jump(by_ms);
}

uint64_t HlcBoundsChecker::CounterBoundThenCount(int64_t timestamp_ms) {
  if (timestamp_ms <= untracked_at_or_below_ms_) return observations_;
  uint64_t& count = events_by_timestamp_[timestamp_ms];
  const uint64_t bound = count;
  ++count;
  if (events_by_timestamp_.size() > kHlcTimestampsTrackedMax) {
    untracked_at_or_below_ms_ = events_by_timestamp_.begin()->first;
    events_by_timestamp_.erase(events_by_timestamp_.begin());
  }
  return bound;
}

void HlcBoundsChecker::Observe(int64_t time_us, const std::string& device, const core::HlcObservation& observation) {
  const int64_t highest_ms = HighestReading(time_us);
  const int64_t pt = observation.physical_ms;
  const int64_t l = observation.result.timestamp_ms;
  const uint32_t c = observation.result.counter;
  const int64_t bound_ms = highest_ms - pt;
  const uint64_t counter_bound = CounterBoundThenCount(l);
  const int64_t clock_ms = std::max<int64_t>(StateOf(device).clock->now_ms(), 0);
  ++observations_;
  if (observation.kind == core::HlcObservation::Kind::kGenerate) ++generated_;
  std::string problems;
  const auto problem = [&problems](std::string text) { problems += (problems.empty() ? "" : "; ") + text; };
  if (pt != clock_ms) problem(fmt::format("pt {} is not the device's wall clock {}", pt, clock_ms));
  if (l < pt) problem(fmt::format("l is below pt by {} ms (l >= pt must hold)", pt - l));
  if (l - pt > bound_ms) {
    problem(fmt::format("l - pt = {} ms is above the bound {} ms (highest clock reading so far {})", l - pt, bound_ms,
                        highest_ms));
  }
  if (c > counter_bound) problem(fmt::format("c {} is above the bound {} (earlier HLC events at this l)", c, counter_bound));
  if (l - pt > offset_ms_max_) {
    offset_ms_max_ = l - pt;
    offset_bound_ms_ = bound_ms;
  }
  counter_max_ = std::max(counter_max_, c);
  if (problems.empty()) return;
  if (failures_ == 0) {
    const std::string kind = observation.kind == core::HlcObservation::Kind::kGenerate
                                 ? std::string("generate")
                                 : fmt::format("receive of l {} c {}", observation.remote.timestamp_ms,
                                               observation.remote.counter);
    first_failure_ = fmt::format("{} at {} ms ({}): l {}, pt {}, c {}, bound of l - pt {} ms, bound of c {}: {}", device,
                                 time_us / kMicrosecondsPerMillisecond, kind, l, pt, c, bound_ms, counter_bound, problems);
  }
  ++failures_;
}

void HlcBoundsChecker::OnTraceRecord(const TraceRecord& record) {
  if (record.kind == kHlcTraceKind) {
    const std::optional<core::HlcObservation> observation = ParseHlcTraceDetail(record.detail);
    SYNCSIM_ASSERT(observation.has_value() && "hlc trace records are written by FormatHlcTraceDetail");
    Observe(record.time_us, record.source, *observation);
    return;
  }
  uint64_t index = 0;
  if (record.kind != "step" || !ParseStepIndex(record.detail, &index)) return;
  auto jump = jumps_by_step_.find(index);
  if (jump != jumps_by_step_.end()) ClockJump(record.time_us, jump->second.device, jump->second.by_ms);
}

std::string HlcBoundsChecker::Detail() const {
  if (failures_ > 0) {
    return fmt::format("{} of {} HLC events break the HLC paper's bounds; first: {}", failures_, observations_,
                       first_failure_);
  }
  return fmt::format(
      "{} HLC events ({} generated, {} received): l >= pt; l - pt at most {} ms (bound there {} ms); c at most {}",
      observations_, generated_, observations_ - generated_, offset_ms_max_, offset_bound_ms_, counter_max_);
}

}  // namespace syncsim::sim
