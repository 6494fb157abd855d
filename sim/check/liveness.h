// LivenessWatch: the check of `expect.converge_within_ms` (TigerBeetle's
// liveness mode). Safety checks say nothing wrong happened; this one says
// something right happened in time: once the faults are over, every device
// converges within a bound of virtual time.
//
// The window opens at the last fault step of the scenario (a step of an
// action of kind ActionKind::kFault, sim/faults/; the
// run's start if it has none) and starts over while a workload is still
// writing, so it measures only the engine's repair. The devices must hold
// the same synced rows when the window closes; a run that ends earlier must
// hold them at its end. A failure names what is still missing, as a stall
// diagnosis does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace syncsim::sim {

class LivenessWatch {
 public:
  // REQUIRES: within_ms > 0.
  explicit LivenessWatch(int64_t within_ms) : within_ms_(within_ms) {}

  // The window (re)opens at now_us, because of `reason` ("step 4 (heal)",
  // "a workload still writing").
  void Open(int64_t now_us, std::string reason);
  // The window starts over at now_us because a workload still writes
  // (called before every such event: no allocation).
  // REQUIRES: open().
  void RestartForWorkload(int64_t now_us);
  bool open() const { return opened_at_us_.has_value() && !verdict_.has_value(); }
  // REQUIRES: open().
  int64_t deadline_us() const;

  // Decides at the close of the window: `converged` is the state then and
  // `differences` its description (DescribeDifferences).
  // REQUIRES: open().
  void Close(int64_t now_us, bool converged, const std::string& differences);

  // Decides at the end of a run whose window did not close (or never
  // opened: the run ended before its last fault step).
  void Finish(int64_t now_us, bool converged, const std::string& differences);

  // REQUIRES: Close or Finish was called.
  bool ok() const { return verdict_.value(); }
  const std::string& detail() const { return detail_; }

 private:
  int64_t within_ms_;
  std::optional<int64_t> opened_at_us_;
  std::string reason_;
  bool restarted_for_workload_ = false;  // the reason is then the last workload's end
  std::optional<bool> verdict_;
  std::string detail_;
};

}  // namespace syncsim::sim
